"""The export zip writer: archives that the standard library (and unzip) read back exactly."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from inklab.formats._zipwriter import ZipWriter


class _Unseekable(io.RawIOBase):
    """A pipe-like target: writes only."""

    def __init__(self) -> None:
        self.data = io.BytesIO()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self.data.write(data)


def _members(archive: zipfile.ZipFile) -> dict[str, bytes]:
    assert archive.testzip() is None
    return {info.filename: archive.read(info) for info in archive.infolist()}


def test_whole_and_streamed_members_read_back(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    text = "".join(f"<box id='{i}'/>\n" for i in range(20_000)).encode()
    writer = ZipWriter(path)
    writer.add("labels.txt", b"car\nroad\n")
    writer.add("images/a.png", b"\x89PNG" + bytes(range(256)), compress=False)
    writer.add("empty.txt", b"")
    with writer.open("annotations.xml") as stream:
        for start in range(0, len(text), 4096):
            stream.write(text[start:start + 4096])
    with writer.open("video.mp4", compress=False) as stream:
        stream.write(b"\x00" * 100_000)
    writer.add("näme/ü.txt", "ü".encode())
    writer.close()
    with zipfile.ZipFile(path) as archive:
        members = _members(archive)
        infos = {i.filename: i for i in archive.infolist()}
    assert members == {"labels.txt": b"car\nroad\n", "images/a.png": b"\x89PNG" + bytes(range(256)), "empty.txt": b"",
                       "annotations.xml": text, "video.mp4": b"\x00" * 100_000, "näme/ü.txt": "ü".encode()}
    assert infos["annotations.xml"].compress_type == zipfile.ZIP_DEFLATED
    assert infos["annotations.xml"].compress_size < len(text) / 5
    assert infos["video.mp4"].compress_type == infos["images/a.png"].compress_type == zipfile.ZIP_STORED
    assert infos["labels.txt"].date_time == (1980, 1, 1, 0, 0, 0)
    assert infos["labels.txt"].external_attr >> 16 == 0o644
    if shutil.which("unzip"):
        result = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_target_that_cannot_seek_gets_data_descriptors() -> None:
    target = _Unseekable()
    writer = ZipWriter(target)  # type: ignore[arg-type]
    with writer.open("big.txt") as stream:
        stream.write(b"abc" * 50_000)
    writer.add("small.txt", b"x")
    writer.close()
    with zipfile.ZipFile(io.BytesIO(target.data.getvalue())) as archive:
        assert _members(archive) == {"big.txt": b"abc" * 50_000, "small.txt": b"x"}
        assert archive.getinfo("big.txt").flag_bits & 0x08


def test_more_than_65535_members_use_zip64_records(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    writer = ZipWriter(path)
    for i in range(66_000):
        writer.add(f"f/{i}.txt", b"")
    writer.close()
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert len(names) == 66_000 and names[-1] == "f/65999.txt"


def test_members_are_written_one_at_a_time(tmp_path: Path) -> None:
    writer = ZipWriter(tmp_path / "b.zip")
    stream = writer.open("a.txt")
    with pytest.raises(ValueError, match="close the open zip member"):
        writer.add("b.txt", b"")
    stream.close()
    with pytest.raises(ValueError, match="closed zip member"):
        stream.write(b"late")
    writer.close()
    with pytest.raises(ValueError, match="archive is closed"):
        writer.add("c.txt", b"")
