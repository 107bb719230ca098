"""How ``/api/schema/`` describes the API: in CVAT's spelling, so that a diff against CVAT's schema
shows real differences only.

* :class:`AutoSchema` names operations as CVAT does: the first path segment, the action, the rest
  (``tasks_list``, ``tasks_retrieve_annotations``, ``auth_create_login``). It also documents the
  error answers every operation can give (:data:`ERRORS`, with CVAT's error body
  :class:`ErrorSerializer`): 400 where there is input, 401 and 403 where credentials are needed,
  404 where the path or the body names an object or a list has pages. Views add the others they give (409, 405,
  503...) with ``extend_schema(responses=...)``.
* :func:`cvat_paths` (a preprocessing hook) drops the optional trailing slash our routes accept
  (``/api/tasks``, ``/api/tasks/{id}``) but keeps it on upload endpoints (``/api/tasks/{id}/data/``),
  where CVAT's clients append a TUS upload id to the path.
* The authentication extensions publish our authenticators under the security scheme names of
  cvat-sdk's ``Configuration`` (``accessTokenAuth``, ``tokenAuth``, ``basicAuth``, ``sessionAuth``...).
* Pieces several apps describe their endpoints with: :class:`RqIdSerializer`, :data:`BINARY`,
  :func:`query`, :func:`header`, :func:`error`, :func:`upload_responses`.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as _AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer
from rest_framework import serializers

from inklab.server.api.integers import ID, INT64, Range

__all__ = [
    "BINARY",
    "ERRORS",
    "AutoSchema",
    "DetailSerializer",
    "ErrorSerializer",
    "error",
    "RqIdSerializer",
    "UploadStartedSerializer",
    "cvat_paths",
    "header",
    "query",
    "upload_responses",
]

# Path parameters of the TUS chunk endpoints (``<upload endpoint>/<upload id>``).
_UPLOAD_SUFFIX = re.compile(r"\{(upload|file_id)\}$")


class ErrorSerializer(serializers.Serializer):
    """An error: ``{"detail": "..."}``, or the invalid fields, each with its messages."""

    detail = serializers.CharField(required=False, help_text="What went wrong (absent for field errors).")

    class Meta:
        ref_name = "ErrorResponse"


#: The error answers :class:`AutoSchema` adds to operations, and what they mean.
ERRORS = {
    400: "The request is not valid; the body names the parameter or field.",
    401: "No valid credentials were given.",
    403: "This user may not do this.",
    404: "Nothing there: the object does not exist or is not visible to this user, or past the last page.",
    405: "The format cannot do this (see /api/server/annotation/formats).",
    409: "The object's state does not allow this now.",
    415: "The body must be JSON (Content-Type: application/json).",
    429: "Too many attempts; try again later (see Retry-After).",
    503: "The server is busy; try again later (see Retry-After).",
}


def error(code: int, description: str | None = None) -> OpenApiResponse:
    """The documented error answer ``code`` for an ``extend_schema(responses=...)`` mapping."""
    return OpenApiResponse(ErrorSerializer, description=description or ERRORS[code])


class AutoSchema(_AutoSchema):
    """drf-spectacular's schema with CVAT's operation ids, integer path parameters as ids, and
    the error answers of every operation."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(error(code), str(code))
        return operation

    def _error_codes(self, operation: dict[str, Any]) -> list[int]:
        parameters = operation.get("parameters", [])
        locations = {p["in"] for p in parameters}
        codes = []
        if "query" in locations or "requestBody" in operation or self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append(400)
        if operation.get("security", [{}]) != [{}]:
            codes += [401, 403]
        # 404: the path names an object, a page is past the last, or the body names one (a task id)
        if "path" in locations or "requestBody" in operation or any(p["name"] == "page" for p in parameters):
            codes.append(404)
        return codes

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("type") == "integer":
                parameter["schema"].setdefault("minimum", ID[0])
                parameter["schema"].setdefault("maximum", ID[1])
        return parameters

    def get_operation_id(self) -> str:
        tokens = [re.sub(r"\W", "", t).replace("-", "_") for t in self._tokenize_path()]
        tokens = [t for t in tokens if t] or ["root"]
        if self.method == "GET" and self._is_list_view():
            action = "list"
        else:
            action = self.method_mapping[self.method.lower()]
        return "_".join([tokens[0], action, *tokens[1:]])


