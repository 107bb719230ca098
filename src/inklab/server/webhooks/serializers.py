"""``WebhookRead``, ``WebhookWriteRequest``, ``PatchedWebhookWriteRequest``, ``WebhookDeliveryRead``
and ``Events`` (CVAT's shapes; the events list as cvat-sdk 2.x reads it)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.reverse import reverse

from inklab.server.api.integers import id_field
from inklab.server.api.strict import StrictFields
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.server.webhooks.events import EVENTS, WebhookContentType, WebhookType
from inklab.server.webhooks.models import Webhook, WebhookDelivery

__all__ = ["EventsSerializer", "WebhookDeliverySerializer", "WebhookReadSerializer", "WebhookUpdateSerializer",
           "WebhookWriteSerializer"]


class WebhookReadSerializer(serializers.ModelSerializer):
    """A webhook as clients see it: never its secret. ``last_status`` and ``last_delivery_date``
    describe its newest delivery, and are left out while it has none."""

    url = serializers.SerializerMethodField()
    owner = BasicUserSerializer(read_only=True, allow_null=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True, allow_null=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), read_only=True)
    # Not read-only, so that the schema does not list them as required: they are absent until a
    # delivery has an answer (cvat-sdk accepts absent, not null).
    last_status = serializers.IntegerField(required=False)
    last_delivery_date = serializers.DateTimeField(required=False)

    class Meta:
        model = Webhook
        fields = ["id", "url", "target_url", "description", "type", "content_type", "is_active", "enable_ssl",
                  "created_date", "updated_date", "owner", "project_id", "organization", "events",
                  "last_status", "last_delivery_date"]
        read_only_fields = [name for name in fields if name not in ("last_status", "last_delivery_date")]

    def get_url(self, webhook: Webhook) -> str:
        return reverse("webhook-detail", args=[webhook.pk], request=self.context.get("request"))

    def to_representation(self, webhook: Webhook) -> dict[str, Any]:
        data = super().to_representation(webhook)
        data.pop("last_status", None)
        data.pop("last_delivery_date", None)
        last = webhook.deliveries.only("status_code", "updated_date").first()
        if last is not None:
            if last.status_code is not None:
                data["last_status"] = last.status_code
            data["last_delivery_date"] = serializers.DateTimeField().to_representation(last.updated_date)
        return data


class _WebhookFields(StrictFields, serializers.Serializer):
    target_url = serializers.CharField(max_length=8192, min_length=1)
    description = serializers.CharField(max_length=128, required=False, allow_blank=True)
    content_type = serializers.ChoiceField(choices=[c.value for c in WebhookContentType], required=False)
    secret = serializers.CharField(max_length=64, required=False, allow_blank=True, write_only=True,
                                   trim_whitespace=False)
    is_active = serializers.BooleanField(required=False)
    enable_ssl = serializers.BooleanField(required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), max_length=len(EVENTS) * 2)


class WebhookWriteSerializer(_WebhookFields):
    """``WebhookWriteRequest``."""

    type = serializers.ChoiceField(choices=[t.value for t in WebhookType])
    project_id = id_field(required=False, allow_null=True, write_only=True)


class WebhookUpdateSerializer(_WebhookFields):
    """``PatchedWebhookWriteRequest``: neither the type nor the project changes."""


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.IntegerField(read_only=True)
    request = serializers.JSONField(read_only=True)
    response = serializers.JSONField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "webhook_id", "event", "status_code", "redelivery", "attempt", "request_duration",
                  "created_date", "updated_date", "changed_fields", "request", "response"]
        read_only_fields = fields


class _EventGroupSerializer(serializers.Serializer):
    display_name = serializers.CharField()


class _EventSerializer(serializers.Serializer):
    key = serializers.CharField()
    group = _EventGroupSerializer()


class EventsSerializer(serializers.Serializer):
    """``Events``: the events a type of webhook may subscribe to."""

    webhook_type = serializers.CharField()
    events = _EventSerializer(many=True)
