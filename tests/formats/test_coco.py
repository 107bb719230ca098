"""COCO 1.0: round trip, pycocotools reading our exports, hand-written imports, bad files.

Tests that read files take the ``json_reading`` fixture: they run with the file parsed whole
and streamed (:mod:`inklab.formats.jsonstream`'s threshold at 0)."""

from __future__ import annotations

import json
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from inklab.formats import (
    ImportOptions,
    MalformedFile,
    get_exporter,
    get_importer,
    jsonstream,
    masks,
    open_input,
)
from inklab.formats.masks import decode_mask
from inklab.vocabulary import ShapeType
from tests.formats.roundtrip import assert_roundtrip, export_to, sample_dataset

FMT = get_exporter("COCO 1.0")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pycocotools")


def _load(path: Path) -> list:
    with open_input(path) as source:
        return list(get_importer("COCO 1.0").load(source, ImportOptions()).frames)


def test_roundtrip_matches_the_fidelity_table(tmp_path: Path, json_reading: str) -> None:
    assert_roundtrip(FMT, tmp_path)


def test_roundtrip_with_images_carries_the_image_bytes(tmp_path: Path, json_reading: str) -> None:
    imported = assert_roundtrip(FMT, tmp_path, save_images=True)
    original = {f.name: f.image.read() for f in sample_dataset(with_images=True).frames}
    frames = {f.name: f for f in imported.frames}
    assert set(frames) == set(original)
    for name, frame in frames.items():
        assert frame.image is not None and frame.image.read() == original[name]
    names = zipfile.ZipFile(tmp_path / "export.zip").namelist()
    assert "images/train/frame_000.png" in names and "images/default/sub/frame_002.png" in names


def test_pycocotools_reads_counts_areas_and_masks(tmp_path: Path) -> None:
    archive = export_to(FMT, sample_dataset(), tmp_path / "coco.zip")
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["annotations/instances_default.json", "annotations/instances_train.json"]
        zf.extractall(tmp_path / "x")
    train = COCO(str(tmp_path / "x/annotations/instances_train.json"))
    default = COCO(str(tmp_path / "x/annotations/instances_default.json"))
    assert [c["name"] for c in train.loadCats(train.getCatIds())] == ["car", "road"]
    assert len(train.getImgIds()) == 2 and len(default.getImgIds()) == 2
    frame0 = train.getImgIds()[0]
    anns = train.loadAnns(train.getAnnIds(imgIds=[frame0]))
    # rectangle, polygon, ellipse (as polygon), mask, and the box track's first frame
    assert len(anns) == 5
    assert sum(1 for a in anns if a["segmentation"] == []) == 2
    for ann in anns:
        if ann["segmentation"] == []:  # boxes, as CVAT writes them: no segmentation
            assert ann["area"] == pytest.approx(ann["bbox"][2] * ann["bbox"][3])
            continue
        rle = train.annToRLE(ann)
        decoded = mask_utils.decode(rle)
        assert decoded.shape == (48, 64)
        if isinstance(ann["segmentation"], dict):  # the mask: pixel-exact with our area and bbox
            assert float(mask_utils.area(rle)) == ann["area"] == 10 * 11 - 9
            assert list(mask_utils.toBbox(rle)) == ann["bbox"] == [30.0, 10.0, 11.0, 10.0]
            expected, left, top = decode_mask(sample_dataset().frames[0].shapes[6].points)
            assert np.array_equal(decoded[top:top + expected.shape[0], left:left + expected.shape[1]], expected)
            assert decoded.sum() == expected.sum()
        else:  # polygons: pycocotools' rasterized area is close to the geometric one
            assert abs(float(mask_utils.area(rle)) - ann["area"]) <= 0.15 * ann["area"] + 2
    # the box track: frames 0..2 visible (interpolated at 1), outside from frame 3
    track_anns = [a for img in (*train.getImgIds(), *default.getImgIds())
                  for a in (train if img in train.getImgIds() else default).loadAnns(
                      (train if img in train.getImgIds() else default).getAnnIds(imgIds=[img]))
                  if a["attributes"].get("plate") == "T1"]
    assert [a["bbox"] for a in track_anns] == [[2.0, 2.0, 10.0, 10.0], [4.0, 3.0, 10.0, 10.0], [6.0, 4.0, 10.0, 10.0]]


