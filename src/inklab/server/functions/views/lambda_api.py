"""``/api/lambda/functions`` and ``/api/lambda/requests``: CVAT's API for running functions.

The web UI and scripts queue annotation requests here (``POST /api/lambda/requests`` with
``{"function": "<id>", "task": ..., ...}``); agents of the function then do the work. The web
UI's AI tools call a function on one frame (``POST /api/lambda/functions/{id}``) and wait for
the answer (see :mod:`inklab.server.functions.calls`). Only native functions exist on this
server: there are no serverless (nuclio) ones.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.integers import query_int
from inklab.server.api.schema import error, query
from inklab.server.functions import calls, queue, services
from inklab.server.functions.permissions import visible_functions, visible_requests
from inklab.server.functions.serializers import (
    CallResultSerializer,
    FunctionCallReadSerializer,
    FunctionCallWriteSerializer,
    InteractiveCallSerializer,
    LambdaFunctionSerializer,
)
from inklab.vocabulary import RequestCategory

__all__ = ["LambdaFunctionViewSet", "LambdaRequestViewSet"]


class LambdaFunctionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LambdaFunctionSerializer
    pagination_class = None  # CVAT answers a plain list here
    lookup_value_regex = r"[^/]+"
    lookup_url_kwarg = "func_id"  # CVAT's name, in its schema's path

    def get_queryset(self) -> Any:
        return visible_functions(self.request.user).order_by("id")

    def get_object(self) -> Any:
        return services.resolve_function(self.request.user, self.kwargs["func_id"])

    @extend_schema(
        operation_id="lambda_create_functions",  # CVAT's
        summary="Call a function on one frame and wait for its answer",
        description="An interactor with the annotator's points (pos_points, neg_points, obj_bbox), a tracker "
                    "with the shapes to follow (shapes) or the states of an earlier call (states), a detector "
                    "with its label mapping. The function's agents answer; see CallResult.",
        request=InteractiveCallSerializer,
        responses={200: CallResultSerializer,
                   502: error(502, "The function's agent failed; the detail says why."),
                   503: error(503, "No agent serves the function now, or its agent did not answer in time "
                                   "(see Retry-After).")},
    )
    def call(self, request: Request, func_id: str) -> Response:
        data = InteractiveCallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = calls.call_function(request.user, self.get_object(), dict(data.validated_data))
        return Response(answer)


@extend_schema_view(list=extend_schema(parameters=[query("task", "Only the requests of this task.", int)]))
class LambdaRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FunctionCallReadSerializer
    pagination_class = None  # CVAT answers a plain list here
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> Any:
        queue.requeue_expired()
        queryset = (visible_requests(self.request.user).filter(category=RequestCategory.BATCH)
                    .select_related("owner").order_by("-created_date"))
        task = query_int(self.request, "task")
        if task is not None:
            queryset = queryset.filter(task_id=task)
        return queryset

    @extend_schema(summary="Run a function over a task or job", request=FunctionCallWriteSerializer,
                   responses=FunctionCallReadSerializer)
    def create(self, request: Request) -> Response:
        data = FunctionCallWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        function = services.resolve_function(request.user, values["function"])
        created = services.create_request(
            request.user, function, task_id=values["task"], job_id=values.get("job"),
            threshold=values.get("threshold"), mapping=values.get("mapping"), cleanup=values["cleanup"],
            conv_mask_to_poly=values["conv_mask_to_poly"],
        )
        body = FunctionCallReadSerializer(created, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_200_OK)

    @extend_schema(operation_id="lambda_delete_requests", summary="Cancel a request")  # CVAT's id
    def destroy(self, request: Request, pk: str) -> Response:
        services.cancel_request(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
