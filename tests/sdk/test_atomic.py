"""Atomic file writes: the whole file or the old one, never a part, and no temporary left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from inklab.sdk._atomic import atomic_output, atomic_write_bytes


def test_writes_the_file_and_its_directories(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "data.bin"
    atomic_write_bytes(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert sorted(p.name for p in target.parent.iterdir()) == ["data.bin"]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    with atomic_output(target) as out:
        out.write(b"new ")
        assert target.read_bytes() == b"old"  # readers see the old file until the block ends
        out.write(b"content")
    assert target.read_bytes() == b"new content"


def test_a_failure_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="stopped"), atomic_output(target) as out:
        out.write(b"half")
        raise RuntimeError("stopped")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]
