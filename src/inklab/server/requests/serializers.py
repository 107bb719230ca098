"""``Request``: the CVAT representation of a background request."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.reverse import reverse

from inklab.server.functions.models import Function
from inklab.server.projects.models import Project, Task
from inklab.server.requests.models import BackgroundRequest

__all__ = ["RequestSerializer"]


class RequestSerializer(serializers.ModelSerializer):
    operation = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = BackgroundRequest
        fields = ["id", "status", "message", "progress", "operation", "created_date", "started_date",
                  "finished_date", "expiry_date", "owner", "result_url", "result_id"]
        read_only_fields = fields

    def get_operation(self, request: BackgroundRequest) -> dict[str, Any]:
        return {
            "type": request.operation, "target": request.target, "project_id": request.project_id,
            "task_id": request.task_id, "job_id": request.job_id, "format": request.format,
            "function_id": request.function_id, "org_id": self._organization_of(request),
            "lightweight": request.params.get("lightweight") if request.operation == "export:backup" else None,
        }

    def _organization_of(self, request: BackgroundRequest) -> int | None:
        """The organization of the request's task or project (for a restore, the one it restores
        into); None for the personal workspace. Looked up once per object in a list."""
        if request.task_id is not None:
            key: tuple[str, int] = ("task", request.task_id)
        elif request.project_id is not None:
            key = ("project", request.project_id)
        elif request.function_id is not None:
            key = ("function", request.function_id)
        else:
            organization = request.params.get("organization_id")
            return organization if isinstance(organization, int) else None
        known = self.context.setdefault("organizations", {})
        if key not in known:
            model = {"task": Task, "project": Project, "function": Function}[key[0]]
            known[key] = model.objects.filter(pk=key[1]).values_list("organization_id", flat=True).first()
        return known[key]

    def get_owner(self, request: BackgroundRequest) -> dict[str, Any] | None:
        if request.owner is None:
            return None
        return {"id": request.owner.pk, "username": request.owner.username}

    def get_result_url(self, request: BackgroundRequest) -> str | None:
        if request.status != "finished" or not request.result_file:
            return None
        return reverse("request-download", args=[request.pk], request=self.context.get("request"))
