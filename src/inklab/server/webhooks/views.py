"""``/api/webhooks``: CRUD, the events list, ping, deliveries and redelivery."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.integers import ID, parse_int
from inklab.server.api.strict import refuse_unknown
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.projects.views._base import EditableResourceViewSet
from inklab.server.webhooks import permissions as perms
from inklab.server.webhooks import services
from inklab.server.webhooks.events import WebhookType, events_for
from inklab.server.webhooks.models import Webhook
from inklab.server.webhooks.serializers import (
    EventsSerializer,
    WebhookDeliverySerializer,
    WebhookReadSerializer,
    WebhookUpdateSerializer,
    WebhookWriteSerializer,
)

__all__ = ["WebhookViewSet"]

_FIELDS = {"id": "id", "target_url": "target_url", "owner": "owner__username", "type": "type",
           "description": "description", "project_id": "project_id", "updated_date": "updated_date"}
_EVENT_TYPES = ("all", WebhookType.ORGANIZATION.value, WebhookType.PROJECT.value)


def _events(webhook_type: str) -> dict[str, Any]:
    if webhook_type == "all":
        names = events_for(WebhookType.ORGANIZATION)
    else:
        names = events_for(WebhookType(webhook_type))
    return {"webhook_type": webhook_type,
            "events": [{"key": name, "group": {"display_name": name.split(":")[1].capitalize()}} for name in names]}


def _delivery_id(raw: str) -> int:
    """A delivery id from the path; one no delivery can have is a 404, as a missing one is."""
    try:
        return parse_int(raw, "delivery_id", ID)
    except InvalidInput:
        raise NotFound(f"There is no delivery {raw[:40]}.") from None


@extend_schema_view(
    create=extend_schema(request=WebhookWriteSerializer, responses={201: WebhookReadSerializer}),
    partial_update=extend_schema(request=WebhookUpdateSerializer(partial=True), responses=WebhookReadSerializer),
)
class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, EditableResourceViewSet):
    serializer_class = WebhookReadSerializer
    write_serializer_class = WebhookWriteSerializer
    search_fields = {k: v for k, v in _FIELDS.items() if k in {"target_url", "owner", "type", "description"}}
    simple_filters = {k: v for k, v in _FIELDS.items() if k in {"target_url", "owner", "type", "project_id"}}
    filter_fields = _FIELDS
    ordering_fields = _FIELDS

    def visible(self, user: Any) -> Any:
        return perms.visible_webhooks(user)

    def prepared(self, queryset: Any) -> Any:
        return queryset.select_related("owner", "project")

    def _validated(self, request: Request, *, partial: bool = False) -> dict[str, Any]:
        serializer = (WebhookUpdateSerializer if partial else WebhookWriteSerializer)(data=request.data,
                                                                                      partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create_object(self, user: Any, data: dict[str, Any]) -> Webhook:
        return services.create_webhook(user, data, self.org_context)

    def update_object(self, user: Any, obj: Webhook, data: dict[str, Any]) -> None:
        services.update_webhook(user, obj, data)

    def check_delete(self, user: Any, obj: Webhook) -> None:
        perms.check_manage_webhook(user, obj)

    @extend_schema(operation_id="webhooks_retrieve_events", summary="List the events a webhook may subscribe to",
                   parameters=[OpenApiParameter("type", str, enum=list(_EVENT_TYPES), description="Type of webhook")],
                   responses=EventsSerializer)
    @action(detail=False, methods=["get"], url_path="events", filter_backends=[], pagination_class=None)
    def events(self, request: Request) -> Response:
        refuse_unknown(request.query_params, {"type", "org", "org_id"})
        webhook_type = request.query_params.get("type", "all")
        if webhook_type not in _EVENT_TYPES:
            raise InvalidInput({"type": [f"Unknown webhook type '{webhook_type}'; use one of: "
                                         f"{', '.join(_EVENT_TYPES)}."]})
        return Response(_events(webhook_type))

    @extend_schema(operation_id="webhooks_create_ping", summary="Send a ping to the webhook's target",
                   request=None, responses=WebhookDeliverySerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def ping(self, request: Request, pk: str) -> Response:
        webhook = self.get_object()
        data = WebhookReadSerializer(webhook, context=self.get_serializer_context()).data
        delivery = services.ping(request.user, webhook, dict(data))
        return Response(WebhookDeliverySerializer(delivery).data)

    @extend_schema(operation_id="webhooks_list_deliveries", summary="List the webhook's deliveries",
                   responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request: Request, pk: str) -> Response:
        webhook = self.get_object()
        page = self.paginate_queryset(webhook.deliveries.order_by("-id"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(operation_id="webhooks_retrieve_deliveries", summary="One delivery, with request and response",
                   parameters=[OpenApiParameter("delivery_id", OpenApiTypes.STR, OpenApiParameter.PATH)],
                   responses=WebhookDeliverySerializer)
    @action(detail=True, methods=["get"], url_path=r"deliveries/(?P<delivery_id>\d+)", filter_backends=[],
            pagination_class=None)
    def delivery(self, request: Request, pk: str, delivery_id: str) -> Response:
        webhook = self.get_object()
        delivery = webhook.deliveries.filter(pk=_delivery_id(delivery_id)).first()
        if delivery is None:
            raise NotFound(f"Webhook {webhook.pk} has no delivery {delivery_id}.")
        return Response(WebhookDeliverySerializer(delivery).data)

    @extend_schema(operation_id="webhooks_create_deliveries_redelivery", summary="Send a delivery again",
                   parameters=[OpenApiParameter("delivery_id", OpenApiTypes.STR, OpenApiParameter.PATH)],
                   request=None, responses={200: None})
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>\d+)/redelivery",
            filter_backends=[], pagination_class=None)
    def redelivery(self, request: Request, pk: str, delivery_id: str) -> Response:
        webhook = self.get_object()
        services.redeliver(request.user, webhook, _delivery_id(delivery_id))
        return Response(status=status.HTTP_200_OK)
