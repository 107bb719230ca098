"""ImageNet 1.0: the list layout, the folder layout (read by torchvision's ImageFolder),
hand-written uploads, bad lists."""

from __future__ import annotations

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

NAME = "ImageNet 1.0"
FMT = get_exporter(NAME)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path) -> None:
    imported = assert_roundtrip(FMT, tmp_path)
    assert {f.name: f.subset for f in imported.frames} == {  # the lists keep subsets
        "frame_000.png": "train", "frame_001.png": "train", "sub/frame_002.png": "", "frame_003.png": ""}


def test_roundtrip_with_images(tmp_path: Path) -> None:
    assert_images_roundtrip(FMT, tmp_path)


def _tagged() -> Dataset:
    tags = [["cat"], ["dog"], ["cat", "dog"], []]
    frames = [Frame(i, name, 64, 48, "", tags=tuple(Tag(t) for t in tags[i]), image=png_media(i, name))
              for i, name in enumerate(["a.png", "b.png", "my photo.png", "d.png"])]
    return Dataset((LabelSpec("cat"), LabelSpec("dog")), frames)


def test_list_layout_file_by_file(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(export_to(FMT, _tagged(), tmp_path / "l.zip"))
    assert sorted(archive.namelist()) == ["default.txt", "synsets.txt"]
    assert archive.read("synsets.txt").decode() == "cat\ndog\n"
    assert archive.read("default.txt").decode().splitlines() == ["a.png 0", "b.png 1", '"my photo".png 0 1', "d.png"]
    frames = frames_by_name(load(NAME, tmp_path / "l.zip"))
    assert [t.label for t in frames["my photo.png"].tags] == ["cat", "dog"]


def test_image_folder_reads_the_folder_layout(tmp_path: Path) -> None:
    datasets = pytest.importorskip("torchvision.datasets")
    with zipfile.ZipFile(export_to(FMT, _tagged(), tmp_path / "f.zip", save_images=True)) as archive:
        assert sorted(archive.namelist()) == ["cat/a.png", "cat/my photo.png", "dog/b.png", "dog/my photo.png",
                                              "no_label/d.png"]
        archive.extractall(tmp_path / "x")
    folder = datasets.ImageFolder(str(tmp_path / "x"))
    assert folder.classes == ["cat", "dog", "no_label"]
    assert sorted((Path(p).name, folder.classes[t]) for p, t in folder.samples) == [
        ("a.png", "cat"), ("b.png", "dog"), ("d.png", "no_label"), ("my photo.png", "cat"), ("my photo.png", "dog")]


def test_import_of_hand_written_lists_and_folders(tmp_path: Path) -> None:
    lists = zip_files(tmp_path / "lists.zip", {"synsets.txt": "n01440764\nn01443537\n",
                                               "train.txt": "ILSVRC_0001.JPEG 1\nILSVRC_0002.JPEG 0\n"})
    frames = frames_by_name(load(NAME, lists))
    assert {n: (f.subset, [t.label for t in f.tags]) for n, f in frames.items()} == {
        "ILSVRC_0001.JPEG": ("train", ["n01443537"]), "ILSVRC_0002.JPEG": ("train", ["n01440764"])}
    folders = zip_files(tmp_path / "folders.zip", {"label1/label1_image1.jpg": png_image(0, fmt="JPEG"),
                                                   "label2/label2_image3.jpg": png_image(1, fmt="JPEG")})
    dataset = load(NAME, folders)
    assert [label.name for label in dataset.labels] == ["label1", "label2"]
    assert {f.name: [t.label for t in f.tags] for f in dataset.frames} == {
        "label1_image1.jpg": ["label1"], "label2_image3.jpg": ["label2"]}


@pytest.mark.parametrize(("files", "message"), [
    ({"synsets.txt": "cat\n", "train.txt": "a.jpg 0\nb.jpg 3\n"}, "train.txt, line 2: label index 3 is not in synsets"),
    ({"synsets.txt": "cat\n", "train.txt": "a.jpg cat\n"}, "train.txt, line 1: expected a label index, got 'cat'"),
    ({"readme.md": "nothing"}, "bad.zip: expected <subset>.txt lists or <label>/<image> folders"),
])
def test_bad_uploads_name_the_place(tmp_path: Path, files: dict[str, str], message: str) -> None:
    with pytest.raises(MalformedFile) as info:
        load(NAME, zip_files(tmp_path / "bad.zip", files))
    assert str(info.value).startswith(message), str(info.value)
