"""A cap on the concurrent uploads of each user, across all web processes of one server.

An upload is a request whose body is larger than :data:`UPLOAD_BYTES` or of unknown length
(chunked): TUS chunks, multipart task data, annotation and backup files, large annotation
bodies. Before its body is read, the front (:mod:`.front`) asks who sends it
(:func:`uploader`): nobody may upload without signing in (no endpoint open to anonymous
clients takes a large body), and a user takes one of their ``INKLAB_UPLOADS_PER_USER`` slots
(:class:`UploadSlots`); a user holding all of them is answered 429 at once.

A slot is an exclusive ``flock`` on a small file under ``<data dir>/run/uploads``: every
process of the server sees the same slots, and a process that dies releases its slots with
its file descriptors.
"""

from __future__ import annotations

import fcntl
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


def uploader(environ: dict[str, Any]) -> int | None:
    """The id of the user who sends an upload, by the schemes of ``DEFAULT_AUTHENTICATION_CLASSES``
    (``environ``: the request's, with an empty body), or None when the credentials are missing
    or wrong. The session counts without its CSRF check, which Django makes later.
    """
    close_old_connections()
    request = WSGIRequest(environ)
    for scheme in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        auth = scheme()
        if isinstance(auth, authentication.SessionAuthentication):
            user = _session_user(request)
        else:
            try:
                found = auth.authenticate(Request(request))
            except exceptions.APIException:
                return None
            user = found[0] if found else None
        if user is not None and user.is_authenticated:
            return int(user.pk)
    return None


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

    def take(self, user_id: int) -> Slot | None:
        """A free slot of the user, or None when all of them are held (by any process)."""
        for index in range(self.per_user):
            fd = os.open(self.directory / f"user-{user_id}.{index}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return Slot(fd)
        return None
