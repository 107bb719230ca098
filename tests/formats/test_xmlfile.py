"""The XML reader (line numbers, streaming, refused DTDs) and writer (escaping)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from inklab.formats import MalformedFile
from inklab.formats.files import SingleFileInput
from inklab.formats.xmlfile import XmlWriter, iter_children, parse


def _source(tmp_path: Path, text: str) -> SingleFileInput:
    path = tmp_path / "a.xml"
    path.write_text(text)
    return SingleFileInput(path)


def test_children_stream_with_their_lines(tmp_path: Path) -> None:
    source = _source(tmp_path, '<?xml version="1.0"?>\n<root>\n  <a x="1">\n    <b>hi</b>\n  </a>\n  <c/>\n</root>\n')
    a, c = iter_children(source, "a.xml")
    assert (a.tag, a.line, a.attrib, c.line) == ("a", 3, {"x": "1"}, 6)
    assert a.find("b").text == "hi" and a.find("b").line == 4
    with pytest.raises(MalformedFile, match=r"a\.xml, line 3, <a> attribute 'y': this attribute is required"):
        a.require("y")
    root = parse(source, "a.xml")
    assert [child.tag for child in root.children] == ["a", "c"]


@pytest.mark.parametrize(("text", "where"), [
    ("<root>\n<a>\n</root>", "line 3, column 3"),
    ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "boom">]>\n<root>&e;</root>', "line 2"),
    ("", "line 1, column 1"),
])
def test_bad_xml_names_the_line(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(MalformedFile) as info:
        list(iter_children(_source(tmp_path, text), "a.xml"))
    assert str(info.value).startswith(f"a.xml, {where}"), str(info.value)


def test_numbers_and_flags_are_checked(tmp_path: Path) -> None:
    (element,) = iter_children(_source(tmp_path, '<r><e n="1.5" bad="x" f="1" g="maybe" i="2.5"/></r>'), "a.xml")
    assert element.number("n") == 1.5 and element.flag("f") and not element.flag("missing")
    for call, name in ((element.number, "bad"), (element.flag, "g"), (element.integer, "i")):
        with pytest.raises(MalformedFile, match=f"attribute '{name}'"):
            call(name)


def test_writer_escapes() -> None:
    stream = io.StringIO()
    writer = XmlWriter(stream)
    writer.start("a", {"name": 'x"<&>', "skip": None})
    writer.leaf("b", {}, "1 < 2 & 3")
    writer.leaf("c")
    writer.end("a")
    assert stream.getvalue() == ('<?xml version="1.0" encoding="utf-8"?>\n<a name="x&quot;&lt;&amp;&gt;">\n'
                                 "  <b>1 &lt; 2 &amp; 3</b>\n  <c/>\n</a>\n")
