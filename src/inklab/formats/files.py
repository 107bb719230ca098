"""Where formats read from and write to: trees of named files.

Importers read an :class:`InputTree` – the files of an uploaded zip, a directory, or a
single uploaded file – by relative POSIX names (``"annotations/instances_default.json"``);
they never see real paths, so an archive cannot make them touch files outside it.
Exporters write an :class:`OutputTree` – in the server a zip archive streamed to disk
(:class:`ZipOutput`), in tests possibly a directory (:class:`DirectoryOutput`). Writers
are streams: nothing is held in memory beyond the current file's buffer.
"""

from __future__ import annotations

import fnmatch
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Any, BinaryIO, Protocol, Self, TextIO

from inklab.formats._zipwriter import ZipWriter
from inklab.formats.errors import MalformedFile, UnsupportedData
from inklab.formats.model import DEFAULT_SUBSET, MediaFile

__all__ = [
    "DirectoryInput",
    "DirectoryOutput",
    "InputTree",
    "OutputTree",
    "SingleFileInput",
    "ZipInput",
    "ZipOutput",
    "find_image",
    "image_index",
    "open_input",
]

_STORED_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".mp4",
                                ".avi", ".mkv", ".webm", ".zip"})


def _clean(name: str) -> str:
    """A safe relative POSIX name, or raise for absolute paths and ``..``."""
    if name and name[0] not in "/." and name[-1] != "/" and "\\" not in name and "//" not in name \
            and "/." not in name:
        return name  # already clean (the common case: names exporters make)
    name = name.replace("\\", "/")
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or name.startswith("/") or ".." in parts:
        raise UnsupportedData(f"Refusing the file name '{name}' (absolute or leaving the archive).")
    return "/".join(parts)


class InputTree(Protocol):
    """Read access to a set of named files. ``label`` names the upload in messages."""

    label: str

    def names(self) -> list[str]:
        """All file names (no directories), sorted."""

    def open(self, name: str) -> BinaryIO:
        """A binary stream of one file (the caller closes it); raises MalformedFile if absent."""

    def media(self, name: str) -> MediaFile:
        """A lazily opened :class:`MediaFile` for one file."""

    def exists(self, name: str) -> bool:
        """Whether the tree has a file of that name."""

    def find(self, suffix: str) -> list[str]:
        """Names that are ``suffix`` or end with ``/suffix``."""

    def read_bytes(self, name: str) -> bytes: ...

    def read_text(self, name: str, encoding: str = "utf-8") -> str:
        """A text file's content; undecodable bytes are a MalformedFile."""

    def close(self) -> None: ...


class _InputBase:
    label = ""

    def names(self) -> list[str]:
        raise NotImplementedError

    def open(self, name: str) -> BinaryIO:
        raise NotImplementedError

    def exists(self, name: str) -> bool:
        return name in set(self.names())

    def glob(self, pattern: str) -> list[str]:
        """Names matching a shell pattern (``"annotations/*.json"``); ``*`` does not cross ``/``."""
        depth = pattern.count("/")
        return [n for n in self.names() if n.count("/") == depth and fnmatch.fnmatchcase(n, pattern)]

    def find(self, suffix: str) -> list[str]:
        """Names that are ``suffix`` or end with ``/suffix`` (a file anywhere in the tree)."""
        return [n for n in self.names() if n == suffix or n.endswith("/" + suffix)]

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as fh:
            return fh.read()

    def read_text(self, name: str, encoding: str = "utf-8") -> str:
        data = self.read_bytes(name)
        try:
            return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError as exc:
            raise MalformedFile(name, f"byte {exc.start}", f"not valid {encoding} text") from exc

    def media(self, name: str) -> MediaFile:
        return MediaFile(PurePosixPath(name).name, lambda: self.open(name))

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _missing(self, name: str) -> MalformedFile:
        return MalformedFile(self.label or name, None, f"the file '{name}' is missing")


class ZipInput(_InputBase):
    """The files of a zip archive (directories and unsafe names are skipped)."""

    def __init__(self, path: Path | str, label: str | None = None) -> None:
        self.label = label or Path(path).name
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise MalformedFile(self.label, None, f"not a valid zip archive ({exc})") from exc
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            if info.is_dir():
                continue
            try:
                self._members[_clean(info.filename)] = info
            except UnsupportedData:
                continue
        self._names = sorted(self._members)

    def names(self) -> list[str]:
        return list(self._names)

    def exists(self, name: str) -> bool:
        return name in self._members

    def open(self, name: str) -> BinaryIO:
        info = self._members.get(name)
        if info is None:
            raise self._missing(name)
        return self._zip.open(info)  # type: ignore[return-value]

    def close(self) -> None:
        self._zip.close()


