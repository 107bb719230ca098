"""The background entry point of consensus merges."""

from __future__ import annotations

from inklab.server.consensus.services import MERGE_CONSENSUS, merge
from inklab.server.requests.models import BackgroundRequest
from inklab.server.requests.progress import Progress
from inklab.server.requests.registry import handler


@handler(MERGE_CONSENSUS, retry_lost=True)
def merge_consensus(request: BackgroundRequest, progress: Progress) -> None:
    """Merge the replicas of the request's task (or job): the job's annotations are replaced,
    so running it again gives the same result."""
    merge(request, progress)
