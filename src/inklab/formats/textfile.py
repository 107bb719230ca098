"""Line-based text files for formats: reading with line numbers, numbers with located errors,
several output files written side by side in one pass.

Many formats (MOT, KITTI, WIDER Face, LFW, ICDAR, Open Images, ...) are plain text or CSV.
:func:`read_lines` and :func:`read_csv` stream a file of an :class:`~inklab.formats.files.InputTree`
and hand out line numbers, so that every error can be a
:class:`~inklab.formats.errors.MalformedFile` naming the file and the line.
:class:`Spools` gives one text stream per output file name, created on first use and
written into the output tree at the end, so an exporter can fill ``train.txt`` and
``val.txt`` (or five CSV files per subset) while iterating the frames once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import TextIO

from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree, OutputTree

__all__ = ["Spools", "decimal", "read_csv", "read_label_list", "read_lines", "to_float", "to_int"]


def read_lines(source: InputTree, name: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` for each line of a UTF-8 text file (a BOM is skipped, line
    ends are removed), streaming."""
    with source.open(name) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline=None)
        number = 0
        try:
            for number, line in enumerate(stream, 1):  # noqa: B007 - used after the loop
                yield number, line.rstrip("\n")
        except UnicodeDecodeError as exc:
            raise MalformedFile(name, f"line {number + 1}", "not valid UTF-8 text") from exc


def read_csv(source: InputTree, name: str, required: Sequence[str] = (),
             header: bool = True) -> Iterator[tuple[int, dict[str, str] | list[str]]]:
    """Rows of a CSV file with their line numbers: dicts by the header's column names (which
    must include ``required``), or lists with ``header=False``. Empty lines are skipped."""
    position = [0]
    reader = csv.reader(_tracked(read_lines(source, name), position))
    columns: list[str] | None = None
    for row in reader:
        line = position[0]
        if not row or all(not cell.strip() for cell in row):
            continue
        if header and columns is None:
            columns = [c.strip() for c in row]
            missing = [c for c in required if c not in columns]
            if missing:
                raise MalformedFile(name, f"line {line}", f"the header lacks the column(s) {', '.join(missing)}")
            continue
        if columns is None:
            yield line, row
            continue
        if len(row) > len(columns):
            raise MalformedFile(name, f"line {line}", f"{len(row)} values for {len(columns)} columns")
        yield line, {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(columns)}


def _tracked(lines: Iterator[tuple[int, str]], position: list[int]) -> Iterator[str]:
    for number, line in lines:
        position[0] = number
        yield line


def read_label_list(source: InputTree, name: str) -> list[str]:
    """A ``labels.txt``: one label name per line (blank lines and ``#`` comments skipped)."""
    return [line.strip() for _, line in read_lines(source, name) if line.strip() and not line.startswith("#")]


def to_float(text: str, file: str, where: str, what: str = "value") -> float:
    """``text`` as a finite number, or :class:`MalformedFile` naming ``where`` and ``what``."""
    try:
        value = float(text)
    except ValueError:
        raise MalformedFile(file, where, f"{what}: expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise MalformedFile(file, where, f"{what}: expected a finite number, got {text!r}")
    return value


def to_int(text: str, file: str, where: str, what: str = "value") -> int:
    """``text`` as an integer (``"3"`` or ``"3.0"``), or :class:`MalformedFile`."""
    value = to_float(text, file, where, what)
    if not value.is_integer():
        raise MalformedFile(file, where, f"{what}: expected an integer, got {text!r}")
    return int(value)


def decimal(value: float) -> str:
    """A coordinate as short, exact text: ``3`` for 3.0, ``2.5``, ``0.1`` (``repr`` precision)."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class Spools:
    """Text streams by output file name, each becoming that file of ``out`` when the spools
    close without an error (nothing is written if the export fails).

    Use as a context manager; ``spools[name]`` opens the stream on first use, and
    ``spools.touch(name)`` makes sure a file exists even if nothing is written to it.
    """

    def __init__(self, out: OutputTree) -> None:
        self._out = out
        self._stack = ExitStack()
        self._streams: dict[str, TextIO] = {}

    def __getitem__(self, name: str) -> TextIO:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._stack.enter_context(self._out.deferred_text(name))
            self._streams[name] = stream
        return stream

    def touch(self, name: str) -> None:
        self[name]

    def __contains__(self, name: str) -> bool:
        return name in self._streams

    def __enter__(self) -> Spools:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self._stack.__exit__(t, e, tb)
