"""Sending a delivery: sign, check the target again, POST, record; say when to retry.

Runs in a background worker (:mod:`.jobs`), one attempt per background request: a retry is a
new request scheduled for later (``not_before``), so a failing target never holds a worker
between attempts. Every attempt resolves the target anew and refuses a forbidden address
(:mod:`.addresses`) without retrying; a timeout, a network error, a 5xx, 408 or 429 is tried
again after ``WEBHOOKS_BACKOFF`` seconds, doubled each time, up to ``WEBHOOKS_ATTEMPTS``
attempts. The delivery row shows the last attempt's outcome.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone

from inklab.server.webhooks.addresses import TargetRefused, resolve
from inklab.server.webhooks.models import Webhook, WebhookDelivery
from inklab.server.webhooks.payloads import encode
from inklab.server.webhooks.signing import HEADER, signature
from inklab.server.webhooks.transport import Outcome, send

__all__ = ["USER_AGENT", "deliver", "retry_delay"]

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


def retry_delay(attempt: int) -> float:
    """Seconds between attempt ``attempt`` and the next: ``WEBHOOKS_BACKOFF``, doubled each time."""
    return float(settings.WEBHOOKS_BACKOFF) * 2 ** (attempt - 1)


def deliver(delivery_id: int, attempt: int = 1) -> float | None:
    """Make attempt ``attempt`` of delivery ``delivery_id`` and record it; returns the seconds to
    wait before the next attempt, or None when there is none to make (it succeeded, failed for
    good, was the last allowed, or the delivery or its webhook is gone)."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.attempt >= attempt:  # gone, or this attempt was made already
        return None
    webhook = delivery.webhook
    outcome, duration, retryable = _attempt(webhook, encode(delivery.request))
    _record(delivery, outcome, attempt, duration)
    logger.info("Webhook %s delivery %s (%s), attempt %d: %s", webhook.pk, delivery.pk, delivery.event, attempt,
                outcome.status_code if outcome.status_code is not None else outcome.error)
    if outcome.ok or not retryable or attempt >= max(1, int(settings.WEBHOOKS_ATTEMPTS)):
        return None
    return retry_delay(attempt)
