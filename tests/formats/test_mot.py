"""MOT 1.1: round trip, the MOTChallenge layout read with the csv module, hand-written
sequences (gaps, unsorted lines, no labels.txt), bad files."""

from __future__ import annotations

import configparser
import csv
import io
import zipfile
from pathlib import Path

import pytest

from inklab.formats import (
    Dataset,
    DatasetInfo,
    Frame,
    ImportOptions,
    LabelSpec,
    MalformedFile,
    Track,
    TrackedShape,
    get_exporter,
    get_importer,
    open_input,
)
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, materialize, sample_dataset
from tests.formats.samples import load, zip_files

FMT = get_exporter("MOT 1.1")


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("MOT 1.1", zip_files(tmp_path / "mot.zip", files))


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images_numbers_them(tmp_path: Path) -> None:
    imported = assert_roundtrip(FMT, tmp_path, save_images=True)
    names = zipfile.ZipFile(tmp_path / "export.zip").namelist()
    assert sorted(n for n in names if n.startswith("img1/")) == [f"img1/00000{i}.png" for i in range(1, 5)]
    originals = [f.image.read() for f in sample_dataset(with_images=True).frames]
    assert [f.image.read() for f in sorted(imported.frames, key=lambda f: f.index)] == originals


def test_layout_follows_motchallenge(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, sample_dataset(), tmp_path / "mot.zip"))
    assert sorted(archive.namelist()) == ["gt/gt.txt", "gt/labels.txt", "seqinfo.ini"]
    assert archive.read("gt/labels.txt").decode().splitlines() == ["car", "road"]
    rows = list(csv.reader(io.StringIO(archive.read("gt/gt.txt").decode())))
    assert all(len(row) == 9 for row in rows)
    # frame, id, left, top, width, height, not ignored, class (1-based in labels.txt), visibility
    assert ["1", "-1", "5.5", "6.25", "24.5", "18.75", "1", "1", "0"] in rows  # the occluded box, no track
    track = [row for row in rows if row[1] == "1"]
    assert [row[0] for row in track] == ["1", "2", "3"]  # visible on frames 1..3, interpolated on 2
    assert track[1][2:6] == ["4", "3", "10", "10"] and track[2][8] == "0"
    info = configparser.ConfigParser()
    info.read_string(archive.read("seqinfo.ini").decode())
    assert info["Sequence"]["seqLength"] == "4" and info["Sequence"]["imDir"] == "img1"


HAND_WRITTEN_GT = """\
2,7,100,50,20,40,1,1,1
1,7,90,50,20,40,1,1,1
1,3,10,10,5,5,0,2,0.25
3,7,110,50,20,40,1,1,0.75
6,7,140,50,20,40,1,1,1
4,-1,1,2,3,4,1,2,1
"""


def test_import_of_a_hand_written_sequence(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {"seq/gt/gt.txt": HAND_WRITTEN_GT, "seq/gt/labels.txt": "person\nbike\n",
                               "seq/seqinfo.ini": "[Sequence]\nname=seq\nseqLength=8\n"})
    assert [label.name for label in dataset.labels] == ["person", "bike"]
    frames = {f.index: f for f in dataset.frames}
    assert sorted(frames) == [3] and frames[3].shapes[0].points == (1, 2, 4, 6)
    assert frames[3].shapes[0].label == "bike" and frames[3].name == ""
    tracks = {t.id: t for t in dataset.tracks}
    walker = tracks[7]
    assert walker.label == "person"
    # frames 1..3 lie on one line (merged back into keyframes 0 and 2), hidden on 4..5, back on 6,
    # gone after 6 since the sequence has 8 frames
    assert [(s.frame, s.outside) for s in walker.shapes] == [(0, False), (2, False), (3, True), (5, False),
                                                            (6, True)]
    assert walker.shapes[1].points == (110, 50, 130, 90)
    ignored = tracks[3]
    assert ignored.label == "bike" and ignored.shapes[0].occluded
    assert {(a.name, a.value) for a in ignored.shapes[0].attributes} == {("visibility", "0.25"), ("ignored", "true")}
    assert [(s.frame, s.outside) for s in ignored.shapes] == [(0, False), (1, True)]


