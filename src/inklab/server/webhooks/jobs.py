"""Background entry point of the webhooks app: one attempt of one delivery per request.

A failed attempt that may be retried queues the next one as a new request due after the
backoff (:func:`.services.queue_attempt`); this request then ends, freeing its worker. The
housekeeping keeps the newest ``WEBHOOK_DELIVERIES_KEPT`` deliveries of each webhook.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count

from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Progress
from inklab.server.requests.registry import handler, sweep
from inklab.server.webhooks.delivery import deliver
from inklab.server.webhooks.models import Webhook, WebhookDelivery
from inklab.server.webhooks.services import DELIVER, queue_attempt


@handler(DELIVER, lease_seconds=600)
def deliver_webhook(request: BackgroundRequest, progress: Progress) -> None:
    delivery_id = int(request.params["delivery_id"])
    attempt = int(request.params.get("attempt", 1))
    delay = deliver(delivery_id, attempt)
    if delay is not None:
        queue_attempt(delivery_id, request.project_id, attempt + 1, delay)


@sweep
def prune_deliveries() -> int:
    """Remove the deliveries of each webhook older than its newest ``WEBHOOK_DELIVERIES_KEPT``;
    returns how many went."""
    kept = max(1, int(settings.WEBHOOK_DELIVERIES_KEPT))
    crowded = (Webhook.objects.annotate(count=Count("deliveries")).filter(count__gt=kept)
               .values_list("pk", flat=True))
    removed = 0
    for webhook_id in crowded:
        ids = WebhookDelivery.objects.filter(webhook_id=webhook_id).order_by("-id").values_list("pk", flat=True)
        oldest_kept = ids[kept - 1]
        removed += WebhookDelivery.objects.filter(webhook_id=webhook_id, pk__lt=oldest_kept).delete()[0]
    return removed
