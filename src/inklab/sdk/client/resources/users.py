"""Users: ``client.users``."""

from __future__ import annotations

from inklab.sdk.client.resources._base import DeletableEntity, Repo, UpdatableEntity
from inklab.sdk.models import User as UserModel

__all__ = ["User", "UsersRepo"]


class User(UserModel, UpdatableEntity, DeletableEntity):
    _collection = "/api/users"


class UsersRepo(Repo[User]):
    """``client.users``."""

    _entity = User

    def retrieve_current_user(self) -> User:
        """The user this client is authenticated as."""
        return self._wrap(self._client.get_json("/api/users/self"))
