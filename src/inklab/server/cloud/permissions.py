"""Who may see, use and change cloud storages: the cloud-storage rules of
:mod:`inklab.server.iam.rules`.

* a personal storage is seen, used and changed by its owner (and admins);
* an organization's storage is seen and used (browsed, read for task data, written by exports)
  by its supervisors and up, changed and deleted by its owner and the organization's maintainers;
  only maintainers and the owner create one in the organization's context;
* an invisible storage is answered 404, as every other object.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.cloud.models import CloudStorage
from inklab.server.errors import Forbidden, NotFound
from inklab.server.iam.permissions import is_admin, member_q, object_relations, role_q
from inklab.server.iam.rules import Action, Resource, Who, allowed
from inklab.vocabulary import OrganizationRole

__all__ = ["check_change", "visible_storage", "visible_storages"]


def visible_storages(user: Any) -> QuerySet[CloudStorage]:
    if is_admin(user):
        return CloudStorage.objects.all()
    return CloudStorage.objects.filter((Q(owner=user) | role_q(user, OrganizationRole.SUPERVISOR)) & member_q(user))


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


def check_change(user: Any, storage: CloudStorage) -> None:
    """Raise ``Forbidden`` unless ``user`` may change or delete ``storage``."""
    if not allowed(Resource.CLOUD_STORAGE, Action.CHANGE,
                   object_relations(user, storage.organization_id, {Who.OWNER: storage.owner_id == user.pk})):
        raise Forbidden("Only the storage's owner, the maintainers of its organization and administrators may "
                        "change or delete it.")
