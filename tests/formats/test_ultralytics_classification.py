"""Ultralytics YOLO Classification 1.0: folders per class (read by torchvision's ImageFolder),
labels.json, hand-written uploads, bad files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from inklab.formats import Dataset, Frame, LabelSpec, MalformedFile, Tag, get_exporter
from tests.formats.roundtrip import (
    assert_images_roundtrip,
    assert_roundtrip,
    export_to,
    png_media,
)
from tests.formats.samples import frames_by_name, load, png_image, zip_files

NAME = "Ultralytics YOLO Classification 1.0"
FMT = get_exporter(NAME)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images(tmp_path: Path) -> None:
    assert_images_roundtrip(FMT, tmp_path)


def _tagged() -> Dataset:
    frames = [Frame(i, f"img_{i}.png", 64, 48, subset, tags=tuple(Tag(t) for t in tags), image=png_media(i, f"img_{i}.png"))
              for i, (subset, tags) in enumerate([("train", ["cat"]), ("train", ["dog"]), ("val", ["cat", "dog"]),
                                                  ("val", [])])]
    return Dataset((LabelSpec("cat"), LabelSpec("dog")), frames)


def test_image_folder_reads_the_export(tmp_path: Path) -> None:
    datasets = pytest.importorskip("torchvision.datasets")
    export_to(FMT, _tagged(), tmp_path / "c.zip", save_images=True)
    with zipfile.ZipFile(tmp_path / "c.zip") as archive:
        assert sorted(archive.namelist()) == ["train/cat/img_0.png", "train/dog/img_1.png", "train/labels.json",
                                              "val/cat/img_2.png", "val/labels.json", "val/no_label/img_3.png"]
        labels = json.loads(archive.read("val/labels.json"))
        archive.extractall(tmp_path / "x")
    assert labels == {"img_2": {"labels": ["cat", "dog"], "path": "cat/img_2.png"},
                      "img_3": {"labels": [], "path": "no_label/img_3.png"}}
    train = datasets.ImageFolder(str(tmp_path / "x/train"))
    assert train.classes == ["cat", "dog"]
    assert [(Path(path).name, train.classes[target]) for path, target in train.samples] == [
        ("img_0.png", "cat"), ("img_1.png", "dog")]
    image, _ = train[0]
    assert image.size == (64, 48)


def test_import_of_class_folders_without_labels_json(tmp_path: Path) -> None:
    path = zip_files(tmp_path / "folders.zip", {
        "train/label_0/a.jpg": png_image(0, fmt="JPEG"),
        "train/label_1/b.jpg": png_image(1, fmt="JPEG"),
        "train/label_1/a.jpg": png_image(0, fmt="JPEG"),
        "test/no_label/c.jpg": png_image(2, fmt="JPEG"),
    })
    dataset = load(NAME, path)
    assert [label.name for label in dataset.labels] == ["label_0", "label_1"]
    frames = frames_by_name(dataset)
    assert {name: (f.subset, [t.label for t in f.tags]) for name, f in frames.items()} == {
        "a.jpg": ("train", ["label_0", "label_1"]), "b.jpg": ("train", ["label_1"]), "c.jpg": ("test", [])}
    assert frames["b.jpg"].image is not None and frames["b.jpg"].image.read() == png_image(1, fmt="JPEG")


@pytest.mark.parametrize(("document", "message"), [
    ('{"a": {"labels": ["cat"], "path": "cat/a.jpg"},}', "train/labels.json, line 1, column 47: invalid JSON"),
    ('{"a": {"labels": "cat"}}', "train/labels.json, a.labels: expected a list"),
    ('{"a": {"labels": [1]}}', "train/labels.json, a.labels: expected a list of label names"),
    ('["a"]', "train/labels.json: expected an object of images"),
])
def test_bad_labels_json_names_the_place(tmp_path: Path, document: str, message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        load(NAME, zip_files(tmp_path / "bad.zip", {"train/labels.json": document}))
    assert str(info.value).startswith(message), str(info.value)


def test_an_upload_without_subset_folders_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="flat.zip: expected <subset>/<label>/<image> folders"):
        load(NAME, zip_files(tmp_path / "flat.zip", {"a.jpg": b"x"}))
