"""Where the server's own files are kept for good: the local disk, or a bucket shared by machines.

``INKLAB_MEDIA_URL`` picks a backend from :data:`BACKENDS` by its scheme:

``local`` (the default, no URL)  the data directory is the only copy; every function here is a no-op
``s3://bucket/prefix``           an S3-compatible bucket (``INKLAB_MEDIA_S3_ENDPOINT_URL`` for one that
                                 is not AWS; credentials and region from the usual AWS environment
                                 variables and files)

With a bucket, several ``inklab serve`` and ``inklab worker`` processes on different machines,
each with its own data directory, share one database and one bucket. The bucket is the source of
truth; each machine's ``MEDIA_ROOT`` and export directory are a cache of it. A file's key is its
path relative to the data directory (``media/tasks/3/frames/0.jpg``, ``exports/<request>.zip``)
under the prefix. Writers :func:`publish` a file once it is complete; readers call :func:`local`
(or :func:`.storage.derived_file` for a file made from others), which downloads a missing file
into place (a temporary file renamed, so that readers never see half a file) before they open
it as they always did: frames are still sent from local files (``sendfile``), never held in
memory whole. Deleting a task removes its keys; housekeeping sweeps remove the keys of tasks
and export results that no longer exist (:mod:`.jobs`, :mod:`inklab.server.datasets.jobs`).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from django.conf import settings

from inklab.server.errors import Unavailable

__all__ = ["BACKENDS", "Backend", "MediaStoreError", "backend", "check", "forget", "forget_quietly", "forget_tree",
           "holds", "is_shared", "key_of", "local", "local_tree", "publish", "publish_tree", "register", "stored_names"]

logger = logging.getLogger(__name__)

#: parallel transfers of one tree (a task's frames)
_TRANSFER_THREADS = 8

MEDIA_STORE_UNAVAILABLE = ("The shared media storage cannot be used now (its bucket is missing, unreachable or "
                           "refuses this server's credentials); ask the administrator to check the server's "
                           "media storage settings.")


class MediaStoreError(Unavailable):
    """The bucket cannot be used: an API answer 503 with a message that names no path or exception."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(MEDIA_STORE_UNAVAILABLE, retry_after=30)
        #: what went wrong, for the log and the command line (bucket name and error code only)
        self.reason = reason


class Backend(Protocol):
    """Where files are kept for good, by key."""

    shared: bool

    def check(self) -> None:
        """Raise :class:`MediaStoreError` unless the store can be read and written."""

    def put(self, key: str, path: Path) -> None: ...

    def get(self, key: str, path: Path) -> bool:
        """Write the object ``key`` to ``path``; False (and ``path`` untouched) if there is none."""

    def keys(self, prefix: str) -> list[str]: ...

    def children(self, prefix: str) -> list[str]:
        """The names directly under ``prefix`` (a folder's files and subfolders, once each)."""

    def delete(self, keys: list[str]) -> None: ...


BACKENDS: dict[str, Callable[[str, str | None], Backend]] = {}


def register(scheme: str) -> Callable[[Any], Any]:
    def add(factory: Any) -> Any:
        BACKENDS[scheme] = factory
        return factory

    return add


@register("local")
class LocalBackend:
    """Today's behaviour: the data directory holds the only copy."""

    shared = False

    def __init__(self, url: str = "", endpoint: str | None = None) -> None:
        pass

    def check(self) -> None:
        pass

    def put(self, key: str, path: Path) -> None:
        pass

    def get(self, key: str, path: Path) -> bool:
        return False

    def keys(self, prefix: str) -> list[str]:
        return []

    def children(self, prefix: str) -> list[str]:
        return []

    def delete(self, keys: list[str]) -> None:
        pass


@register("s3")
class S3Backend:
    """An S3-compatible bucket (boto3, imported only when one is configured)."""

    shared = True

    def __init__(self, url: str, endpoint: str | None = None) -> None:
        import boto3
        import botocore.exceptions
        from botocore.config import Config

        parsed = urlparse(url)
        if not parsed.netloc:
            raise MediaStoreError("INKLAB_MEDIA_URL names no bucket (expected s3://bucket/prefix)")
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        try:
            self.client = boto3.session.Session().client(
                "s3", endpoint_url=endpoint or None,
                config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"}))
        except (botocore.exceptions.BotoCoreError, ValueError) as exc:
            raise MediaStoreError(f"no S3 client for bucket '{self.bucket}' ({type(exc).__name__}: check "
                                  "INKLAB_MEDIA_S3_ENDPOINT_URL and the AWS region)") from exc

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _failure(self, action: str, exc: Exception) -> MediaStoreError:
        import botocore.exceptions

        code = ""
        if isinstance(exc, botocore.exceptions.ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
        reason = f"{action} on bucket '{self.bucket}' failed: {code or type(exc).__name__}"
        logger.error("Media storage: %s", reason)
        return MediaStoreError(reason)

    def _errors(self) -> tuple[type[Exception], ...]:
        import boto3.exceptions
        import botocore.exceptions

        return (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError,
                boto3.exceptions.S3UploadFailedError)

    def check(self) -> None:
        try:
            self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._key(""), MaxKeys=1)
        except self._errors() as exc:
            raise self._failure("listing", exc) from exc

    def put(self, key: str, path: Path) -> None:
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key))
        except self._errors() as exc:
            raise self._failure("upload", exc) from exc

    def get(self, key: str, path: Path) -> bool:
        import botocore.exceptions

        try:
            # GET (not HEAD first) tells a missing key from a missing bucket; the body is copied
            # to disk in blocks: a large export never sits in memory whole
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            with answer["Body"] as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        except botocore.exceptions.ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) == "NoSuchKey":
                return False
            raise self._failure("download", exc) from exc
        except self._errors() as exc:
            raise self._failure("download", exc) from exc
        return True

    def keys(self, prefix: str) -> list[str]:
        full = self._key(prefix)
        strip = len(self._key(""))
        found: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
                found.extend(item["Key"][strip:] for item in page.get("Contents", ()))
        except self._errors() as exc:
            raise self._failure("listing", exc) from exc
        return found

    def children(self, prefix: str) -> list[str]:
        full = self._key(prefix)
        found: list[str] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full,
                                                                          Delimiter="/")
            for page in pages:
                found.extend(item["Prefix"][len(full):].rstrip("/") for item in page.get("CommonPrefixes", ()))
                found.extend(item["Key"][len(full):] for item in page.get("Contents", ()))
        except self._errors() as exc:
            raise self._failure("listing", exc) from exc
        return found

    def delete(self, keys: list[str]) -> None:
        try:
            for start in range(0, len(keys), 1000):
                batch = [{"Key": self._key(key)} for key in keys[start:start + 1000]]
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        except self._errors() as exc:
            raise self._failure("deletion", exc) from exc


