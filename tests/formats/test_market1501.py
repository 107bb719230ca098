"""Market-1501 1.0: round trip of re-identification tags through file names, the layout,
the original folders without a list file, bad lines."""

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
from inklab.formats.fidelity import KEPT, Property
from inklab.formats.market1501 import market_name
from tests.formats.roundtrip import assert_roundtrip, compare, export_to, png_media, roundtrip
from tests.formats.samples import load, zip_files

FMT = get_exporter("Market-1501 1.0")
PERSON = attributes(query=False, person_id=1, camera_id=1, track_id=1, frame_id=15, bbox_id=0)


def _people(with_images: bool = False) -> Dataset:
    def media(i: int, name: str):  # type: ignore[no-untyped-def]
        return png_media(i, name) if with_images else None

    frames = [Frame(0, "0001_c1s1_000015_00.jpg", 64, 48, "train", (Tag("market-1501", PERSON),),
                    image=media(0, "0001_c1s1_000015_00.jpg")),
              Frame(1, "0002_c3s2_000100_01.jpg", 64, 48, "test", (Tag("market-1501", attributes(
                  query=True, person_id=2, camera_id=3, track_id=2, frame_id=100, bbox_id=1)),),
                  image=media(1, "0002_c3s2_000100_01.jpg")),
              Frame(2, "-1_c2s1_000001_00.jpg", 64, 48, "test", (Tag("market-1501", attributes(
                  query=False, person_id=-1, camera_id=2, track_id=1, frame_id=1, bbox_id=0)),),
                  image=media(2, "-1_c2s1_000001_00.jpg"))]
    return Dataset((LabelSpec("market-1501"),), frames)


def _load(tmp_path: Path, files: dict[str, bytes | str]) -> Dataset:
    return load("Market-1501 1.0", zip_files(tmp_path / "market.zip", files))


def test_roundtrip_of_the_sample_keeps_what_the_table_says(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


@pytest.mark.parametrize("save_images", [False, True])
def test_reidentification_tags_round_trip(tmp_path: Path, save_images: bool) -> None:
    back = roundtrip(FMT, _people(save_images), tmp_path, save_images=save_images)
    # for the market-1501 tag, the tag and its attributes are kept (the table's note)
    kept = replace(FMT.fidelity, rules={"tag": KEPT}, lost=FMT.fidelity.lost - {Property.ATTRIBUTES})
    assert compare(_people(save_images), back, kept) == []


def test_layout(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, _people(True), tmp_path / "m.zip", save_images=True))
    assert sorted(archive.namelist()) == ["bounding_box_test/-1_c2s1_000001_00.jpg",
                                          "bounding_box_train/0001_c1s1_000015_00.jpg", "images_test.txt",
                                          "images_train.txt", "query/0002_c3s2_000100_01.jpg"]
    assert archive.read("images_test.txt").decode().splitlines() == ["query/0002_c3s2_000100_01.jpg",
                                                                     "bounding_box_test/-1_c2s1_000001_00.jpg"]


def test_names_follow_the_tag() -> None:
    tag = Tag("market-1501", attributes(person_id=12, camera_id=4))
    assert market_name("frame_7.png", tag) == "0012_c4s1_000000_00.png"
    assert market_name("dir/0001_c1s1_000015_00_extra.jpg", tag) == "dir/0012_c4s1_000015_00_extra.jpg"
    assert market_name("frame_7.png", None) == "frame_7.png"


def test_import_of_the_original_folders(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {"bounding_box_test/0001_c1s1_001051_03.jpg": b"j", "query/0001_c5s1_001426_00.jpg": b"j",
                               "bounding_box_train/0002_c1s1_000451_03.jpg": b"j", "readme.txt": "x"})
    frames = {f.name: f for f in dataset.frames}
    assert {n: f.subset for n, f in frames.items()} == {"0001_c1s1_001051_03.jpg": "test",
                                                        "0001_c5s1_001426_00.jpg": "query",
                                                        "0002_c1s1_000451_03.jpg": "train"}
    (tag,) = frames["0001_c5s1_001426_00.jpg"].tags
    assert tag.label == "market-1501" and {(a.name, a.value) for a in tag.attributes} == {
        ("query", "true"), ("person_id", "1"), ("camera_id", "5"), ("track_id", "1"), ("frame_id", "1426"),
        ("bbox_id", "0")}
    assert all(f.image is not None for f in frames.values())


def test_import_of_a_hand_written_list(tmp_path: Path) -> None:
    dataset = _load(tmp_path, {"images_val.txt": "query/0003_c2s3_000005_00.jpg\nbounding_box_val/other.jpg\n"})
    first, other = dataset.frames
    assert first.subset == other.subset == "val" and other.tags == ()
    assert {a.name: a.value for a in first.tags[0].attributes}["camera_id"] == "2"


def test_bad_lines(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile) as info:
        _load(tmp_path, {"images_x.txt": "query/a.jpg\nelsewhere/b.jpg\n"})
    assert str(info.value).startswith("images_x.txt, line 2: expected query/<image> or bounding_box_<subset>/<image>")
    with pytest.raises(MalformedFile, match="market.zip: no Market-1501"):
        _load(tmp_path, {"a.txt": "x"})
