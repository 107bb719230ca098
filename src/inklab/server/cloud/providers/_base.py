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

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

__all__ = ["AccessDenied", "CloudError", "CloudObject", "CredentialFields", "Endpoint", "Listing", "NoSuchObject",
           "NoSuchResource", "Provider", "ProviderConfig", "ProviderSpec", "RangeReader", "Unreachable",
           "no_endpoints"]


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
class CredentialFields:
    """The secret request fields of one credentials type: those it needs and those it may take."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class Endpoint:
    """A URL that a storage's secrets make the server contact (besides ``endpoint_url``): the
    server checks it as it checks ``endpoint_url``. ``field`` is the request field it comes from,
    ``label`` names it in a message."""

    field: str
    label: str
    url: str


def no_endpoints(config: ProviderConfig) -> list[Endpoint]:
    return []


@dataclass(frozen=True)
class ProviderSpec:
    """What a provider accepts: its credentials types (with their fields), the names of its
    ``specific_attributes``, and the function that finds the :class:`Endpoint` of a configuration."""

    credentials: Mapping[str, CredentialFields]
    attributes: frozenset[str]
    endpoints: Callable[[ProviderConfig], list[Endpoint]] = no_endpoints


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


class RangeReader(io.RawIOBase):
    """An object of ``size`` bytes as a stream, read a range at a time with ``read(start, end)``
    (``end`` inclusive): storage errors while reading stay :class:`CloudError`. Wrap it in an
    :class:`io.BufferedReader` of ``chunk`` bytes: each of its reads is one request."""

    def __init__(self, read: Callable[[int, int], bytes], size: int, chunk: int) -> None:
        super().__init__()
        self._read = read
        self._size = size
        self._chunk = chunk
        self._position = 0

    def readall(self) -> bytes:
        parts = []
        while block := self.read(self._chunk):
            parts.append(block)
        return b"".join(parts)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self._size - self._position)
        if count <= 0:
            return 0
        data = self._read(self._position, self._position + count - 1)
        if not data:
            raise CloudError("the object ended before its size")
        buffer[:len(data)] = data
        self._position += len(data)
        return len(data)
