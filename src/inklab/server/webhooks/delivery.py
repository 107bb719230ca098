"""Sending a delivery: sign, check the target again, POST, record, retry with backoff.

Runs in a background worker (:mod:`.jobs`). Every attempt resolves the target anew and refuses
a forbidden address (:mod:`.addresses`) without retrying; a timeout, a network error, a 5xx,
408 or 429 is tried again after ``WEBHOOKS_BACKOFF`` seconds, doubled each time, up to
``WEBHOOKS_ATTEMPTS`` attempts. The delivery row shows the last attempt's outcome.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from inklab.server.webhooks.addresses import TargetRefused, resolve
from inklab.server.webhooks.models import Webhook, WebhookDelivery
from inklab.server.webhooks.payloads import encode
from inklab.server.webhooks.signing import HEADER, signature
from inklab.server.webhooks.transport import Outcome, send

__all__ = ["USER_AGENT", "deliver"]

logger = logging.getLogger(__name__)

USER_AGENT = "inklab-webhooks"
_RETRIED_4XX = frozenset({408, 429})


def _retryable(outcome: Outcome) -> bool:
    if outcome.status_code is None:
        return True
    return outcome.status_code >= 500 or outcome.status_code in _RETRIED_4XX


def _headers(webhook: Webhook, body: bytes) -> dict[str, str]:
    headers = {"Content-Type": webhook.content_type, "User-Agent": USER_AGENT}
    if webhook.secret:
        headers[HEADER] = signature(webhook.secret, body)
    return headers


def _record(delivery: WebhookDelivery, outcome: Outcome, attempt: int, duration_ms: int | None) -> None:
    response = {"body": outcome.body} if outcome.status_code is not None else {"error": outcome.error}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status_code=outcome.status_code, response=response, attempt=attempt, request_duration=duration_ms,
        updated_date=timezone.now())


def _attempt(webhook: Webhook, body: bytes) -> tuple[Outcome, int | None, bool]:
    """One attempt: (outcome, duration in ms, whether it may be retried)."""
    try:
        target = resolve(webhook.target_url)
    except TargetRefused as exc:
        return Outcome(None, error=str(exc.detail)), None, False
    started = time.monotonic()
    outcome = send(target, body, _headers(webhook, body), timeout=float(settings.WEBHOOKS_TIMEOUT),
                   verify_ssl=webhook.enable_ssl)
    return outcome, int((time.monotonic() - started) * 1000), _retryable(outcome)


def deliver(delivery_id: int, report: Callable[[float], None] = lambda fraction: None) -> WebhookDelivery | None:
    """Send delivery ``delivery_id`` (None if it, or its webhook, is gone); ``report(fraction)`` is
    called between attempts (it extends the background request's lease, and may raise to cancel)."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    webhook = delivery.webhook
    body = encode(delivery.request)
    attempts = max(1, int(settings.WEBHOOKS_ATTEMPTS))
    backoff = float(settings.WEBHOOKS_BACKOFF)
    for attempt in range(1, attempts + 1):
        outcome, duration, retryable = _attempt(webhook, body)
        _record(delivery, outcome, attempt, duration)
        logger.info("Webhook %s delivery %s (%s), attempt %d: %s", webhook.pk, delivery.pk, delivery.event, attempt,
                    outcome.status_code if outcome.status_code is not None else outcome.error)
        if outcome.ok or not retryable or attempt == attempts:
            break
        report(attempt / attempts)
        time.sleep(backoff * 2 ** (attempt - 1))
    delivery.refresh_from_db()
    return delivery
