"""``Request``: the CVAT representation of a background request."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.reverse import reverse

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
            "function_id": request.function_id, "org_id": None,
            "lightweight": request.params.get("lightweight") if request.operation == "export:backup" else None,
        }

    def get_owner(self, request: BackgroundRequest) -> dict[str, Any] | None:
        if request.owner is None:
            return None
        return {"id": request.owner.pk, "username": request.owner.username}

    def get_result_url(self, request: BackgroundRequest) -> str | None:
        if request.status != "finished" or not request.result_file:
            return None
        return reverse("request-download", args=[request.pk], request=self.context.get("request"))
