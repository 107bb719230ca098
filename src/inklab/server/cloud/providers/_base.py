"""The provider interface: what the server asks of a bucket or container.

Hierarchy of errors (all :class:`CloudError`)::

    CloudError          base: the storage failed in a way the provider could not name
    ├── AccessDenied    the credentials were refused or do not allow this
    ├── NoSuchResource  the bucket or container does not exist
    ├── NoSuchObject    the object does not exist (``key`` names it)
    └── Unreachable     the endpoint did not answer (connection refused, timeout, DNS)

Messages never hold credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

__all__ = ["AccessDenied", "CloudError", "CloudObject", "Listing", "NoSuchObject", "NoSuchResource", "Provider",
           "ProviderConfig", "Unreachable"]


class CloudError(Exception):
    """A storage operation failed; ``str()`` is a readable message without secrets."""


class AccessDenied(CloudError):
    pass


class NoSuchResource(CloudError):
    pass


class NoSuchObject(CloudError):
    def __init__(self, key: str) -> None:
        super().__init__(f"'{key}' does not exist")
        self.key = key


class Unreachable(CloudError):
    pass


@dataclass(frozen=True)
class ProviderConfig:
    """Everything needed to connect: ``credentials`` holds the decrypted secrets (never logged)."""

    resource: str
    credentials_type: str
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    attributes: Mapping[str, str] = field(default_factory=dict)
    #: a web request waits for the answer: short timeouts, no retries (an unreachable endpoint
    #: is reported within seconds); else (background requests) longer ones, with retries
    interactive: bool = False


@dataclass(frozen=True)
class CloudObject:
    """One entry of a listing: an object (``is_dir`` False) or a common prefix ending with ``/``."""

    name: str
    is_dir: bool = False
    size: int | None = None


@dataclass(frozen=True)
class Listing:
    entries: tuple[CloudObject, ...]
    next_token: str | None = None


class Provider(Protocol):
    """A connected bucket or container. Keys are full object names (the storage's ``prefix``
    attribute is applied by the caller, not here)."""

    def check(self) -> None:
        """Raise a :class:`CloudError` unless the resource exists and the credentials may list it."""

    def list(self, prefix: str, next_token: str | None, page_size: int) -> Listing:
        """One page of objects and sub-directories directly under ``prefix``."""

    def head(self, key: str) -> CloudObject:
        """The object's size; :class:`NoSuchObject` when there is none."""

    def read(self, key: str, start: int | None = None, end: int | None = None) -> bytes:
        """The object's bytes, or those from ``start`` to ``end`` inclusive."""

    def open(self, key: str) -> BinaryIO:
        """A stream of the object's bytes (the caller closes it)."""

    def write(self, key: str, stream: BinaryIO) -> None:
        """Store ``stream`` (read to its end) under ``key``, replacing any object there."""