def cvat_paths(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """Preprocessing hook: spell paths as CVAT does.

    Our routes match with and without a trailing slash (regex ``/?$``), which drf-spectacular
    prints as a slash. CVAT spells resources without one, except the endpoints that take
    uploads, whose TUS chunks go to ``<endpoint><upload id>``; those are recognized by the
    chunk routes below them. Routes whose slash is not optional (``/api/schema/``) are left alone.
    """
    upload_roots = {_UPLOAD_SUFFIX.sub("", path) for path, *_ in endpoints if _UPLOAD_SUFFIX.search(path)}
    result = []
    for path, path_regex, method, callback in endpoints:
        if path.endswith("/") and path_regex.endswith("/?$") and path not in upload_roots:
            path = path.rstrip("/")
        result.append((path, path_regex, method, callback))
    return result


class _AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "inklab.server.iam.authentication.AccessTokenAuthentication"
    name = "accessTokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer",
                "description": "A personal access token (/api/auth/access_tokens): 'Authorization: Bearer <token>'."}


class _TokenScheme(OpenApiAuthenticationExtension):
    target_class = "inklab.server.iam.authentication.TokenAuthentication"
    name = "tokenAuth"
    priority = 1  # before drf-spectacular's own scheme for DRF's token class

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "Authorization", "x-token-prefix": "Token",
                "description": "The key /api/auth/login returns: 'Authorization: Token <key>'."}


class _BasicScheme(OpenApiAuthenticationExtension):
    target_class = "inklab.server.iam.authentication.BasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "basic"}


class _SessionScheme(OpenApiAuthenticationExtension):
    """The session cookie; unsafe methods also need the CSRF token, as a cookie and a header."""

    target_class = "inklab.server.iam.authentication.SessionAuthentication"
    name = ["sessionAuth", "csrfAuth", "csrfHeaderAuth"]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            {"type": "apiKey", "in": "cookie", "name": "csrftoken"},
            {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
        ]


class RqIdSerializer(serializers.Serializer):
    """``RqId``: the id of a queued background request; poll ``GET /api/requests/{rq_id}``."""

    rq_id = serializers.CharField()

    class Meta:
        ref_name = "RqId"


class UploadStartedSerializer(serializers.Serializer):
    """The answer to ``Upload-Start``: the files may come now (TUS uploads, ``Upload-Multiple``)."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "UploadStarted"


def upload_responses(queued: str, more: dict[int, OpenApiResponse] | None = None) -> dict[int, OpenApiResponse]:
    """The answers of an endpoint that takes CVAT's upload protocol: 202 with :class:`UploadStarted
    <UploadStartedSerializer>` for ``Upload-Start``, or with the ``rq_id`` of what was ``queued``;
    201 for a TUS upload created (its ``Location``); and ``more``."""
    answer = PolymorphicProxySerializer(component_name="RqIdOrUploadStarted", resource_type_field_name=None,
                                        serializers=[RqIdSerializer, UploadStartedSerializer])
    return {202: OpenApiResponse(answer, description=f"Upload-Start: the upload may begin; otherwise {queued}"),
            201: OpenApiResponse(description="A TUS upload was created (Tus-Resumable, Upload-Length): "
                                             "its chunks go to the Location answered."),
            **(more or {})}


class DetailSerializer(serializers.Serializer):
    """A message, as in CVAT's answers to logout or a password change."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "RestAuthDetail"


BINARY = OpenApiResponse(OpenApiTypes.BINARY)

_TYPES: dict[type, Any] = {str: OpenApiTypes.STR, int: OpenApiTypes.INT, bool: OpenApiTypes.BOOL}


def query(name: str, description: str, kind: type = str, *, enum: list[str] | None = None,
          required: bool = False, bounds: Range = INT64) -> OpenApiParameter:
    """A query parameter of ``kind`` (``str``, ``int`` or ``bool``); an ``int`` one within ``bounds``."""
    schema: Any = _TYPES[kind]
    if kind is int:
        schema = {"type": "integer", "minimum": bounds[0], "maximum": bounds[1]}
    return OpenApiParameter(name, schema, OpenApiParameter.QUERY, required=required, enum=enum,
                            description=description)


def header(name: str, description: str) -> OpenApiParameter:
    """A header whose presence is the signal, whatever its value (CVAT's ``Upload-Start`` and
    friends; the clients send it empty)."""
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.HEADER, description=description)
