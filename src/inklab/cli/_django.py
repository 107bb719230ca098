"""Starting Django from the command line with the right data directory."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

__all__ = ["add_data_dir_option", "check_media_store", "migrate", "setup"]


def add_data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data directory (default: $INKLAB_DATA_DIR or a per-user data folder)")


def setup(data_dir: Path | None) -> None:
    """Point the server at ``data_dir`` (if given) and initialise Django."""
    if data_dir is not None:
        os.environ["INKLAB_DATA_DIR"] = str(data_dir.expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inklab.server.settings")
    try:
        import django
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SystemExit("The server needs its extra dependencies: pip install 'inklab[server]'") from exc
    django.setup()


def check_media_store() -> None:
    """Stop with a clear message when the shared media store (``INKLAB_MEDIA_URL``) cannot be used."""
    from inklab.server.media import blobstore

    try:
        blobstore.check()
    except blobstore.MediaStoreError as exc:
        raise SystemExit(f"error: the media storage set by INKLAB_MEDIA_URL cannot be used: {exc.reason}") from None


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
