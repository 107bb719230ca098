"""Who may see and change cloud storages.

* a storage is visible to its owner and to admins, and only they change, delete or use it
  (browse it, create tasks from it, export to it);
* an invisible storage is answered 404, as every other object;
* storages are personal: one cannot be made in an organization's context (see
  :func:`inklab.server.cloud.services.create_storage`), and an owner uses theirs in any context.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from inklab.server.cloud.models import CloudStorage
from inklab.server.errors import NotFound
from inklab.server.iam.permissions import is_admin

__all__ = ["visible_storage", "visible_storages"]


def visible_storages(user: Any) -> QuerySet[CloudStorage]:
    if is_admin(user):
        return CloudStorage.objects.all()
    return CloudStorage.objects.filter(owner=user)


def visible_storage(user: Any, pk: Any) -> CloudStorage:
    """The storage ``pk`` if ``user`` may use it; :class:`NotFound` naming the id otherwise."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise NotFound(f"Cloud storage '{pk}' does not exist.") from None
    storage = visible_storages(user).filter(pk=number).first()
    if storage is None:
        raise NotFound(f"Cloud storage {number} does not exist or is not visible to you.")
    return storage