HAND_WRITTEN = {
    "images": [
        {"id": 7, "file_name": "a.jpg", "width": 20, "height": 10},
        {"id": 9, "file_name": "b.jpg", "width": 20, "height": 10},
    ],
    "categories": [{"id": 3, "name": "cat", "supercategory": ""}, {"id": 5, "name": "dog"}],
    "annotations": [
        {"id": 1, "image_id": 7, "category_id": 3, "bbox": [1, 2, 3, 4], "area": 12, "iscrowd": 0,
         "segmentation": [], "attributes": {"occluded": True, "fluffy": True, "age": 3}},
        {"id": 2, "image_id": 7, "category_id": 5, "iscrowd": 0, "area": 50, "bbox": [0, 0, 5, 5],
         "segmentation": [[0, 0, 5, 0, 5, 5], [10, 0, 15, 0, 15, 5, 10, 5]]},
        {"id": 3, "image_id": 9, "category_id": 5, "iscrowd": 1, "area": 4, "bbox": [2, 1, 2, 2],
         # uncompressed column-major counts over 10x20: pixels (x 2..3, y 1..2)
         "segmentation": {"size": [10, 20], "counts": [21, 2, 8, 2, 167]}},
        {"id": 4, "image_id": 9, "category_id": 3, "bbox": [5, 5, 2, 2], "score": 0.5},
    ],
}


def test_import_of_a_hand_written_file(tmp_path: Path, json_reading: str) -> None:
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(HAND_WRITTEN))
    frames = {f.name: f for f in _load(path)}
    assert set(frames) == {"a.jpg", "b.jpg"}
    a, b = frames["a.jpg"], frames["b.jpg"]
    assert (a.width, a.height, a.subset) == (20, 10, "val")
    box, *polygons = a.shapes
    assert box.type == ShapeType.RECTANGLE and box.label == "cat" and box.points == (1, 2, 4, 6)
    assert box.occluded and {(x.name, x.value) for x in box.attributes} == {("fluffy", "true"), ("age", "3")}
    assert [p.type for p in polygons] == [ShapeType.POLYGON] * 2
    assert polygons[0].group == polygons[1].group != 0
    assert polygons[1].points == (10, 0, 15, 0, 15, 5, 10, 5)
    crowd, scored = b.shapes
    assert crowd.type == ShapeType.MASK and crowd.attribute("is_crowd") == "true"
    bitmap, left, top = decode_mask(crowd.points)
    assert (left, top) == (2, 1) and bitmap.shape == (2, 2) and bitmap.all()
    assert scored.type == ShapeType.RECTANGLE and scored.score == 0.5


def test_crowd_shapes_export_as_crowd_rle(tmp_path: Path, json_reading: str) -> None:
    from inklab.formats import Dataset, Frame, LabelSpec, Shape, attributes

    polygon = Shape(ShapeType.POLYGON, "cat", (2, 2, 12, 2, 12, 8, 2, 8), attributes=attributes(is_crowd=True))
    dataset = Dataset((LabelSpec("cat"),), [Frame(0, "x.png", 20, 10, shapes=(polygon,))])
    export_to(FMT, dataset, tmp_path / "c.zip")
    ann = json.loads(zipfile.ZipFile(tmp_path / "c.zip").read("annotations/instances_default.json"))["annotations"][0]
    assert ann["iscrowd"] == 1 and isinstance(ann["segmentation"], dict)
    assert 50 <= mask_utils.area(ann["segmentation"]) <= 77
    back = _load(tmp_path / "c.zip")[0].shapes[0]
    assert back.type == ShapeType.MASK and back.attribute("is_crowd") == "true"


