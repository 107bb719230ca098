"""Files written whole or not at all: readers (other processes, a later run) never see half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_output", "atomic_write_bytes"]


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through: a temporary file next to it (``.<name>.….part``)
    that replaces ``path`` when the block ends. When the block raises, the temporary file is
    removed and ``path`` is left as it was. Creates the parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with :func:`atomic_output`."""
    with atomic_output(path) as out:
        out.write(data)
