"""What every resource shares: entities (a model bound to a client) and repositories.

An entity is its read model (``Task`` is a ``TaskRead``) with methods that talk to the
server. A repository creates, retrieves, lists and deletes entities of one kind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Self, TypeVar, overload

import orjson

from inklab.sdk.client._errors import NotFoundError
from inklab.sdk.client._filters import build_filter
from inklab.sdk.models import Model

if TYPE_CHECKING:
    from inklab.sdk.client._client import Client

__all__ = ["Entity", "Repo"]

logger = logging.getLogger(__name__)

E = TypeVar("E", bound="Entity")


def as_payload(value: Any) -> Any:
    """A model or a plain dict, ready to be sent."""
    return value.to_dict() if isinstance(value, Model) else value


class Entity(Model):
    """A server object: its fields (read-only snapshot) plus methods; see :meth:`fetch`."""

    #: The collection path, e.g. ``/api/tasks``.
    _collection: ClassVar[str] = ""
    _client: Client

    @classmethod
    def _wrap(cls, client: Client, data: Mapping[str, Any]) -> Self:
        entity = cls(**data)
        entity.__dict__["_client"] = client
        return entity

    @property
    def _path(self) -> str:
        return f"{self._collection}/{self.__dict__['id']}"

    def _replace(self, data: Mapping[str, Any]) -> None:
        client = self._client
        fresh = type(self)(**data)
        self.__dict__.clear()
        self.__dict__.update(fresh.__dict__)
        self.__dict__["_client"] = client

    def _org_params(self) -> dict[str, Any]:
        """Query parameters that put a sub-collection request in this object's organization."""
        organization = self.__dict__.get("organization")
        return {"org": ""} if organization is None else {"org_id": organization}

    def _sub_collection(self, path: str, params: Mapping[str, Any]) -> list[Any]:
        headers = {}
        client = self._client
        if client.organization_slug is not None:
            # The organization comes from the parent object, not from the client's context.
            headers = {"X-Organization": ""}
        return client.paginate(path, {**params, **self._org_params()}, headers=headers)

    def fetch(self) -> Self:
        """Refresh the fields from the server."""
        self._replace(self._client.get_json(self._path))
        return self

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_client"}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.__dict__.get('id')}>"


class UpdatableEntity(Entity):
    def update(self, values: Mapping[str, Any] | Model) -> Self:
        """Change fields on the server (``PATCH``); the object is refreshed from the answer."""
        answer = self._client.send_json("PATCH", self._path, as_payload(values))
        if isinstance(answer, dict) and "id" in answer:
            self._replace(answer)
        else:
            self.fetch()
        return self


class DeletableEntity(Entity):
    def remove(self) -> None:
        """Delete the object on the server."""
        self._client.request("DELETE", self._path)

    @contextmanager
    def _removed_on_failure(self) -> Iterator[Self]:
        """Delete this (half-made) object when the block raises, then let the error through."""
        try:
            yield self
        except BaseException:
            try:
                self.remove()
            except Exception:  # the original error matters more
                self._client.logger.warning("Could not delete the unfinished %s #%s", type(self).__name__.lower(),
                                            self.__dict__["id"])
            raise


class Repo(Generic[E]):
    """The entities of one kind on the server."""

    _entity: ClassVar[type[Entity]]

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def _collection(self) -> str:
        return self._entity._collection

    def _wrap(self, data: Mapping[str, Any]) -> E:
        return self._entity._wrap(self._client, data)  # type: ignore[return-value]

    def retrieve(self, obj_id: int) -> E:
        """The object with id ``obj_id``; raises :class:`NotFoundError` when there is none."""
        return self._wrap(self._client.get_json(f"{self._collection}/{int(obj_id)}"))

    @overload
    def list(self, *, return_json: Literal[False] = False, **kwargs: Any) -> list[E]: ...

    @overload
    def list(self, *, return_json: Literal[True], **kwargs: Any) -> str: ...

    def list(self, *, return_json: bool = False, **kwargs: Any) -> list[E] | str:
        """All objects (every page). Keyword arguments are query parameters (``project_id=3``,
        ``search="cars"``, ``sort="-id"``, ``page_size=100``) or filter lookups
        (``name__contains="car"``, ``id__in=[1, 2]``). ``return_json`` gives the raw JSON text.
        """
        build_filter(kwargs)
        results = self._client.paginate(self._collection, kwargs)
        if return_json:
            return orjson.dumps(results).decode()
        return [self._wrap(item) for item in results]


class CreatableRepo(Repo[E]):
    def create(self, spec: Mapping[str, Any] | Model) -> E:
        """Create an object from a write request (or the equivalent dict) and return it."""
        return self._wrap(self._client.send_json("POST", self._collection, as_payload(spec)))


class DeletableRepo(Repo[E]):
    def remove_by_ids(self, ids: Sequence[int], /) -> list[int]:
        """Delete the objects with these ids; return the ids that did not exist.

        Other errors (no permission, …) are raised after the objects before them are deleted.
        """
        name = self._entity.__name__
        missing: list[int] = []
        for obj_id in ids:
            try:
                self._client.request("DELETE", f"{self._collection}/{int(obj_id)}")
            except NotFoundError:
                self._client.logger.info("%s #%s not found", name, obj_id)
                missing.append(obj_id)
            else:
                self._client.logger.info("%s #%s deleted", name, obj_id)
        return missing
