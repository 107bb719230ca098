"""ICDAR Recognition 1.0: transcriptions round-trip, the gt.txt layout, hand-written files, bad lines."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from inklab.formats import (
    Dataset,
    Frame,
    LabelSpec,
    MalformedFile,
    Tag,
    attributes,
    get_exporter,
)
from inklab.formats.fidelity import KEPT
from inklab.formats.icdar_recognition import quote, unquote
from tests.formats.roundtrip import assert_roundtrip, compare, export_to, png_media, roundtrip
from tests.formats.samples import load, zip_files

FMT = get_exporter("ICDAR Recognition 1.0")


def _words(with_images: bool = False) -> Dataset:
    frames = [Frame(0, "word_1.png", 64, 48, "train", (Tag("word", attributes(text='Say "hi", \\o/')),),
                    image=png_media(0, "word_1.png") if with_images else None),
              Frame(1, "word_2.png", 64, 48, "", (Tag("word", attributes(text="Tiredness")),),
                    image=png_media(1, "word_2.png") if with_images else None)]
    return Dataset((LabelSpec("word"),), frames)


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("ICDAR Recognition 1.0", zip_files(tmp_path / "icdar.zip", files))


def test_roundtrip_of_the_sample_keeps_what_the_table_says(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


@pytest.mark.parametrize("save_images", [False, True])
def test_transcriptions_round_trip(tmp_path: Path, save_images: bool) -> None:
    back = roundtrip(FMT, _words(save_images), tmp_path, save_images=save_images)
    # for tags with a transcription the rule is "kept" (the table's note)
    assert compare(_words(save_images), back, replace(FMT.fidelity, rules={"tag": KEPT})) == []
    tags = {f.name: [(t.label, t.attributes) for t in f.tags] for f in back.frames}
    assert tags == {"word_1.png": [("icdar", attributes(text='Say "hi", \\o/'))],
                    "word_2.png": [("icdar", attributes(text="Tiredness"))]}


def test_layout(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, _words(True), tmp_path / "w.zip", save_images=True))
    assert sorted(archive.namelist()) == ["word_recognition/default/gt.txt", "word_recognition/default/images/word_2.png",
                                          "word_recognition/train/gt.txt", "word_recognition/train/images/word_1.png"]
    assert archive.read("word_recognition/train/gt.txt").decode() == 'word_1.png, "Say \\"hi\\", \\\\o/"\n'


def test_quoting() -> None:
    assert unquote(quote('a "b" \\ c')) == 'a "b" \\ c'
    assert unquote("  plain ") == "plain"


def test_import_of_hand_written_ground_truth(tmp_path: Path) -> None:
    gt = 'word_1.png, "Tiredness"\nword_2.png, "kills"\nword_2.png, "twice"\n\nword_3.png\n'
    dataset = _load(tmp_path, {"word_recognition/test/gt.txt": gt})
    frames = {f.name: f for f in dataset.frames}
    assert sorted(frames) == ["word_1.png", "word_2.png", "word_3.png"]
    assert [t.attributes for t in frames["word_2.png"].tags] == [attributes(text="kills"), attributes(text="twice")]
    assert frames["word_1.png"].subset == "test" and frames["word_3.png"].tags == ()
    assert {t.label for f in frames.values() for t in f.tags} == {"icdar"}


@pytest.mark.parametrize(("gt", "message"), [
    (', "no image"\n', 'gt.txt, line 1: expected <image name>, "<text>"'),
    ('a.png, "ok"\nb.png, unquoted\n', "gt.txt, line 2: the transcription must be in quotes, got 'unquoted'"),
])
def test_bad_lines(tmp_path: Path, gt: str, message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"word_recognition/x/gt.txt": gt})
    assert message in str(info.value)


def test_an_archive_without_gt_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="icdar.zip: no ICDAR gt.txt found"):
        _load(tmp_path, {"a.txt": "x"})
