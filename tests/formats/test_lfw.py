"""LFW 1.0: round trip of people, pairs and landmarks, the layout, the original files by hand, bad lines."""

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
    Shape,
    Tag,
    attributes,
    get_exporter,
)
from inklab.formats.fidelity import KEPT, Property
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, compare, export_to, png_media, roundtrip
from tests.formats.samples import load, zip_files

FMT = get_exporter("LFW 1.0")


def _faces(with_images: bool = False) -> Dataset:
    def frame(i: int, name: str, person: str, pairs: dict[str, str], shapes: tuple[Shape, ...] = ()) -> Frame:
        return Frame(i, name, 64, 48, "", (Tag(person, attributes(pairs)),), shapes,
                     png_media(i, name) if with_images else None)

    frames = [frame(0, "Aaron_0001.jpg", "Aaron", {"positive_pairs": "Aaron/Aaron_0002",
                                                   "negative_pairs": "Bea/Bea_0001"},
                    (Shape(ShapeType.POINTS, "Aaron", (1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5)),)),
              frame(1, "Aaron_0002.jpg", "Aaron", {}),
              frame(2, "Bea_0001.jpg", "Bea", {})]
    return Dataset((LabelSpec("Aaron"), LabelSpec("Bea")), frames)


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("LFW 1.0", zip_files(tmp_path / "lfw.zip", files))


@pytest.mark.parametrize("save_images", [False, True])
def test_roundtrip_matches_the_fidelity_table(tmp_path: Path, save_images: bool) -> None:
    assert_roundtrip(FMT, tmp_path, save_images=save_images)


@pytest.mark.parametrize("save_images", [False, True])
def test_people_pairs_and_landmarks_round_trip(tmp_path: Path, save_images: bool) -> None:
    back = roundtrip(FMT, _faces(save_images), tmp_path, save_images=save_images)
    kept = replace(FMT.fidelity, rules={**FMT.fidelity.rules, "points": KEPT},
                   lost=FMT.fidelity.lost - {Property.ATTRIBUTES})  # pairs are the tags' only attributes here
    assert compare(_faces(save_images), back, kept) == []


def test_layout(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, _faces(True), tmp_path / "l.zip", save_images=True))
    assert sorted(archive.namelist()) == [
        "default/annotations/landmarks.txt", "default/annotations/pairs.txt", "default/annotations/people.txt",
        "default/images/Aaron/Aaron_0001.jpg", "default/images/Aaron/Aaron_0002.jpg", "default/images/Bea/Bea_0001.jpg"]
    assert archive.read("default/annotations/pairs.txt").decode().splitlines() == ["Aaron\t1\t2", "Aaron\t1\tBea\t1"]
    assert archive.read("default/annotations/people.txt").decode().splitlines() == ["2", "Aaron\t2", "Bea\t1"]
    assert archive.read("default/annotations/landmarks.txt").decode().splitlines() == [
        "Aaron/Aaron_0001\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10.5", "Aaron/Aaron_0002", "Bea/Bea_0001"]


def test_import_of_the_original_pairs_file(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {
        "annotations/pairs.txt": "10\t300\nAbel_Pacheco\t1\t4\nAbdel_Madi_Shabneh\t1\tDean_Barker\t1\n",
        "annotations/landmarks.txt": "Abel_Pacheco/Abel_Pacheco_0001\t80\t100\t120\t100\t100\t130\t85\t150\t115\t150\n",
        "annotations/people.txt": "2\nAbel_Pacheco\t4\n"})
    frames = {f.name: f for f in dataset.frames}
    assert sorted(frames) == ["Abdel_Madi_Shabneh_0001", "Abel_Pacheco_0001", "Abel_Pacheco_0004", "Dean_Barker_0001"]
    abel = frames["Abel_Pacheco_0001"]
    assert [(t.label, t.attributes) for t in abel.tags] == [
        ("Abel_Pacheco", attributes(positive_pairs="Abel_Pacheco/Abel_Pacheco_0004"))]
    assert abel.shapes[0].label == "Abel_Pacheco" and len(abel.shapes[0].points) == 10
    mismatched = frames["Abdel_Madi_Shabneh_0001"].tags[0]
    assert {(a.name, a.value) for a in mismatched.attributes} == {("negative_pairs", "Dean_Barker/Dean_Barker_0001")}


@pytest.mark.parametrize(("files", "message"), [
    ({"annotations/pairs.txt": "a\t1\tb\t2\t3\n"}, "annotations/pairs.txt, line 1: expected 3 values"),
    ({"annotations/pairs.txt": "a\t1\tx\n"}, "annotations/pairs.txt, line 1: n2: expected a number, got 'x'"),
    ({"annotations/landmarks.txt": "a/a_0001\t1\t2\t3\n"}, "annotations/landmarks.txt, line 1: expected x y pairs"),
])
def test_bad_lines(tmp_path: Path, files: dict[str, str], message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, files)
    assert message in str(info.value), str(info.value)


def test_an_archive_without_annotations_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="lfw.zip: no LFW annotations found"):
        _load(tmp_path, {"images/a.jpg": b"x"})
