"""JSON helpers for formats: reading with located errors, writing large arrays as a stream.

:func:`load_json` turns a syntax error into :class:`~inklab.formats.errors.MalformedFile`
with the line and column. :class:`Fields` reads required and optional fields of a JSON
object, naming the path of a missing or wrong one (``annotations[12].bbox``).
:class:`ArraySpool` writes the items of one JSON array to a temporary file, so an exporter
can produce ``"images": [...]`` and ``"annotations": [...]`` in one pass over the frames
and join them at the end.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

import orjson

from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree

__all__ = ["ArraySpool", "Fields", "collection_paused", "load_json", "load_json_bytes", "value_text"]


def load_json(source: InputTree, name: str) -> Any:
    """Parse one JSON file of ``source``; syntax errors name the file, line and column."""
    return load_json_bytes(source.read_bytes(name) if hasattr(source, "read_bytes") else source.open(name).read(),
                           name)


def load_json_bytes(data: bytes, name: str) -> Any:
    """Parse the content of the JSON file ``name``, as :func:`load_json`."""
    try:
        with collection_paused():
            return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise MalformedFile(name, f"line {exc.lineno}, column {exc.colno}", f"invalid JSON ({exc.msg})") from exc


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a block builds many objects at once.

    A large document is a million new containers, none of them in a cycle: the collector
    would walk all of them (and everything older) several times over while they are made –
    two thirds of a COCO file's parse time – and find nothing to free. Reference counting
    still frees everything as usual; the collector runs again after the block.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def value_text(value: Any) -> str:
    """An attribute value from JSON as the API's string form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Fields:
    """Typed access to a JSON object at ``path`` inside ``file``, with located errors."""

    __slots__ = ("file", "obj", "path")

    def __init__(self, obj: Any, file: str, path: str) -> None:
        if not isinstance(obj, Mapping):
            raise MalformedFile(file, path, f"expected an object, got {type(obj).__name__}")
        self.obj = obj
        self.file = file
        self.path = path

    def error(self, key: str, problem: str) -> MalformedFile:
        return MalformedFile(self.file, f"{self.path}.{key}" if self.path else key, problem)

    def get(self, key: str, default: Any = None) -> Any:
        return self.obj.get(key, default)

    def require(self, key: str) -> Any:
        if key not in self.obj:
            raise self.error(key, "this field is required")
        return self.obj[key]

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.obj.get(key, default) if default is not None else self.require(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
            raise self.error(key, f"expected an integer, got {value!r}")
        return int(value)

    def number(self, key: str, default: float | None = None) -> float:
        value = self.obj.get(key, default) if default is not None else self.require(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(key, f"expected a number, got {value!r}")
        return float(value)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.obj.get(key, default) if default is not None else self.require(key)
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, got {value!r}")
        return value

    def numbers(self, key: str, count: int | None = None, *, default: list[float] | None = None) -> list[float]:
        value = self.obj.get(key, default) if default is not None else self.require(key)
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value):
            raise self.error(key, "expected a list of numbers")
        if count is not None and len(value) != count:
            raise self.error(key, f"expected {count} numbers, got {len(value)}")
        return [float(v) for v in value]

    def array(self, key: str, default: list[Any] | None = None) -> list[Any]:
        value = self.obj.get(key, default) if default is not None else self.require(key)
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {type(value).__name__}")
        return value

    def child(self, key: str, default: Mapping[str, Any] | None = None) -> Fields:
        value = self.obj.get(key, default) if default is not None else self.require(key)
        return Fields(value, self.file, f"{self.path}.{key}" if self.path else key)


class ArraySpool:
    """Items of a JSON array collected in a temporary file (serialized with orjson)."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()
        self.count = 0

    def append(self, item: Any) -> None:
        if self.count:
            self._file.write(b",")
        self._file.write(orjson.dumps(item))
        self.count += 1

    def write_to(self, target: IO[bytes]) -> None:
        """Write ``[item, item, ...]`` to ``target`` and release the spool."""
        target.write(b"[")
        self._file.seek(0)
        shutil.copyfileobj(self._file, target, 1 << 20)
        target.write(b"]")
        self.close()

    def close(self) -> None:
        self._file.close()