def test_without_labels_txt_the_motchallenge_classes_apply(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {"gt.txt": "1,1,0,0,1,1,1,3,1\n"})
    assert next(iter(dataset.tracks)).label == "car"
    # no sequence length: a track on the last frame of the file stays until the end of the target
    assert [s.outside for s in next(iter(dataset.tracks)).shapes] == [False]


def test_a_dense_track_keeps_real_keyframes(tmp_path: Path) -> None:
    track = Track("car", (TrackedShape(0, ShapeType.RECTANGLE, (0, 0, 10, 10)),
                          TrackedShape(1, ShapeType.RECTANGLE, (5, 0, 15, 10)),
                          TrackedShape(2, ShapeType.RECTANGLE, (5, 5, 15, 15)),
                          TrackedShape(4, ShapeType.RECTANGLE, (5, 5, 15, 15), outside=True)))
    frames = [Frame(i, f"f{i}.png", 64, 48) for i in range(6)]
    export_to(FMT, Dataset((LabelSpec("car"),), frames, [track]), tmp_path / "d.zip")
    with open_input(tmp_path / "d.zip") as source:
        back = materialize(get_importer("MOT 1.1").load(source, ImportOptions()))
    (only,) = back.tracks
    assert [(s.frame, s.points, s.outside) for s in only.shapes] == [
        (0, (0, 0, 10, 10), False), (1, (5, 0, 15, 10), False), (2, (5, 5, 15, 15), False),
        (4, (5, 5, 15, 15), True)]


@pytest.mark.parametrize(("gt", "where", "problem"), [
    ("1,1,0,0,1\n", "line 1", "expected at least 6 values"),
    ("1,1,0,0,1,1,1,1,1\n1,1,a,0,1,1,1,1,1\n", "line 2", "x: expected a number, got 'a'"),
    ("0,1,0,0,1,1,1,1,1\n", "line 1", "frame numbers start at 1"),
    ("1,1,0,0,-4,1,1,1,1\n", "line 1", "width and height of at least 0"),
    ("1,1,0,0,1,1,1,9,1\n", "line 1", "class 9 is not in labels.txt (2 classes)"),
    ("1,1,0,0,1,1,1,1,1\n2,1,0,0,1,1,1,2,1\n", "line 2", "track 1 has class 'a' on other lines, here 'b'"),
])
def test_bad_lines_name_the_file_and_line(tmp_path: Path, gt: str, where: str, problem: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"gt/gt.txt": gt, "gt/labels.txt": "a\nb\n"})
    assert str(info.value).startswith(f"gt/gt.txt, {where}: ") and problem in str(info.value), str(info.value)


def test_an_archive_without_gt_txt_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="mot.zip: no MOT gt.txt found"):
        _load(tmp_path, {"img1/000001.jpg": b"x"})


def test_a_job_sequence_counts_from_the_job_start(tmp_path: Path) -> None:
    """Frames 10..12 of a task exported as a job (first_frame 10) are 1..3 in gt.txt; imported
    with the job's first frame they are frames 10..12 again."""
    track = Track("car", (TrackedShape(11, ShapeType.RECTANGLE, (1.0, 2.0, 3.0, 4.0)),
                          TrackedShape(12, ShapeType.RECTANGLE, (1.0, 2.0, 3.0, 4.0), outside=True)))
    frames = [Frame(i, f"f{i}.png", 20, 20) for i in (10, 11, 12)]
    dataset = Dataset((LabelSpec("car"),), frames, [track], DatasetInfo(size=3, first_frame=10))
    archive = zipfile.ZipFile(export_to(FMT, dataset, tmp_path / "job.zip"))
    assert [row[:2] for row in csv.reader(io.StringIO(archive.read("gt/gt.txt").decode()))] == [["2", "1"]]
    with open_input(tmp_path / "job.zip") as source:
        back = materialize(get_importer("MOT 1.1").load(source, ImportOptions(first_frame=10)))
    (imported,) = back.tracks
    assert [(s.frame, s.outside) for s in imported.shapes] == [(11, False), (12, True)]
