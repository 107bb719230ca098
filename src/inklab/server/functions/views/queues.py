"""``/api/functions/queues/function:{id}/...``: the endpoints agents poll and report to.

Only the function's owner (or an admin) serves its queue. The request bodies are the
agent's (``agent_id`` in each); see :mod:`inklab.server.functions.queue` for the rules.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inklab.server.api.renderers import CvatJSONRenderer, JSONRenderer
from inklab.server.errors import Conflict, NotFound, ServiceError
from inklab.server.functions import queue
from inklab.server.functions.models import AnnotationRequest, Function
from inklab.server.functions.permissions import check_serve_function, visible_functions
from inklab.server.functions.serializers import FunctionCallReadSerializer

__all__ = ["AcquireView", "CompleteView", "FailView", "UpdateView", "WatchView"]


class _Busy(ServiceError):
    status_code = 503


def _served_function(request: Request, function_id: str) -> Function:
    function = visible_functions(request.user).filter(pk=int(function_id)).first()
    if function is None:
        raise NotFound(f"Function #{function_id} does not exist or is not visible to you.")
    check_serve_function(request.user, function)
    return function


def _body(request: Request) -> dict[str, Any]:
    from inklab.server.errors import InvalidInput

    if not isinstance(request.data, dict):
        raise InvalidInput("Expected a JSON object.")
    return request.data


_AGENT_ID = serializers.CharField(help_text="The agent's id, the same in all its calls.")
_REPORT = {200: FunctionCallReadSerializer, 404: OpenApiResponse(description="No such request."),
           409: OpenApiResponse(description="This agent does not hold the request (any more).")}
_ASSIGNMENT = inline_serializer("AgentRequestAssignment", {
    "ar_assignment": inline_serializer("AgentRequestAssignmentItem", {
        "ar_id": serializers.CharField(),
        "ar_params": serializers.DictField(help_text="type 'annotate_task', task, mapping, threshold, "
                                                     "conv_mask_to_poly"),
    }, allow_null=True),
})


class _EventStreamRenderer(renderers.BaseRenderer):
    """Lets agents ask for ``text/event-stream``; errors still go out as JSON."""

    media_type = "text/event-stream"
    format = "event-stream"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return orjson.dumps(data) if data is not None else b""


class WatchView(APIView):
    renderer_classes = [JSONRenderer, CvatJSONRenderer, _EventStreamRenderer]

    @extend_schema(
        summary="Wait for new requests of a function's queue (inklab's agents)",
        description="A server-sent event stream: 'event: newrequest' whenever a request is queued, "
                    "comments to keep the connection alive; it ends after a while and the agent reconnects.",
        responses={(200, "text/event-stream"): OpenApiResponse(OpenApiTypes.STR),
                   503: OpenApiResponse(description="Too many streams now: poll instead (Retry-After).")},
    )
    def get(self, request: Request, function_id: str) -> StreamingHttpResponse:
        function = _served_function(request, function_id)
        watch = queue.Watch.open(function.pk)
        if watch is None:
            busy = _Busy("This server is streaming to as many agents as it can; poll instead, or retry later.")
            raise busy
        response = StreamingHttpResponse(watch, content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, _Busy):
            response["Retry-After"] = "60"
        return response


class AcquireView(APIView):
    @extend_schema(
        summary="Take the next request of a function's queue (inklab's agents)",
        request=inline_serializer("AgentRequestAcquire", {
            "agent_id": _AGENT_ID,
            "request_category": serializers.ChoiceField(choices=["batch", "interactive"]),
        }),
        responses=_ASSIGNMENT,
    )
    def post(self, request: Request, function_id: str) -> Response:
        function = _served_function(request, function_id)
        body = _body(request)
        claimed = queue.acquire(function, body.get("agent_id"), body.get("request_category"))
        if claimed is None:
            return Response({"ar_assignment": None})
        return Response({"ar_assignment": {"ar_id": claimed.pk, "ar_params": queue.ar_params(claimed)}})


class _RequestView(APIView):
    def post(self, request: Request, function_id: str, ar_id: str) -> Response:
        function = _served_function(request, function_id)
        held = self.act(function, ar_id, _body(request)) or function.requests.select_related("owner").filter(
            pk=ar_id).first()
        if held is None:  # an interactive call whose caller has its answer, or gave up
            raise Conflict(f"Annotation request '{ar_id}' is over.")
        return Response(FunctionCallReadSerializer(held, context={"request": request}).data)

    def act(self, function: Function, ar_id: str, body: dict[str, Any]) -> AnnotationRequest | None:
        """Do it; the request as it now is, when it may be gone from the database already."""
        raise NotImplementedError


@extend_schema(summary="Report the progress of a request (inklab's agents)",
               request=inline_serializer("AgentRequestUpdate", {
                   "agent_id": _AGENT_ID, "progress": serializers.FloatField(min_value=0, max_value=1)}),
               responses=_REPORT)
class UpdateView(_RequestView):
    def act(self, function: Function, ar_id: str, body: dict[str, Any]) -> None:
        queue.update(function, ar_id, body.get("agent_id"), body.get("progress"))


@extend_schema(summary="Hand in the annotations of a request (inklab's agents)",
               request=inline_serializer("AgentRequestComplete", {
                   "agent_id": _AGENT_ID,
                   "annotations": serializers.DictField(help_text="LabeledData: tags, shapes, tracks")}),
               responses=_REPORT)
class CompleteView(_RequestView):
    def act(self, function: Function, ar_id: str, body: dict[str, Any]) -> AnnotationRequest | None:
        return queue.complete(function, ar_id, body.get("agent_id"), body)


@extend_schema(summary="Give up a request (inklab's agents)",
               request=inline_serializer("AgentRequestFail", {
                   "agent_id": _AGENT_ID, "exc_info": serializers.CharField(help_text="What went wrong.")}),
               responses=_REPORT)
class FailView(_RequestView):
    def act(self, function: Function, ar_id: str, body: dict[str, Any]) -> AnnotationRequest | None:
        return queue.fail(function, ar_id, body.get("agent_id"), body.get("exc_info"))
