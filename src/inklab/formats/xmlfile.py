"""XML for formats: a safe, streaming reader that knows line numbers, and a streaming writer.

Reading uses the standard library's expat parser with DTDs refused (so no entity expansion
attacks) and yields light :class:`Element` trees that remember the line they start on;
:meth:`Element.error` builds a :class:`~inklab.formats.errors.MalformedFile` naming the file,
line and element. :func:`iter_children` streams the children of the root one by one
(memory stays flat for a file with a million ``<image>`` elements); :func:`parse` returns the
whole document.

:class:`XmlWriter` writes elements to a text stream as they come, escaping text and
attribute values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, BinaryIO
from xml.parsers import expat
from xml.sax.saxutils import escape

from inklab.formats.errors import MalformedFile
from inklab.formats.files import InputTree

__all__ = ["Element", "XmlWriter", "iter_children", "parse"]

_CHUNK = 1 << 16
_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_SPECIAL = re.compile(r'[&<>"\n\r\t]')


def _attr(value: str) -> str:
    return escape(value, _ATTR_ENTITIES) if _SPECIAL.search(value) else value


@dataclass(slots=True)
class Element:
    """A parsed element: ``tag``, ``attrib``, stripped ``text``, ``children`` and its ``line``."""

    tag: str
    attrib: dict[str, str]
    line: int
    file: str
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> Element | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[Element]:
        return [child for child in self.children if child.tag == tag]

    def findtext(self, tag: str, default: str = "") -> str:
        child = self.find(tag)
        return child.text if child is not None else default

    def error(self, problem: str, attribute: str | None = None) -> MalformedFile:
        where = f"line {self.line}, <{self.tag}>" + (f" attribute '{attribute}'" if attribute else "")
        return MalformedFile(self.file, where, problem)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrib.get(name, default)

    def require(self, name: str) -> str:
        value = self.attrib.get(name)
        if value is None:
            raise self.error("this attribute is required", name)
        return value

    def number(self, name: str, default: float | None = None) -> float:
        raw = self.attrib.get(name)
        if raw is None:
            if default is None:
                raise self.error("this attribute is required", name)
            return default
        try:
            value = float(raw)
        except ValueError:
            raise self.error(f"expected a number, got {raw!r}", name) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise self.error(f"expected a finite number, got {raw!r}", name)
        return value

    def integer(self, name: str, default: int | None = None) -> int:
        raw = self.attrib.get(name)
        if raw is None:
            if default is None:
                raise self.error("this attribute is required", name)
            return default
        try:
            return int(raw)
        except ValueError:
            raise self.error(f"expected an integer, got {raw!r}", name) from None

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean attribute written as ``0``/``1`` or ``true``/``false``."""
        raw = self.attrib.get(name)
        if raw is None or raw == "":
            return default
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes"):
            return True
        if lowered in ("0", "false", "no"):
            return False
        raise self.error(f"expected 0 or 1, got {raw!r}", name)


class _Builder:
    """Expat callbacks that build elements below ``depth`` and hand out finished ones."""

    def __init__(self, file: str, parser: expat.XMLParserType, depth: int) -> None:
        self.file = file
        self.parser = parser
        self.depth = depth
        self.stack: list[Element] = []
        self.done: list[Element] = []
        self.root: Element | None = None
        self.texts: list[list[str]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        element = Element(tag, attrib, self.parser.CurrentLineNumber, self.file)
        if self.stack and len(self.stack) > self.depth:
            self.stack[-1].children.append(element)
        if not self.stack:
            self.root = element
        self.stack.append(element)
        self.texts.append([])

    def end(self, tag: str) -> None:
        element = self.stack.pop()
        element.text = "".join(self.texts.pop()).strip()
        if len(self.stack) == self.depth:
            self.done.append(element)

    def data(self, text: str) -> None:
        if len(self.stack) > self.depth:  # the root's own text is not kept while streaming
            self.texts[-1].append(text)


def _refuse_doctype(*args: object) -> None:
    raise ValueError("DOCTYPE declarations are not allowed")


def _elements(stream: BinaryIO, file: str, depth: int) -> Iterator[Element]:
    parser = expat.ParserCreate()
    builder = _Builder(file, parser, depth)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.buffer_text = True
    try:
        while True:
            chunk = stream.read(_CHUNK)
            parser.Parse(chunk, not chunk)
            if builder.done:
                yield from builder.done
                builder.done.clear()
            if not chunk:
                break
    except expat.ExpatError as exc:
        raise MalformedFile(file, f"line {exc.lineno}, column {exc.offset + 1}",
                            f"invalid XML ({expat.ErrorString(exc.code)})") from None
    except ValueError as exc:
        raise MalformedFile(file, f"line {parser.CurrentLineNumber}", str(exc)) from None
    if depth == 0 and builder.root is None:
        raise MalformedFile(file, None, "the file is empty")


def iter_children(source: InputTree, name: str) -> Iterator[Element]:
    """The root's children of an XML file, each complete with its subtree, as they are parsed."""
    with source.open(name) as stream:
        yield from _elements(stream, name, 1)


def parse(source: InputTree, name: str) -> Element:
    """The whole document's root element."""
    with source.open(name) as stream:
        for element in _elements(stream, name, 0):
            return element
    raise MalformedFile(name, None, "the file has no root element")


class XmlWriter:
    """Writes XML to a text stream; ``start``/``end`` nest, ``leaf`` writes a complete element.

    Attribute values are ``str`` (written escaped) or None (left out).
    """

    def __init__(self, stream: IO[str], indent: str = "  ") -> None:
        self.stream = stream
        self.indent = indent
        self.depth = 0
        stream.write('<?xml version="1.0" encoding="utf-8"?>\n')

    @staticmethod
    def _attrs(attrib: Mapping[str, str | None]) -> str:
        return "".join([f' {k}="{_attr(v)}"' for k, v in attrib.items() if v is not None])

    def start(self, tag: str, attrib: Mapping[str, str | None] | None = None) -> None:
        self.stream.write(f"{self.indent * self.depth}<{tag}{self._attrs(attrib or {})}>\n")
        self.depth += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.stream.write(f"{self.indent * self.depth}</{tag}>\n")

    def leaf(self, tag: str, attrib: Mapping[str, str | None] | None = None, text: str | None = None) -> None:
        prefix = f"{self.indent * self.depth}<{tag}{self._attrs(attrib or {})}"
        if text is None:
            self.stream.write(prefix + "/>\n")
        else:
            self.stream.write(f"{prefix}>{escape(text)}</{tag}>\n")
