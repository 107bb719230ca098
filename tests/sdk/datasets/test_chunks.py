"""Reading frames out of chunk files: stored and deflated members, damage, forked readers."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from inklab.sdk.datasets import ChunkReader, UnsupportedDatasetError
from tests.support.images import make_image


def _frames(count: int) -> list[bytes]:
    out = []
    for i in range(count):
        buffer = io.BytesIO()
        make_image(i, (16, 12)).save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def _write(path: Path, members: list[bytes], compression: int = zipfile.ZIP_STORED) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for i, data in enumerate(members):
            archive.writestr(f"{i:06d}.png", data)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
def test_members_by_position(tmp_path: Path, compression: int) -> None:
    frames = _frames(7)
    _write(tmp_path / "0.zip", frames[:4], compression)
    _write(tmp_path / "1.zip", frames[4:], compression)
    reader = ChunkReader(tmp_path, chunk_size=4, size=7)
    assert [reader.read(i) for i in range(7)] == frames
    assert reader.load_image(5).size == (16, 12)
    copy = pickle.loads(pickle.dumps(reader))
    assert copy.read(6) == frames[6]


def test_wrong_member_count_and_damage_are_reported(tmp_path: Path) -> None:
    _write(tmp_path / "0.zip", _frames(2))
    with pytest.raises(UnsupportedDatasetError, match="holds 2 frames where 3"):
        ChunkReader(tmp_path, chunk_size=3, size=3).read(0)
    (tmp_path / "0.zip").write_bytes(b"garbage")
    with pytest.raises(UnsupportedDatasetError, match="not a readable zip"):
        ChunkReader(tmp_path, chunk_size=2, size=2).read(0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_reader_works_in_a_forked_child(tmp_path: Path) -> None:
    frames = _frames(3)
    _write(tmp_path / "0.zip", frames)
    reader = ChunkReader(tmp_path, chunk_size=3, size=3)
    assert reader.read(0) == frames[0]  # the parent has the file open
    pid = os.fork()
    if pid == 0:  # child: read every frame through the inherited reader
        ok = all(reader.read(i) == frames[i] for i in (2, 1, 0))
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert Image.open(io.BytesIO(reader.read(2))).size == (16, 12)