class DirectoryInput(_InputBase):
    """The files below a directory."""

    def __init__(self, root: Path | str, label: str | None = None) -> None:
        self.root = Path(root)
        self.label = label or self.root.name
        self._names = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())

    def names(self) -> list[str]:
        return list(self._names)

    def open(self, name: str) -> BinaryIO:
        path = self.root / _clean(name)
        if not path.is_file():
            raise self._missing(name)
        return path.open("rb")


class SingleFileInput(_InputBase):
    """One uploaded file, seen as a tree holding just that file under ``name``."""

    def __init__(self, path: Path | str, name: str | None = None) -> None:
        self.path = Path(path)
        self.name = name or self.path.name
        self.label = self.name

    def names(self) -> list[str]:
        return [self.name]

    def open(self, name: str) -> BinaryIO:
        if name != self.name:
            raise self._missing(name)
        return self.path.open("rb")


def open_input(path: Path | str, name: str | None = None) -> ZipInput | DirectoryInput | SingleFileInput:
    """An input tree for an upload: a directory, a zip archive, or one plain file.

    ``name`` is the upload's original file name (used in messages and, for a plain file,
    as its name in the tree).
    """
    path = Path(path)
    if path.is_dir():
        return DirectoryInput(path, name)
    if zipfile.is_zipfile(path):
        return ZipInput(path, name)
    return SingleFileInput(path, name)


def image_index(source: InputTree, folder: str = "images/") -> dict[str, str]:
    """Files under ``folder`` by their name relative to it (``"train/a.jpg"`` -> ``"images/train/a.jpg"``)."""
    found: dict[str, str] = {}
    for name in source.names():
        if name.startswith(folder):
            found.setdefault(name[len(folder):], name)
    return found


def find_image(found: Mapping[str, str], source: InputTree, file_name: str, subset: str = "") -> MediaFile | None:
    """A frame's image in an :func:`image_index`: under ``<subset>/`` (Datumaro, COCO) or directly."""
    for key in (f"{subset or DEFAULT_SUBSET}/{file_name}", file_name):
        if key in found:
            return source.media(found[key])
    return None


class OutputTree(Protocol):
    """Write access to a new set of named files."""

    def open(self, name: str) -> IO[bytes]:
        """A binary stream to write one new file (close it before opening the next one)."""

    def text(self, name: str) -> TextIO:
        """A UTF-8 text stream to write one new file."""

    def write_bytes(self, name: str, data: bytes) -> None: ...

    def write_text(self, name: str, text: str) -> None: ...

    def add_media(self, name: str, media: MediaFile) -> None:
        """Copy an image into the tree, streaming."""

    def deferred_text(self, name: str) -> Any:
        """A context manager giving a text stream that becomes file ``name`` when it closes
        (written to a temporary file meanwhile), so other files can be added while it is open."""

    def close(self) -> None: ...


class _OutputBase:
    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def text(self, name: str) -> TextIO:
        return io.TextIOWrapper(self.open(name), encoding="utf-8", newline="\n", write_through=False)

    def write_bytes(self, name: str, data: bytes) -> None:
        with self.open(name) as fh:
            fh.write(data)

    def write_text(self, name: str, text: str) -> None:
        self.write_bytes(name, text.encode())

    def add_media(self, name: str, media: MediaFile) -> None:
        with media.open() as source, self.open(name) as target:
            shutil.copyfileobj(source, target, 1 << 20)

    @contextmanager
    def deferred_text(self, name: str) -> Iterator[TextIO]:
        with tempfile.TemporaryFile() as spool:
            stream = io.TextIOWrapper(spool, encoding="utf-8", newline="\n")
            yield stream
            stream.flush()
            spool.seek(0)
            with self.open(name) as target:
                shutil.copyfileobj(spool, target, 1 << 20)
            stream.detach()

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class ZipOutput(_OutputBase):
    """A zip archive written member by member (images stored, text deflated), see
    :mod:`inklab.formats._zipwriter`."""

    def __init__(self, target: Path | str | IO[bytes]) -> None:
        self._zip = ZipWriter(target)
        self._names: set[str] = set()

    def _claim(self, name: str) -> tuple[str, bool]:
        name = _clean(name)
        if name in self._names:
            raise UnsupportedData(f"The export would write '{name}' twice.")
        self._names.add(name)
        return name, os.path.splitext(name)[1].lower() not in _STORED_EXTENSIONS

    def open(self, name: str) -> IO[bytes]:
        name, compress = self._claim(name)
        return self._zip.open(name, compress=compress)

    def write_bytes(self, name: str, data: bytes) -> None:
        name, compress = self._claim(name)
        self._zip.add(name, data, compress=compress)

    def write_text(self, name: str, text: str) -> None:
        self.write_bytes(name, text.encode())

    def names(self) -> list[str]:
        return sorted(self._names)

    def close(self) -> None:
        self._zip.close()


class DirectoryOutput(_OutputBase):
    """Files written below a directory."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def open(self, name: str) -> IO[bytes]:
        path = self.root / _clean(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("xb")

    def names(self) -> Iterator[str]:
        return iter(sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()))
