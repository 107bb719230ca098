"""Large JSON files read as a stream, in passes, with located errors.

A JSON document parsed whole costs many times its size in Python objects (a 210 MiB COCO
file with 1,000,000 annotations: 1.7 GB). :func:`read_json` parses a file of up to
:data:`STREAM_THRESHOLD` bytes whole with orjson, which is several times faster, and gives a
:class:`JsonStream` for a larger one: each of its passes (:meth:`JsonStream.items`,
:meth:`JsonStream.events`) reads the file again from the start with ijson's C parser
(yajl), holding one chunk of the file and the value being built.

A syntax error in any pass is a :class:`~inklab.formats.errors.MalformedFile` with the line
and column, as :func:`~inklab.formats.jsonfile.load_json` gives them (yajl does not say
where it stopped: the file is parsed again up to the chunk it failed in, then in small steps,
then byte by byte, to find out).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from typing import IO, Any, TypeVar

import ijson  # type: ignore[import-untyped]

from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree
from inklab.formats.jsonfile import load_json_bytes

__all__ = ["STREAM_THRESHOLD", "JsonStream", "read_json", "type_name"]

#: Files larger than this many bytes are streamed, others parsed whole. Measured on COCO
#: exports (bench/formats_bench.py): parsed whole, a file costs about eight times its size
#: (a server import of 300,000 shapes, 63 MiB, peaks at 630 MiB; of 1,000,000 shapes, 211 MiB,
#: at 1.9 GB); streamed, reading and converting take about 1.7 times the CPU time (15 s
#: against 9 s for 211 MiB) and the import peaks at 110-260 MiB. 64 MiB keeps the whole-file
#: path, and its speed, for everything up to where it would near 1 GB.
STREAM_THRESHOLD = 64 << 20

try:
    _BACKEND = ijson.get_backend("yajl2_c")
except ImportError:  # no compiled extension for this platform: the default is slower, same results
    _BACKEND = ijson

_T = TypeVar("_T")

#: the first line of yajl's message, without its "parse error: " prefix
_YAJL_MESSAGE = re.compile(r"(?:parse|lexical) error: ([^\n\\]*)")


def read_json(source: InputTree, name: str) -> Any:
    """The parsed document of ``name``, or a :class:`JsonStream` over it if it is larger than
    :data:`STREAM_THRESHOLD` bytes. Syntax errors name the file, line and column."""
    with source.open(name) as fh:
        size = _size(fh)
        if size is None:  # a zip member: read it up to the threshold to see
            chunks: list[bytes] = []
            total = 0
            # in pieces: ZipExtFile.read(n) would hold what it read twice while joining it
            while total <= STREAM_THRESHOLD and (chunk := fh.read(min(1 << 20, STREAM_THRESHOLD + 1 - total))):
                chunks.append(chunk)
                total += len(chunk)
            if total > STREAM_THRESHOLD:
                return JsonStream(source, name)
            data = b"".join(chunks)
            del chunks
        elif size > STREAM_THRESHOLD:
            return JsonStream(source, name)
        else:
            data = fh.read()
    return load_json_bytes(data, name)


def _size(fh: IO[bytes]) -> int | None:
    """The size of a plain file, None for other streams (zip members)."""
    try:
        return os.fstat(fh.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        return None


def type_name(event: str, value: Any) -> str:
    """The Python type name of the value that starts with ``(event, value)`` (as orjson would give it)."""
    return {"start_map": "dict", "start_array": "list"}.get(event) or type(value).__name__


class JsonStream:
    """One JSON file of an :class:`InputTree`, read in passes (each opens it again)."""

    def __init__(self, source: InputTree, name: str) -> None:
        self.source = source
        self.name = name

    def items(self, prefix: str) -> Generator[Any, None, None]:
        """The values at ``prefix`` (ijson's notation: ``"annotations.item"`` is each item of the
        top-level array ``annotations``), built one at a time, numbers as int or float."""
        return self._pass(lambda reader: _BACKEND.items(reader, prefix, use_float=True))

    def events(self) -> Generator[tuple[str, str, Any], None, None]:
        """ijson's ``(prefix, event, value)`` parse events – slower than :meth:`items` (each event
        passes through Python), for reading the head of a file and stopping early."""
        return self._pass(lambda reader: _BACKEND.parse(reader, use_float=True))

    def _pass(self, parse: Callable[[_Reader], Iterator[_T]]) -> Generator[_T, None, None]:
        with self.source.open(self.name) as raw:
            reader = _Reader(raw)
            try:
                yield from parse(reader)
            except ijson.JSONError as exc:
                raise self._syntax_error(exc, reader.start) from None

    def _syntax_error(self, exc: Exception, chunk_start: int) -> MalformedFile:
        """The located error for a failure in the chunk starting at byte ``chunk_start``.

        The file is parsed again up to that chunk, then in small steps to find the step that
        fails, then once more up to that step and one byte at a time. (One byte at a time from
        the chunk's start could take minutes: yajl lexes a token that spans two reads again from
        its start, so a long string read byte by byte costs its length squared.)
        """
        match = _YAJL_MESSAGE.search(str(exc))
        problem = match.group(1).strip().rstrip(".") if match else str(exc).strip()
        if problem == "premature EOF":
            problem = "unexpected end of data"
        reader = self._fail(chunk_start, 512)
        if not reader.at_end:
            reader = self._fail(reader.start, 1)
        line, column = reader.position()
        return MalformedFile(self.name, f"line {line}, column {column}", f"invalid JSON ({problem})")

    def _fail(self, precise_from: int, step: int) -> _Reader:
        """A reader that handed the parser the file up to ``precise_from``, then ``step`` bytes at a
        time, until the parser failed; its last read is where."""
        with self.source.open(self.name) as raw:
            reader = _Reader(raw, precise_from, step)
            try:
                for _ in _BACKEND.items(reader, "\0", use_float=True):  # a prefix that never matches
                    pass
            except ijson.JSONError:
                pass
        return reader


#: bytes 0x80..0xBF continue a UTF-8 character: deleting every other byte counts them
_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b < 0xC0)


def _characters(data: bytes) -> int:
    return len(data) - len(data.translate(None, _NOT_CONTINUATION))


class _Reader:
    """A binary stream handed to ijson, keeping track of where it is.

    ``start``/``end`` are the offsets of the chunk read last. From ``precise_from`` on it hands
    out ``step`` bytes at a time, so that a parser failing there fails in a known step – at the
    byte at fault for a step of 1 – and it counts lines and characters (orjson's columns count
    characters) to name the place.
    """

    def __init__(self, raw: IO[bytes], precise_from: int | None = None, step: int = 1) -> None:
        self._raw = raw
        self.start = self.end = 0
        self._precise_from = precise_from
        self._step = step
        self._line = 1
        self._column = 0  # characters since the last newline
        self._before = (1, 0)  # line and column before the last chunk
        self.at_end = False  # the last read found the end of the file

    def read(self, size: int = -1) -> bytes:
        precise = self._precise_from
        if precise is not None and size:
            if self.end >= precise:
                size = self._step
            else:
                size = min(size, precise - self.end) if size > 0 else precise - self.end
        data = self._raw.read(size)
        self.start = self.end
        self.end += len(data)
        if precise is not None:
            self._before = (self._line, self._column)
            newlines = data.count(b"\n")
            if newlines:
                self._line += newlines
                self._column = _characters(data[data.rindex(b"\n") + 1:])
            else:
                self._column += _characters(data)
            self.at_end = size != 0 and not data
        return data

    def position(self) -> tuple[int, int]:
        """Line and column (from 1) of the last byte handed out – the one the parser failed at,
        with a step of 1 – or of the end of the file if the parser failed there."""
        line, column = (self._line, self._column) if self.at_end else self._before
        return line, column + 1
