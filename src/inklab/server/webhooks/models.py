"""A webhook and the deliveries of its events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from inklab.server.iam.models import Organization
from inklab.server.projects.models import Project
from inklab.server.webhooks.events import WebhookContentType, WebhookType
from inklab.vocabulary import choices

__all__ = ["Webhook", "WebhookDelivery"]


class Webhook(models.Model):
    """Where to send which events of a project (or an organization).

    An organization webhook has its ``organization`` and no project; a project webhook has its
    project and that project's organization (None in a personal workspace), so that lists follow
    the request's organization context. ``secret`` signs the payloads and is never returned by
    the API.
    """

    target_url = models.CharField(max_length=8192)
    description = models.CharField(max_length=128, blank=True, default="")
    type = models.CharField(max_length=16, choices=choices(WebhookType))
    content_type = models.CharField(max_length=64, choices=choices(WebhookContentType),
                                    default=WebhookContentType.JSON)
    secret = models.CharField(max_length=64, blank=True, default="")
    is_active = models.BooleanField(default=True)
    enable_ssl = models.BooleanField(default=True)
    events = models.JSONField(default=list)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="webhooks")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.type} webhook {self.pk} -> {self.target_url}"


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to a webhook's target.

    ``request`` is the payload; ``response`` what the target answered on the last attempt
    (``body``, its first :data:`~.transport.MAX_BODY` bytes, or ``error`` when no answer came).
    ``status_code`` is null until an answer arrives; ``attempt`` counts the attempts made and
    ``request_duration`` is the last one's, in milliseconds.
    """

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    redelivery = models.BooleanField(default=False)
    attempt = models.PositiveSmallIntegerField(default=0)
    request_duration = models.PositiveIntegerField(null=True, blank=True)
    changed_fields = models.CharField(max_length=4096, blank=True, default="")
    request = models.JSONField(default=dict)
    response = models.JSONField(default=dict)
    created_date = models.DateTimeField(default=timezone.now)
    updated_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["webhook", "-id"])]

    def __str__(self) -> str:
        return f"{self.event} to webhook {self.webhook_id} ({self.status_code})"
