"""Creating and changing webhooks, recording events and pings (no HTTP here).

Recording never sends anything: it stores a :class:`WebhookDelivery` per interested webhook and
queues its delivery when the surrounding transaction commits (a rolled-back change is no
event), for a background worker to send (:mod:`.delivery`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inklab.server.errors import InvalidInput, NotFound
from inklab.server.iam.context import OrgContext
from inklab.server.requests import queue
from inklab.server.webhooks import permissions as perms
from inklab.server.webhooks.addresses import TargetRefused, resolve
from inklab.server.webhooks.events import PING, WebhookType, events_for
from inklab.server.webhooks.models import Webhook, WebhookDelivery
from inklab.server.webhooks.payloads import sender

__all__ = ["DELIVER", "create_webhook", "ping", "queue_attempt", "record_event", "redeliver",
           "update_webhook", "webhooks_for"]

#: the background operation that sends one delivery
DELIVER = "deliver:webhook"


def _check_target(url: str) -> None:
    try:
        resolve(url)
    except TargetRefused as exc:
        raise InvalidInput({"target_url": [exc.detail]}) from None


def _check_events(webhook_type: WebhookType, events: Iterable[str]) -> list[str]:
    allowed = events_for(webhook_type)
    wrong = sorted({event for event in events if event not in allowed})
    if wrong:
        raise InvalidInput({"events": [f"A {webhook_type} webhook cannot subscribe to: {', '.join(wrong)}. "
                                       f"It may subscribe to: {', '.join(allowed)}."]})
    return sorted(set(events))


@transaction.atomic
def create_webhook(user: Any, data: dict[str, Any], context: OrgContext) -> Webhook:
    """A new webhook from validated write data (see ``WebhookWriteSerializer``): an organization
    webhook in the request's organization ``context``, or a project webhook."""
    webhook_type = WebhookType(data["type"])
    project, organization = None, None
    if webhook_type == WebhookType.ORGANIZATION:
        if data.get("project_id") is not None:
            raise InvalidInput({"project_id": ["An organization webhook watches its whole organization; "
                                               "leave project_id out (or create a project webhook)."]})
        organization = perms.organization_for_webhook(user, context)
    else:
        if data.get("project_id") is None:
            raise InvalidInput({"project_id": ["A project webhook needs the id of its project."]})
        project = perms.project_for_webhook(user, data["project_id"])
        organization = project.organization
    events = _check_events(webhook_type, data["events"])
    _check_target(data["target_url"])
    return Webhook.objects.create(
        target_url=data["target_url"], description=data.get("description", ""), type=webhook_type,
        content_type=data.get("content_type") or "application/json", secret=data.get("secret", ""),
        is_active=data.get("is_active", True), enable_ssl=data.get("enable_ssl", True), events=events,
        project=project, organization=organization, owner=user,
    )


@transaction.atomic
def update_webhook(user: Any, webhook: Webhook, data: dict[str, Any]) -> Webhook:
    perms.check_manage_webhook(user, webhook)
    if "target_url" in data:
        _check_target(data["target_url"])
    if "events" in data:
        webhook.events = _check_events(WebhookType(webhook.type), data["events"])
    for field in ("target_url", "description", "content_type", "secret", "is_active", "enable_ssl"):
        if field in data:
            setattr(webhook, field, data[field])
    webhook.updated_date = timezone.now()
    webhook.save()
    return webhook


def _queue(deliveries: list[WebhookDelivery]) -> None:
    for delivery in deliveries:
        queue_attempt(delivery.pk, delivery.webhook.project_id)


def queue_attempt(delivery_id: int, project_id: int | None, attempt: int = 1, delay: float = 0.0) -> None:
    """Queue attempt ``attempt`` of a delivery, due in ``delay`` seconds (owner None: it is not
    in users' ``/api/requests``)."""
    not_before = timezone.now() + timedelta(seconds=delay) if delay > 0 else None
    queue.enqueue(None, DELIVER, "webhook", params={"delivery_id": delivery_id, "attempt": attempt},
                  project_id=project_id, not_before=not_before)


def _create_deliveries(rows: list[WebhookDelivery]) -> None:
    with transaction.atomic():
        for row in rows:
            row.save()
        _queue(rows)


def webhooks_for(project_id: int | None, event: str, organization_id: int | None = None) -> list[Webhook]:
    """The active webhooks that hear ``event`` happening in project ``project_id`` (and in
    organization ``organization_id``)."""
    where = Q(type=WebhookType.PROJECT, project_id=project_id) if project_id is not None else Q()
    if organization_id is not None:
        organization = Q(type=WebhookType.ORGANIZATION, organization_id=organization_id)
        where = where | organization if project_id is not None else organization
    elif project_id is None:
        return []
    candidates = Webhook.objects.filter(where, is_active=True)
    return [webhook for webhook in candidates if event in webhook.events]


def record_event(event: str, project_id: int | None, resource: str, data: dict[str, Any], user: Any, *,
                 before: dict[str, Any] | None = None, organization_id: int | None = None) -> int:
    """Record ``event`` for every webhook listening in project ``project_id`` (or organization
    ``organization_id``); their deliveries are stored and queued when the current transaction
    commits. Returns how many webhooks hear it.

    ``data`` is the resource's snapshot (``resource`` its payload key); ``before`` the old values
    of the fields that changed (updates only).
    """
    webhooks = webhooks_for(project_id, event, organization_id)
    if not webhooks:
        return 0
    rows = []
    for webhook in webhooks:
        payload: dict[str, Any] = {"event": event, resource: data, "webhook_id": webhook.pk, "sender": sender(user)}
        if before is not None:
            payload["before_update"] = before
        rows.append(WebhookDelivery(webhook=webhook, event=event, request=payload,
                                    changed_fields=",".join(sorted(before or {}))[:4096]))
    # robust: the change is committed already; a webhook deleted meanwhile must not fail its request
    transaction.on_commit(lambda: _create_deliveries(rows), robust=True)
    return len(rows)


def ping(user: Any, webhook: Webhook, webhook_data: dict[str, Any]) -> WebhookDelivery:
    """Queue a ``ping`` to the webhook's target (also for an inactive webhook); returns its delivery."""
    perms.check_manage_webhook(user, webhook)
    payload = {"event": PING, "webhook": webhook_data, "sender": sender(user)}
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(webhook=webhook, event=PING, request=payload)
        _queue([delivery])
    return delivery


def redeliver(user: Any, webhook: Webhook, delivery_id: int) -> WebhookDelivery:
    """Send the payload of one of the webhook's deliveries again, as a new delivery."""
    perms.check_manage_webhook(user, webhook)
    original = webhook.deliveries.filter(pk=delivery_id).first()
    if original is None:
        raise NotFound(f"Webhook {webhook.pk} has no delivery {delivery_id}.")
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(webhook=webhook, event=original.event, request=original.request,
                                                  changed_fields=original.changed_fields, redelivery=True)
        _queue([delivery])
    return delivery
