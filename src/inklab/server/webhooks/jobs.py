"""Background entry point of the webhooks app: one delivery per request."""

from __future__ import annotations

from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Progress
from inklab.server.requests.registry import handler
from inklab.server.webhooks.delivery import deliver
from inklab.server.webhooks.services import DELIVER


@handler(DELIVER, lease_seconds=600)
def deliver_webhook(request: BackgroundRequest, progress: Progress) -> None:
    deliver(int(request.params["delivery_id"]), lambda fraction: progress(fraction, force=True))
