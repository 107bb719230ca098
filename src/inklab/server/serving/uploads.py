"""A cap on the concurrent uploads of each user, across all web processes of one server.

An upload is a request whose body is larger than :data:`UPLOAD_BYTES` or of unknown length
(chunked): TUS chunks, multipart task data, annotation and backup files, large annotation
bodies. Before its body is read, the front (:mod:`.front`) asks who sends it
(:func:`uploader`) and takes one of that sender's ``INKLAB_UPLOADS_PER_USER`` slots
(:class:`UploadSlots`); a sender holding all of them is answered 429 at once.

A slot is an exclusive ``flock`` on a small file under ``<data dir>/run/uploads``: every
process of the server sees the same slots, and a process that dies releases its slots with
its file descriptors.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

__all__ = ["UPLOAD_BYTES", "Slot", "UploadSlots", "is_upload", "uploader"]

logger = logging.getLogger(__name__)

#: Bodies above this size count as uploads (a small annotation PATCH does not).
UPLOAD_BYTES = 1024 * 1024


def is_upload(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request with these (lower-case) headers brings a large or open-ended body."""
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value) > UPLOAD_BYTES
            except ValueError:
                return True
        if name == b"transfer-encoding":
            return True
    return False


def uploader(environ: dict[str, Any]) -> str:
    """Whom an upload counts against (``environ``: the request's, with an empty body): ``user:<id>`` when the request carries a valid token or
    session (the schemes of ``DEFAULT_AUTHENTICATION_CLASSES``), else ``address:<client>``.

    HTTP Basic credentials are not checked here (hashing a password is slow and Django does it
    again); such uploads count against the client's address, like anonymous ones.
    """
    close_old_connections()
    request = WSGIRequest(environ)
    try:
        for scheme in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
            auth = scheme()
            if isinstance(auth, authentication.BasicAuthentication):
                continue
            if isinstance(auth, authentication.SessionAuthentication):
                user = _session_user(request)
            else:
                try:
                    found = auth.authenticate(Request(request))
                except exceptions.APIException:
                    found = None
                user = found[0] if found else None
            if user is not None and user.is_authenticated:
                return f"user:{user.pk}"
    except Exception:  # noqa: BLE001 - the database may be busy or down; the address still counts
        logger.warning("Could not tell who sends an upload; counting it against the address", exc_info=True)
    return f"address:{environ.get('REMOTE_ADDR', '')}"


def _session_user(request: WSGIRequest) -> Any:
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return get_user(request)


class Slot:
    """One held upload slot; :meth:`release` gives it back."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


class UploadSlots:
    def __init__(self, directory: Path, per_user: int) -> None:
        self.directory = directory
        self.per_user = per_user
        directory.mkdir(parents=True, exist_ok=True)

    def take(self, who: str) -> Slot | None:
        """A free slot of ``who``, or None when all of them are held (by any process)."""
        stem = hashlib.sha256(who.encode()).hexdigest()[:24]
        for index in range(self.per_user):
            fd = os.open(self.directory / f"{stem}.{index}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return Slot(fd)
        return None
