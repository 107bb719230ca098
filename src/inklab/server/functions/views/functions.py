"""``/api/functions``: register, list, read and delete native functions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.filtering import SearchFilter, SimpleFilter, SortFilter
from inklab.server.functions import services
from inklab.server.functions.permissions import visible_functions
from inklab.server.functions.presence import with_agents_online
from inklab.server.functions.serializers import FunctionReadSerializer, FunctionWriteSerializer
from inklab.server.iam.context import context_of

__all__ = ["FunctionViewSet"]


class FunctionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FunctionReadSerializer
    lookup_value_regex = r"\d+"
    filter_backends = [SearchFilter, SimpleFilter, SortFilter]
    search_fields = {"name": "name", "owner": "owner__username"}
    simple_filters = {"name": "name", "kind": "kind", "provider": "provider", "visibility": "visibility",
                      "owner": "owner__username"}
    ordering_fields = {"id": "id", "name": "name", "created_date": "created_date", "last_seen": "last_seen"}

    def get_queryset(self) -> Any:
        visible = context_of(self.request).filter(visible_functions(self.request.user))
        return with_agents_online(visible.select_related("owner"))

    @extend_schema(request=FunctionWriteSerializer, responses={201: FunctionReadSerializer})
    def create(self, request: Request) -> Response:
        data = FunctionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        function = services.create_function(request.user, dict(data.validated_data), context_of(request))
        body = FunctionReadSerializer(function, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_function(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