@functools.cache
def _backend(url: str, endpoint: str | None, pid: int) -> Backend:
    """One backend per process (``pid``): a client made before ``inklab serve`` forks its web
    workers must not share its connections with them."""
    scheme = urlparse(url).scheme if url else "local"
    if scheme not in BACKENDS:
        raise MediaStoreError(f"INKLAB_MEDIA_URL has the unknown scheme '{scheme}' (use {', '.join(BACKENDS)})")
    return BACKENDS[scheme](url, endpoint)


def backend() -> Backend:
    """The configured backend (settings ``MEDIA_STORE_URL``, ``MEDIA_STORE_ENDPOINT_URL``)."""
    return _backend(getattr(settings, "MEDIA_STORE_URL", "") or "",
                    getattr(settings, "MEDIA_STORE_ENDPOINT_URL", None) or None, os.getpid())


def is_shared() -> bool:
    return backend().shared


def check() -> None:
    """Raise :class:`MediaStoreError` unless the configured store can be used (at start-up)."""
    backend().check()


def key_of(path: Path) -> str:
    """The key of a file or folder under ``MEDIA_ROOT`` (``media/...``) or the data directory."""
    path = Path(path)
    media = Path(settings.MEDIA_ROOT)
    if path.is_relative_to(media):
        return "/".join(("media", *path.relative_to(media).parts))
    return "/".join(Path(path).relative_to(settings.DATA_DIR).parts)


def publish(path: Path) -> None:
    """Keep the complete file ``path`` in the store (no-op without a shared store)."""
    store = backend()
    if store.shared:
        store.put(key_of(path), path)


def _parallel(action: Callable[[Any], Any], items: Iterable[Any]) -> None:
    with ThreadPoolExecutor(max_workers=_TRANSFER_THREADS) as pool:
        for _ in pool.map(action, items):
            pass


def publish_tree(directory: Path, *, as_directory: Path | None = None) -> None:
    """:func:`publish` every file under ``directory`` (under the keys of ``as_directory``'s files,
    when it is staged somewhere else)."""
    store = backend()
    if store.shared and directory.is_dir():
        base = key_of(as_directory or directory)
        files = [p for p in directory.rglob("*") if p.is_file()]
        _parallel(lambda p: store.put("/".join((base, *p.relative_to(directory).parts)), p), files)


def holds(directory: Path) -> bool:
    """Whether the store has any file under ``directory``."""
    store = backend()
    return store.shared and bool(store.keys(key_of(directory) + "/"))


def _fetch(store: Backend, key: str, path: Path) -> bool:
    """Download ``key`` into the server's temporary directory and rename it into place.

    Not next to ``path``: the export sweep removes the temporaries it finds there whenever their
    request is not running, which a finished export's is not; a download that a crash cut short is
    removed from the temporary directory by the housekeeping.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp_dir = Path(getattr(settings, "TEMP_DIR", Path(settings.DATA_DIR) / "tmp"))
    temp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=temp_dir, prefix="download-", suffix=".tmp")
    os.close(fd)
    try:
        if not store.get(key, Path(tmp)):
            return False
        os.replace(tmp, path)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def local(path: Path) -> Path:
    """``path``, downloaded from the store first if it is missing here (if the store has it).

    A file missing from both stays missing: callers fail as they did without a store.
    """
    store = backend()
    if store.shared and not os.path.exists(path):
        _fetch(store, key_of(path), path)
    return path


def local_tree(directory: Path) -> Path:
    """``directory`` with every file the store holds under it downloaded (those missing here)."""
    store = backend()
    if store.shared:
        prefix = key_of(directory) + "/"
        missing = [key for key in store.keys(prefix) if not (directory / key[len(prefix):]).exists()]
        _parallel(lambda key: _fetch(store, key, directory / key[len(prefix):]), missing)
    return directory


def forget(path: Path) -> None:
    """Remove ``path``'s object from the store (the local file is the caller's)."""
    store = backend()
    if store.shared:
        store.delete([key_of(path)])


def stored_names(directory: Path) -> list[str]:
    """The names of the files and folders the store holds directly under ``directory``."""
    store = backend()
    return store.children(key_of(directory) + "/") if store.shared else []


def forget_quietly(path: Path) -> None:
    """:func:`forget`, logging instead of raising when the store cannot be used (after a commit)."""
    try:
        forget(path)
    except MediaStoreError:
        logger.warning("A deleted file stays in the media store")


def forget_tree(directory: Path) -> None:
    """Remove every object under ``directory`` from the store."""
    store = backend()
    if store.shared:
        store.delete(store.keys(key_of(directory) + "/"))
