"""Input and output trees: zip archives, directories, single files; unsafe names."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from inklab.formats import DirectoryOutput, MalformedFile, MediaFile, UnsupportedData, ZipOutput, open_input
from inklab.formats.files import DirectoryInput, SingleFileInput, ZipInput


def test_zip_output_streams_members_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with ZipOutput(path) as out:
        with out.text("annotations/x.json") as fh:
            fh.write('{"ok": true}')
        out.add_media("images/a.png", MediaFile("a.png", lambda: io.BytesIO(b"\x89PNG...")))
        with pytest.raises(UnsupportedData, match="twice"):
            out.open("images/a.png")
    with zipfile.ZipFile(path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert infos["images/a.png"].compress_type == zipfile.ZIP_STORED
        assert infos["annotations/x.json"].compress_type == zipfile.ZIP_DEFLATED
    with open_input(path) as source:
        assert isinstance(source, ZipInput)
        assert source.names() == ["annotations/x.json", "images/a.png"]
        assert source.read_text("annotations/x.json") == '{"ok": true}'
        assert source.media("images/a.png").read() == b"\x89PNG..."
        assert source.glob("annotations/*.json") == ["annotations/x.json"]
        with pytest.raises(MalformedFile, match="'nope.json' is missing"):
            source.open("nope.json")


def test_unsafe_member_names_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../etc/passwd", "x")
        zf.writestr("/abs.txt", "x")
        zf.writestr("ok/./fine.txt", "y")
    with open_input(path) as source:
        assert source.names() == ["ok/fine.txt"]
    with pytest.raises(UnsupportedData):
        DirectoryOutput(tmp_path / "out").open("../escape.txt")


def test_single_files_directories_and_bad_zips(tmp_path: Path) -> None:
    plain = tmp_path / "upload_123.json"
    plain.write_text("{}")
    with open_input(plain, "instances_default.json") as source:
        assert isinstance(source, SingleFileInput) and source.names() == ["instances_default.json"]
    (tmp_path / "d/sub").mkdir(parents=True)
    (tmp_path / "d/sub/f.txt").write_text("hi")
    with open_input(tmp_path / "d") as source:
        assert isinstance(source, DirectoryInput) and source.read_text("sub/f.txt") == "hi"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 10)
    with pytest.raises(MalformedFile):
        ZipInput(broken)
    bad_text = tmp_path / "latin.txt"
    bad_text.write_bytes(b"caf\xe9")
    with pytest.raises(MalformedFile, match="latin.txt, byte 3: not valid utf-8"):
        SingleFileInput(bad_text).read_text("latin.txt")