@pytest.mark.parametrize(("document", "where"), [
    ('{"images": [], "annotations": [}', "line 1, column 32"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [],
      "annotations": [{"image_id": 1, "category_id": 4, "bbox": [0, 0, 1, 1]}]}, "annotations[0].category_id"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "x"}],
      "annotations": [{"image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1]}]}, "annotations[0].image_id"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "x"}],
      "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1]}]}, "annotations[0].bbox"),
    ({"images": [{"id": 1}], "categories": [], "annotations": []}, "images[0].file_name"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "x"}],
      "annotations": [{"image_id": 1, "category_id": 1, "segmentation": [[1, 2, 3]]}]},
     "annotations[0].segmentation[0]"),
    # the wrong types, wherever the field is
    ({"images": [], "annotations": {}}, "annotations: expected a list, got dict"),
    ({"annotations": [], "images": 5}, "images: expected a list, got int"),
    ({"annotations": [], "categories": "cat", "images": []}, "categories: expected a list, got str"),
    ({"images": [], "categories": [{"id": "1", "name": "x"}]}, "categories[0].id: expected an integer"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [5]}, "annotations[0]: expected an object, got int"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "x"}],
      "annotations": [{"category_id": 1, "bbox": [0, 0, 1, 1]}]}, "annotations[0].image_id: this field is required"),
    ({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "x"}],
      "annotations": [{"image_id": "1", "category_id": 1, "bbox": [0, 0, 1, 1]}]},
     "annotations[0].image_id: expected an integer, got '1'"),
    # late in the file: after annotations that were fine, and images after the annotations
    ({"categories": [{"id": 1, "name": "x"}],
      "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}] * 3
      + [{"image_id": 3, "category_id": 1, "bbox": [0, 0, 1, 1]}],
      "images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2, "file_name": "b.jpg"}]}, "annotations[3].image_id"),
    ({"annotations": [], "images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2}]}, "images[1].file_name"),
])
def test_bad_files_name_the_file_and_the_place(tmp_path: Path, document: object, where: str,
                                              json_reading: str) -> None:
    path = tmp_path / "instances_default.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    with pytest.raises(MalformedFile) as info:
        _load(path)
    expected = where if ":" in where else f"{where}:"  # the place alone, or the place and the problem
    assert str(info.value).startswith(f"instances_default.json, {expected}"), str(info.value)


def test_a_zip_without_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(MalformedFile, match="empty.zip: no COCO .json"):
        _load(path)


def test_export_of_an_empty_scope_is_valid_coco(tmp_path: Path) -> None:
    from inklab.formats import Dataset

    export_to(FMT, Dataset((), []), tmp_path / "e.zip")
    document = json.loads(zipfile.ZipFile(tmp_path / "e.zip").read("annotations/instances_default.json"))
    assert document["images"] == [] and document["annotations"] == [] and document["categories"] == []


# -- large files: streamed in passes (the same results and errors as parsed whole) ------------------

def _frames_of(document: object, tmp_path: Path) -> list:
    path = tmp_path / "instances_default.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return _load(path)


def test_the_size_threshold_decides_between_parsing_whole_and_streaming(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = b'{"images": []}'
    (tmp_path / "plain.json").write_bytes(content)
    with zipfile.ZipFile(tmp_path / "packed.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("annotations/instances_default.json", content)  # a member's size is not known beforehand
    for path, name in ((tmp_path / "plain.json", "plain.json"),
                       (tmp_path / "packed.zip", "annotations/instances_default.json")):
        with open_input(path) as source:
            monkeypatch.setattr(jsonstream, "STREAM_THRESHOLD", len(content))
            assert jsonstream.read_json(source, name) == {"images": []}
            monkeypatch.setattr(jsonstream, "STREAM_THRESHOLD", len(content) - 1)
            stream = jsonstream.read_json(source, name)
            assert isinstance(stream, jsonstream.JsonStream) and list(stream.items("images")) == [[]]
    monkeypatch.undo()
    assert jsonstream.STREAM_THRESHOLD == 64 << 20  # what is used unpatched


def _ann(n: int, image: int, category: int = 3, **fields: object) -> dict:
    return {"id": n, "image_id": image, "category_id": category, "bbox": [n, 0, 2, 2], **fields}


#: annotations in no order of images; c.jpg has none; b.jpg an annotation of two polygons
UNSORTED = {
    "info": {"year": 2024, "nested": [{"deep": [1, {"x": None}]}]},
    "licenses": [],
    "images": [{"id": 7, "meta": {"tags": ["x", {"y": [1]}]}, "file_name": "a.jpg", "width": 20, "height": 10},
               {"id": 9, "file_name": "b.jpg", "width": 20, "height": 10},
               {"id": 8, "file_name": "c.jpg"}],
    "annotations": [_ann(1, 9), _ann(2, 7, 5), _ann(3, 9, segmentation=[[0, 0, 4, 0, 4, 4], [5, 5, 9, 5, 9, 9]]),
                    _ann(4, 7)],
    "categories": [{"id": 3, "name": "cat"}, {"id": 5, "name": "dog"}],
}


@pytest.mark.parametrize("order", [
    ("info", "licenses", "images", "annotations", "categories"),  # the COCO dataset's own files
    ("categories", "images", "annotations", "info", "licenses"),  # inklab's and CVAT's exports
    ("annotations", "categories", "info", "images", "licenses"),
    ("annotations", "images", "categories", "info", "licenses"),
])
def test_any_order_of_fields_and_annotations_gives_the_same_frames(
        tmp_path: Path, json_reading: str, order: tuple[str, ...]) -> None:
    frames = _frames_of({key: UNSORTED[key] for key in order}, tmp_path)
    assert [(f.name, f.width, f.height) for f in frames] == [("a.jpg", 20, 10), ("b.jpg", 20, 10), ("c.jpg", 0, 0)]
    a, b, c = ([(s.type, s.label, s.points) for s in f.shapes] for f in frames)
    assert a == [(ShapeType.RECTANGLE, "dog", (2, 0, 4, 2)), (ShapeType.RECTANGLE, "cat", (4, 0, 6, 2))]
    assert b == [(ShapeType.RECTANGLE, "cat", (1, 0, 3, 2)), (ShapeType.POLYGON, "cat", (0, 0, 4, 0, 4, 4)),
                 (ShapeType.POLYGON, "cat", (5, 5, 9, 5, 9, 9))]
    assert c == []
    assert frames[1].shapes[1].group == frames[1].shapes[2].group != 0


def _counting_annotations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the annotations the streamed reader has read so far (its last pass)."""
    read: list[int] = []
    items = jsonstream.JsonStream.items

    def counting(self: jsonstream.JsonStream, prefix: str) -> Iterator[object]:
        for item in items(self, prefix):
            if prefix == "annotations.item":
                read.append(item["id"])  # type: ignore[index]
            yield item

    monkeypatch.setattr(jsonstream.JsonStream, "items", counting)
    monkeypatch.setattr(jsonstream, "STREAM_THRESHOLD", 0)
    return read


def test_a_streamed_file_hands_out_each_frame_once_its_annotations_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = _counting_annotations(monkeypatch)
    images = [{"id": i, "file_name": f"{i}.jpg"} for i in (1, 2, 3, 4)]
    document = {"categories": [{"id": 3, "name": "cat"}], "images": images,
                "annotations": [_ann(1, 1), _ann(2, 1), _ann(3, 3), _ann(4, 3), _ann(5, 4)]}
    (tmp_path / "instances_default.json").write_text(json.dumps(document))
    with open_input(tmp_path / "instances_default.json") as source:
        frames = get_importer("COCO 1.0").load(source, ImportOptions()).frames
        first = next(frames)
        assert (first.name, len(first.shapes), read) == ("1.jpg", 2, [1, 2])  # not a byte further
        second = next(frames)  # no annotations: it follows at once
        assert (second.name, second.shapes, read) == ("2.jpg", (), [1, 2])
        assert [(f.name, len(f.shapes), list(read)) for f in frames] == [("3.jpg", 2, [1, 2, 3, 4]),
                                                                         ("4.jpg", 1, [1, 2, 3, 4, 5])]


def test_a_streamed_file_in_another_order_holds_frames_until_complete(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = _counting_annotations(monkeypatch)
    frames = iter(_frames_of(UNSORTED, tmp_path))
    assert read == [1, 2, 3, 4]
    # a.jpg's annotations are the 2nd and 4th: it came out only after the last one
    assert [len(f.shapes) for f in frames] == [2, 3, 0]


def test_a_truncated_file_gives_the_same_message_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = json.dumps(UNSORTED, indent=1)
    for end in (len(text) // 5, text.index('"annotations"') + 40, len(text) - 30, len(text) - 1):
        messages = []
        for threshold in (1 << 30, 0):
            monkeypatch.setattr(jsonstream, "STREAM_THRESHOLD", threshold)
            with pytest.raises(MalformedFile) as info:
                _frames_of(text[:end], tmp_path)
            messages.append(str(info.value))
        assert messages[0] == messages[1], end
        assert messages[0].startswith("instances_default.json, line ") and messages[0].endswith(
            "invalid JSON (unexpected end of data)")


@pytest.mark.parametrize("document", [
    '{"images": [], "annotations": [}',
    '{"images": [], "annotations": [1,\n 2, x]}',
    '{"images": [{"id": 1, "file_name": "é€.jpg", "x": ]}]}',
    # beyond the first chunk the parser reads (64 KiB), several lines down, after non-ASCII text
    '{"info": {"text": "%s"},\n"images": [\n],\n "annotations": [], "categories": ["ü", {"id": 1, "name": "x"},, 3]}'
    % ("ä" * 70_000),
])
def test_syntax_errors_are_placed_where_the_whole_file_parser_places_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document: str) -> None:
    found = []
    for threshold in (1 << 30, 0):
        monkeypatch.setattr(jsonstream, "STREAM_THRESHOLD", threshold)
        with pytest.raises(MalformedFile) as info:
            _frames_of(document, tmp_path)
        found.append((info.value.file, info.value.where, info.value.problem.startswith("invalid JSON (")))
    assert found[0] == found[1]
    assert found[1][1].startswith("line ") and found[1][2]


@pytest.mark.parametrize(("document", "problem"), [("[1, 2]", "list"), ('"coco"', "str"), ("3", "int")])
def test_a_top_level_that_is_not_an_object_is_refused(tmp_path: Path, json_reading: str, document: str,
                                                      problem: str) -> None:
    with pytest.raises(MalformedFile) as info:
        _frames_of(document, tmp_path)
    assert str(info.value) == f"instances_default.json: expected an object, got {problem}"


def test_an_error_late_in_a_streamed_file_comes_after_the_frames_before_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the server writes the frames it gets inside one transaction: it rolls them back on the error
    monkeypatch.setattr(jsonstream, "STREAM_THRESHOLD", 0)
    images = [{"id": i, "file_name": f"{i}.jpg"} for i in (1, 2, 3)]
    document = {"categories": [{"id": 3, "name": "cat"}], "images": images,
                "annotations": [_ann(1, 1), _ann(2, 2), _ann(3, 3, category=4)]}
    (tmp_path / "instances_default.json").write_text(json.dumps(document))
    taken = []
    with open_input(tmp_path / "instances_default.json") as source, pytest.raises(MalformedFile) as info:
        for frame in get_importer("COCO 1.0").load(source, ImportOptions()).frames:
            taken.append(frame.name)
    assert taken == ["1.jpg", "2.jpg"]
    assert str(info.value) == ("instances_default.json, annotations[2].category_id: "
                               "category 4 is not in 'categories'")


def test_the_collector_is_paused_only_inside_the_streamed_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    monkeypatch.setattr(jsonstream, "STREAM_THRESHOLD", 0)
    assert gc.isenabled()
    seen = []
    with open_input(_write_sorted(tmp_path, bad_last=False)) as source:
        for frame in get_importer("COCO 1.0").load(source, ImportOptions()).frames:
            seen.append((frame.name, gc.isenabled()))  # the consumer's code runs as usual
    assert seen == [("1.jpg", True), ("2.jpg", True), ("3.jpg", True)] and gc.isenabled()
    with open_input(_write_sorted(tmp_path, bad_last=True)) as source, pytest.raises(MalformedFile):
        list(get_importer("COCO 1.0").load(source, ImportOptions()).frames)
    assert gc.isenabled()
    with open_input(_write_sorted(tmp_path, bad_last=False)) as source:
        frames = get_importer("COCO 1.0").load(source, ImportOptions()).frames
        next(frames)
        frames.close()  # a consumer that stops early
    assert gc.isenabled()


def _write_sorted(tmp_path: Path, bad_last: bool) -> Path:
    images = [{"id": i, "file_name": f"{i}.jpg"} for i in (1, 2, 3)]
    document = {"categories": [{"id": 3, "name": "cat"}], "images": images,
                "annotations": [_ann(1, 1), _ann(2, 2), _ann(3, 3, category=4 if bad_last else 3)]}
    path = tmp_path / "instances_default.json"
    path.write_text(json.dumps(document))
    return path


def _rle_bomb(image: dict[str, object]) -> str:
    """A tiny COCO file whose RLE claims 50000 x 50000 pixels, all set (the run lengths add up)."""
    return json.dumps({"images": [{"id": 1, "file_name": "a.png", **image}],
                       "categories": [{"id": 1, "name": "x"}],
                       "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0,
                                        "segmentation": {"size": [50000, 50000], "counts": [0, 50000 * 50000]}}]})


@pytest.mark.parametrize(("image", "lookup", "expected"), [
    ({"width": 64, "height": 48}, None, "50000x50000 (width x height), not the image's 64x48"),
    # the file says its image is that large, the target's frame (what the server knows) is not
    ({"width": 50000, "height": 50000}, (64, 48), "50000x50000 (width x height), not the image's 64x48"),
    # nothing says how large the image is: the RLE's own size, within the pixel limit
    ({}, None, "2,500,000,000 pixels is more than the limit"),
])
def test_an_rle_larger_than_its_image_is_refused_before_it_is_decoded(
        tmp_path: Path, json_reading: str, image: dict[str, object], lookup: tuple[int, int] | None,
        expected: str) -> None:
    path = tmp_path / "instances_default.json"
    path.write_text(_rle_bomb(image))
    assert path.stat().st_size < 300
    options = ImportOptions(image_size=(lambda name: lookup) if lookup else None)
    tracemalloc.start()
    try:
        with open_input(path) as source, pytest.raises(MalformedFile) as info:
            list(get_importer("COCO 1.0").load(source, options).frames)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(info.value).startswith("instances_default.json, annotations[0].segmentation: invalid RLE: ")
    assert expected in str(info.value)
    assert peak < 20 * 1024 * 1024  # nothing of the claimed size was allocated


def test_an_rle_of_its_image_size_imports(tmp_path: Path, json_reading: str) -> None:
    bitmap = np.zeros((48, 64), dtype=bool)
    bitmap[10:20, 5:9] = True
    rle = masks.coco_rle_encode(bitmap)
    path = tmp_path / "instances_default.json"
    path.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}],
                                "categories": [{"id": 1, "name": "x"}],
                                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0,
                                                 "segmentation": {"counts": rle["counts"]}}]}))
    with open_input(path) as source:
        frames = list(get_importer("COCO 1.0").load(source, ImportOptions(image_size=lambda name: (64, 48))).frames)
    shape = frames[0].shapes[0]
    assert shape.type == ShapeType.MASK and shape.points[-4:] == (5.0, 10.0, 8.0, 19.0)
