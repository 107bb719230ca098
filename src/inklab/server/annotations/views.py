"""``/api/tasks/{id}/annotations/`` and ``/api/jobs/{id}/annotations/``: GET, PUT, PATCH, DELETE.

Bodies are read and written as raw JSON (no per-object serializers): the payload is
validated by :mod:`~inklab.server.annotations.validation` and the response assembled from
stored JSON. Imports (POST) are added by the datasets app.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.views import APIView

from inklab.server.annotations import schema, services
from inklab.server.annotations.services import Scope
from inklab.server.errors import InvalidInput
from inklab.server.projects import permissions as perms

__all__ = ["JobAnnotationsView", "TaskAnnotationsView"]


def _json(body: bytes, code: int = status.HTTP_200_OK) -> HttpResponse:
    return HttpResponse(body, status=code, content_type="application/json")


class _AnnotationsView(APIView):
    def scope(self, request: Request, pk: Any) -> Scope:
        raise NotImplementedError

    def get(self, request: Request, pk: Any) -> HttpResponse:
        return _json(services.read_bytes(self.scope(request, pk)))

    def put(self, request: Request, pk: Any) -> HttpResponse:
        scope = self.scope(request, pk)
        return _json(services.write(request.user, scope, request.data, "put"))

    def patch(self, request: Request, pk: Any) -> HttpResponse:
        scope = self.scope(request, pk)
        action = request.query_params.get("action")
        if action not in ("create", "update", "delete"):
            raise InvalidInput("PATCH needs ?action=create, update or delete.")
        return _json(services.write(request.user, scope, request.data, action))

    def delete(self, request: Request, pk: Any) -> HttpResponse:
        services.delete_all(request.user, self.scope(request, pk))
        return HttpResponse(status=status.HTTP_204_NO_CONTENT)


@schema.annotations
class TaskAnnotationsView(_AnnotationsView):
    def scope(self, request: Request, pk: Any) -> Scope:
        task = perms.visible_task(request.user, pk)
        perms.check_read_task(request.user, task)
        return Scope(task)


@schema.annotations
class JobAnnotationsView(_AnnotationsView):
    def scope(self, request: Request, pk: Any) -> Scope:
        job = perms.visible_job(request.user, pk)
        return Scope(job.task, job)
