"""Where the server keeps its data, read from the environment.

The ``inklab`` command turns its ``--data-dir`` option into ``INKLAB_DATA_DIR`` before
Django starts, so every process of one deployment (web workers, background workers,
management commands) agrees on the same location.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import platformdirs

__all__ = ["data_dir", "database_url", "secret_key"]


def data_dir() -> Path:
    """Return the data directory (created if missing): ``INKLAB_DATA_DIR`` or a per-user folder."""
    configured = os.environ.get("INKLAB_DATA_DIR")
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("inklab", appauthor=False))
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str | None:
    """Return ``INKLAB_DATABASE_URL`` (e.g. ``postgresql://user@host/db``) or None for SQLite."""
    return os.environ.get("INKLAB_DATABASE_URL") or None


def secret_key(directory: Path) -> str:
    """Return ``INKLAB_SECRET_KEY`` or a random key persisted in the data directory.

    The key is created once with owner-only permissions so that sessions survive restarts
    and all worker processes of a deployment sign cookies the same way.
    """
    configured = os.environ.get("INKLAB_SECRET_KEY")
    if configured:
        return configured
    key_file = directory / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    # Write a private temporary file and hard-link it into place: link() fails if another
    # process won the race, and then its (complete) key is the one to use.
    tmp = directory / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(50))
    try:
        os.link(tmp, key_file)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return key_file.read_text().strip()
