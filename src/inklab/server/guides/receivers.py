"""An asset's file goes with its row (also when a guide, task or project deletion cascades)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from inklab.server.guides.models import GuideAsset
from inklab.server.media import blobstore


@receiver(post_delete, sender=GuideAsset, dispatch_uid="guides-asset-file")
def remove_asset_file(sender: Any, instance: GuideAsset, **kwargs: Any) -> None:
    path = instance.path

    def remove() -> None:
        path.unlink(missing_ok=True)
        blobstore.forget_quietly(path)

    transaction.on_commit(remove)
