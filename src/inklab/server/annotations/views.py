"""``/api/tasks/{id}/annotations/`` and ``/api/jobs/{id}/annotations/``: GET, PUT, PATCH, DELETE.

Bodies are read and written as raw JSON (no per-object serializers): the payload is
validated by :mod:`~inklab.server.annotations.validation` and the response assembled from
stored JSON. Imports (POST) are added by the datasets app.

Conditional writes: a GET reports the scope's annotation version in the body's ``version`` (as
CVAT's ``LabeledData``) and in an ``ETag``. A PUT, PATCH or DELETE with ``?version=N`` or
``If-Match: "N"`` happens only if the version is still N; otherwise it is refused with 409 and the
current version (:class:`~inklab.server.annotations.services.StaleVersion`). Without either the
write is unconditional, as CVAT's clients expect.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.views import APIView

from inklab.server.annotations import schema, services
from inklab.server.annotations.services import Scope
from inklab.server.api.integers import INT64, parse_int, query_int
from inklab.server.errors import InvalidInput
from inklab.server.iam.context import context_of
from inklab.server.projects import permissions as perms

__all__ = ["JobAnnotationsView", "TaskAnnotationsView"]


_VERSIONS = (0, INT64[1])
_VERSION_AT_START = re.compile(rb'\{"version":(\d+),')


def _json(body: bytes, code: int = status.HTTP_200_OK) -> HttpResponse:
    response = HttpResponse(body, status=code, content_type="application/json")
    version = _VERSION_AT_START.match(body)  # LabeledData bodies start with their version
    if version is not None:
        response["ETag"] = f'"{version.group(1).decode()}"'
    return response


def base_version(request: Request) -> int | None:
    """The version a conditional write expects, from ``?version=N`` or ``If-Match: "N"``; None for
    an unconditional write. A malformed value, or two that disagree, is an :class:`InvalidInput`
    naming ``version`` or ``If-Match``."""
    from_query = query_int(request, "version", _VERSIONS)
    header = request.headers.get("If-Match")
    from_header = None
    if header is not None and header.strip() != "*":
        tag = header.strip()
        if len(tag) < 3 or tag[0] != '"' or tag[-1] != '"':
            raise InvalidInput(f"'If-Match' must be a quoted annotations version such as \"3\", got '{tag[:40]}'.")
        from_header = parse_int(tag[1:-1], "If-Match", _VERSIONS)
    if from_query is not None and from_header is not None and from_query != from_header:
        raise InvalidInput(f"'version' ({from_query}) and 'If-Match' ({from_header}) disagree; send one of them.")
    return from_query if from_query is not None else from_header


class _AnnotationsView(APIView):
    def scope(self, request: Request, pk: Any) -> Scope:
        raise NotImplementedError

    def get(self, request: Request, pk: Any) -> HttpResponse:
        return _json(services.read_bytes(self.scope(request, pk)))

    def put(self, request: Request, pk: Any) -> HttpResponse:
        scope = self.scope(request, pk)
        return _json(services.write(request.user, scope, request.data, "put", base_version(request)))

    def patch(self, request: Request, pk: Any) -> HttpResponse:
        scope = self.scope(request, pk)
        action = request.query_params.get("action")
        if action not in ("create", "update", "delete"):
            raise InvalidInput("PATCH needs ?action=create, update or delete.")
        return _json(services.write(request.user, scope, request.data, action, base_version(request)))

    def delete(self, request: Request, pk: Any) -> HttpResponse:
        services.delete_all(request.user, self.scope(request, pk), base_version(request))
        return HttpResponse(status=status.HTTP_204_NO_CONTENT)


@schema.annotations
class TaskAnnotationsView(_AnnotationsView):
    def scope(self, request: Request, pk: Any) -> Scope:
        task = perms.visible_task(request.user, pk, context_of(request))
        perms.check_read_task(request.user, task)
        return Scope(task)


@schema.annotations
class JobAnnotationsView(_AnnotationsView):
    def scope(self, request: Request, pk: Any) -> Scope:
        job = perms.visible_job(request.user, pk, context_of(request))
        return Scope(job.task, job)
