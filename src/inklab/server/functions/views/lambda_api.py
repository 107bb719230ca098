"""``/api/lambda/functions`` and ``/api/lambda/requests``: CVAT's API for running functions.

The web UI and scripts queue annotation requests here (``POST /api/lambda/requests`` with
``{"function": "<id>", "task": ..., ...}``); agents of the function then do the work. Only
native detector functions exist on this server: there are no serverless (nuclio) ones.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.integers import query_int
from inklab.server.api.schema import query
from inklab.server.functions import queue, services
from inklab.server.functions.permissions import visible_functions, visible_requests
from inklab.server.functions.serializers import (
    FunctionCallReadSerializer,
    FunctionCallWriteSerializer,
    LambdaFunctionSerializer,
)
from inklab.vocabulary import FunctionKind

__all__ = ["LambdaFunctionViewSet", "LambdaRequestViewSet"]


class LambdaFunctionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LambdaFunctionSerializer
    pagination_class = None  # CVAT answers a plain list here
    lookup_value_regex = r"[^/]+"
    lookup_url_kwarg = "func_id"  # CVAT's name, in its schema's path

    def get_queryset(self) -> Any:
        return visible_functions(self.request.user).filter(kind=FunctionKind.DETECTOR).order_by("id")

    def get_object(self) -> Any:
        return services.resolve_function(self.request.user, self.kwargs["func_id"])


@extend_schema_view(list=extend_schema(parameters=[query("task", "Only the requests of this task.", int)]))
class LambdaRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FunctionCallReadSerializer
    pagination_class = None  # CVAT answers a plain list here
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> Any:
        queue.requeue_expired()
        queryset = visible_requests(self.request.user).select_related("owner").order_by("-created_date")
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
