"""The shared round-trip check for format tests: export, import, compare with the fidelity table.

Use from a format's test module::

    from tests.formats.roundtrip import assert_roundtrip, sample_dataset

    def test_roundtrip(tmp_path):
        assert_roundtrip(get_exporter("COCO 1.0"), tmp_path)

:func:`sample_dataset` holds every kind of object (a tag, each shape type, a skeleton with
point states, a box track with an ``outside`` keyframe, a skeleton track) and every property
(attributes of each input type, groups, z_order, rotation, occluded, sources, scores,
subsets, image sizes). :func:`assert_roundtrip` exports it with the format, imports the
archive with the format's importer, and compares the result with what the format's
:class:`~inklab.formats.fidelity.Fidelity` promises:

* kinds declared ``kept`` come back with every property the format does not list as lost;
* kinds ``converted`` come back as the declared type, same label, same place (bounding box
  within a pixel); tracks converted to ``shapes`` come back as one shape per visible frame;
* kinds ``dropped`` do not come back;
* nothing else comes back.

Pass ``dataset=`` (a factory returning a fresh :class:`Dataset`) to check other data, e.g. a
format that needs boxes only.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from inklab.formats import (
    AttributeSpec,
    Dataset,
    DatasetFormat,
    DatasetInfo,
    ExportOptions,
    Frame,
    ImportOptions,
    LabelSpec,
    MediaFile,
    Shape,
    Tag,
    Track,
    TrackedShape,
    ZipOutput,
    attributes,
    open_input,
)
from inklab.formats.fidelity import Fidelity, Outcome, Property
from inklab.formats.geometry import shape_bbox
from inklab.formats.masks import encode_mask
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import InputType, LabelType, ObjectSource, ShapeType
from tests.support.images import make_image

__all__ = ["SAMPLE_SIZE", "assert_images_roundtrip", "assert_roundtrip", "compare", "export_to", "materialize", "png_media", "roundtrip",
           "sample_dataset", "sample_labels", "size_lookup"]

SAMPLE_SIZE = (64, 48)  # width, height of the sample frames
SKELETON_SVG = ('<line x1="20" y1="20" x2="40" y2="40" data-type="edge" data-node-from="1" data-node-to="2"></line>'
                '<circle r="1.5" cx="20" cy="20" data-type="element node" data-element-id="1" data-node-id="1" '
                'data-label-name="head"></circle><circle r="1.5" cx="40" cy="40" data-type="element node" '
                'data-element-id="2" data-node-id="2" data-label-name="hand"></circle>')


def sample_labels() -> tuple[LabelSpec, ...]:
    return (
        LabelSpec("car", LabelType.ANY, "#ff0000", (
            AttributeSpec("color", InputType.SELECT, ("red", "blue"), "red"),
            AttributeSpec("parked", InputType.CHECKBOX, ("false",), "false", mutable=True),
            AttributeSpec("speed", InputType.NUMBER, ("0", "100", "5"), "0", mutable=True),
            AttributeSpec("plate", InputType.TEXT, (), ""),
            AttributeSpec("kind", InputType.RADIO, ("sedan", "van"), "sedan"),
        )),
        LabelSpec("road", LabelType.ANY, "#00ff00"),
        LabelSpec("person", LabelType.SKELETON, "#0000ff", sublabels=(
            LabelSpec("head", LabelType.POINTS, "#111111"),
            LabelSpec("hand", LabelType.POINTS, "#222222",
                      (AttributeSpec("side", InputType.SELECT, ("left", "right"), "left"),)),
        ), svg=SKELETON_SVG),
        LabelSpec("scene", LabelType.TAG, "#333333", (AttributeSpec("weather", InputType.TEXT, (), "sunny"),)),
    )


def png_media(index: int, name: str) -> MediaFile:
    buffer = io.BytesIO()
    make_image(index, SAMPLE_SIZE).save(buffer, format="PNG")
    data = buffer.getvalue()
    return MediaFile(name, lambda: io.BytesIO(data))


def _mask() -> tuple[float, ...]:
    import numpy as np

    bitmap = np.zeros((SAMPLE_SIZE[1], SAMPLE_SIZE[0]), dtype=bool)
    bitmap[10:20, 30:41] = True
    bitmap[12:15, 33:36] = False
    return encode_mask(bitmap)


def _car(**kwargs: Any) -> tuple[Any, ...]:
    return attributes({"color": "blue", "parked": True, "speed": 35, "plate": "AB 12", "kind": "van", **kwargs})


def _skeleton(dx: float = 0.0, **kwargs: Any) -> Shape:
    return Shape(ShapeType.SKELETON, "person", (), elements=(
        Shape(ShapeType.POINTS, "head", (20.0 + dx, 10.0), occluded=True),
        Shape(ShapeType.POINTS, "hand", (25.0 + dx, 30.0), attributes=attributes(side="right")),
    ), **kwargs)


def sample_frames(with_images: bool = False) -> list[Frame]:
    w, h = SAMPLE_SIZE
    names = ["frame_000.png", "frame_001.png", "sub/frame_002.png", "frame_003.png"]
    subsets = ["train", "train", "", ""]
    content: list[tuple[tuple[Tag, ...], tuple[Shape, ...]]] = [
        ((Tag("scene", attributes(weather="rain"), source=ObjectSource.AUTO),), (
            Shape(ShapeType.RECTANGLE, "car", (5.5, 6.25, 30.0, 25.0), occluded=True, z_order=2, rotation=30.0,
                  attributes=_car(), group=1, source=ObjectSource.AUTO, score=0.75),
            Shape(ShapeType.POLYGON, "road", (1.0, 40.0, 60.0, 40.0, 60.0, 47.0, 1.0, 47.0), z_order=1, group=1),
            Shape(ShapeType.POLYLINE, "road", (0.0, 0.0, 10.5, 5.0, 20.0, 0.0)),
            Shape(ShapeType.POINTS, "road", (3.0, 3.0, 4.0, 4.0)),
            Shape(ShapeType.ELLIPSE, "car", (40.0, 20.0, 48.0, 14.0), rotation=10.0,
                  attributes=_car(color="red", parked=False, speed=0, plate="", kind="sedan")),
            Shape(ShapeType.CUBOID, "car", (10.0, 10.0, 10.0, 20.0, 20.0, 10.0, 20.0, 20.0,
                                            15.0, 8.0, 15.0, 18.0, 25.0, 8.0, 25.0, 18.0),
                  attributes=_car()),
            Shape(ShapeType.MASK, "road", _mask(), occluded=True),
            _skeleton(z_order=1, source=ObjectSource.SEMI_AUTO),
        )),
        ((), (
            Shape(ShapeType.RECTANGLE, "car", (1.0, 2.0, 11.0, 12.0), attributes=_car(plate="X, Y; \"Z\" <&>")),
        )),
        ((Tag("scene", attributes(weather="fog")),), ()),
        ((), ()),
    ]
    frames = []
    for i, (tags, shapes) in enumerate(content):
        frames.append(Frame(i, names[i], w, h, subsets[i], tags, shapes,
                            png_media(i, names[i].rsplit("/", 1)[-1]) if with_images else None))
    return frames


def sample_tracks() -> list[Track]:
    box = Track("car", (
        TrackedShape(0, ShapeType.RECTANGLE, (2.0, 2.0, 12.0, 12.0), attributes=attributes(parked=False, speed=10)),
        TrackedShape(2, ShapeType.RECTANGLE, (6.0, 4.0, 16.0, 14.0), occluded=True, z_order=1,
                     attributes=attributes(parked=True, speed=20)),
        TrackedShape(3, ShapeType.RECTANGLE, (6.0, 4.0, 16.0, 14.0), occluded=True, z_order=1, outside=True,
                     attributes=attributes(parked=True, speed=20)),
    ), attributes=attributes(color="red", plate="T1", kind="sedan"), group=2, source=ObjectSource.AUTO)
    person = Track("person", (
        TrackedShape(1, ShapeType.SKELETON, ()),
        TrackedShape(3, ShapeType.SKELETON, ()),
    ), elements=(
        Track("head", (TrackedShape(1, ShapeType.POINTS, (30.0, 30.0)),
                       TrackedShape(3, ShapeType.POINTS, (34.0, 32.0), occluded=True))),
        Track("hand", (TrackedShape(1, ShapeType.POINTS, (40.0, 30.0)),
                       TrackedShape(2, ShapeType.POINTS, (40.0, 30.0), outside=True)),
              attributes=attributes(side="left")),
    ))
    return [box, person]


def sample_dataset(with_images: bool = False) -> Dataset:
    return Dataset(sample_labels(), sample_frames(with_images), sample_tracks(),
                   DatasetInfo(name="sample", size=4, subsets=("train",)))


# -- running a round trip ---------------------------------------------------------------------

def export_to(fmt: DatasetFormat, dataset: Dataset, path: Path, *, save_images: bool = False) -> Path:
    with ZipOutput(path) as out:
        fmt.export(dataset, out, ExportOptions(save_images=save_images))
    return path


def materialize(dataset: Dataset) -> Dataset:
    return replace(dataset, frames=list(dataset.frames), tracks=list(dataset.tracks))


def roundtrip(fmt: DatasetFormat, dataset: Dataset, tmp_path: Path, *, save_images: bool = False) -> Dataset:
    """Export ``dataset`` with ``fmt``, import the archive with the format's importer."""
    from inklab.formats import get_importer

    dataset = materialize(dataset)
    archive = export_to(fmt, dataset, tmp_path / "export.zip", save_images=save_images)
    importer = get_importer(fmt.info.import_name)
    # what a target task tells importers: its frames' sizes and its labels
    options = ImportOptions(image_size=size_lookup(dataset.frames), labels=dataset.labels)
    with open_input(archive) as source:
        dataset = materialize(importer.load(source, options))
        # read the images while the archive is open
        frames = [replace(f, image=_in_memory(f.image)) if f.image is not None else f for f in dataset.frames]
        return replace(dataset, frames=frames)


def size_lookup(frames: Iterable[Frame]) -> Callable[[str], tuple[int, int] | None]:
    """An :attr:`ImportOptions.image_size` for ``frames``: by whole name, base name or stem,
    as the server matches frames."""
    sizes: dict[str, tuple[int, int]] = {}
    for frame in frames:
        for key in (frame.name, frame.name.rsplit("/", 1)[-1], frame.stem):
            sizes.setdefault(key, (frame.width, frame.height))

    def lookup(name: str) -> tuple[int, int] | None:
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        stem = base[:base.rfind(".")] if base.rfind(".") > 0 else base
        for key in (name, base, stem):
            if key in sizes:
                return sizes[key]
        return None

    return lookup


def _in_memory(media: MediaFile) -> MediaFile:
    data = media.read()
    return MediaFile(media.name, lambda: io.BytesIO(data))


def assert_roundtrip(fmt: DatasetFormat, tmp_path: Path, dataset: Callable[[], Dataset] | None = None, *,
                     save_images: bool = False) -> Dataset:
    """Round-trip and compare; fails with a list of differences. Returns the imported dataset."""
    factory = dataset or (lambda: sample_dataset(with_images=save_images))
    actual = roundtrip(fmt, factory(), tmp_path, save_images=save_images)
    problems = compare(factory(), actual, fmt.fidelity)
    assert not problems, f"{fmt.info.name} round trip differs from its fidelity table:\n" + "\n".join(problems)
    return actual


def assert_images_roundtrip(fmt: DatasetFormat, tmp_path: Path) -> Dataset:
    """:func:`assert_roundtrip` of the sample with its images, which must come back byte for byte
    under the same frame names. Returns the imported dataset."""
    imported = assert_roundtrip(fmt, tmp_path, save_images=True)
    original = {f.name: f.image.read() for f in sample_dataset(with_images=True).frames}  # type: ignore[union-attr]
    assert {f.name: f.image.read() if f.image else None for f in imported.frames} == original
    return imported


# -- comparing --------------------------------------------------------------------------------

def _attrs(attrs: Iterable[Any], fidelity: Fidelity) -> tuple[tuple[str, str], ...]:
    if Property.ATTRIBUTES in fidelity.lost:
        return ()
    return tuple(sorted((a.name, a.value.lower() if a.value.lower() in ("true", "false") else a.value)
                        for a in attrs if a.name != "is_crowd"))


def _props(shape: Shape | TrackedShape, fidelity: Fidelity) -> tuple[Any, ...]:
    lost = fidelity.lost
    return (
        shape.occluded if Property.OCCLUDED not in lost else None,
        shape.z_order if Property.Z_ORDER not in lost else None,
        round(shape.rotation % 360.0, 3) if Property.ROTATION not in lost else None,
    )


def _label(label: str, fidelity: Fidelity) -> str | None:
    return None if Property.OBJECT_LABELS in fidelity.lost else label


def _element_key(element: Shape, fidelity: Fidelity) -> tuple[Any, ...]:
    states = Property.ELEMENT_STATES not in fidelity.lost
    attrs = () if Property.POINT_ATTRIBUTES in fidelity.lost else _attrs(element.attributes, fidelity)
    return (element.label, element.occluded if states else None, element.outside if states else None, attrs)


def _shape_key(shape: Shape, fidelity: Fidelity, becomes: str | None) -> tuple[Any, ...]:
    lost = fidelity.lost
    kind = becomes or shape.type.value
    key: tuple[Any, ...] = (
        "shape", kind, _label(shape.label, fidelity), _attrs(shape.attributes, fidelity),
        shape.group if Property.GROUP not in lost else None,
        shape.source if Property.SOURCE not in lost else None,
        round(shape.score, 6) if Property.SCORE not in lost else None,
    )
    if becomes is None:
        key += _props(shape, fidelity)
        key += (tuple(sorted(_element_key(e, fidelity) for e in shape.elements)),)
    return key


def _geometry(shape: Shape, converted: bool) -> tuple[float, ...]:
    if converted:
        return shape_bbox(shape)
    if shape.type == ShapeType.SKELETON:
        return tuple(v for e in sorted(shape.elements, key=lambda e: e.label) for v in e.points)
    return shape.points


def _close(a: tuple[float, ...], b: tuple[float, ...], tolerance: float) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


Record = tuple[Any, tuple[float, ...], float]
Candidate = list[tuple[Any, tuple[float, ...]]]


def _match(expected: list[Record], actual: list[Candidate], where: str) -> list[str]:
    """Pair expected records with actual objects; each actual object lists its possible keys
    (a polygon may be an original polygon or a converted ellipse)."""
    problems = []
    remaining = list(actual)
    for key, geometry, tolerance in expected:
        for i, alternatives in enumerate(remaining):
            if any(k == key and _close(geometry, g, tolerance) for k, g in alternatives):
                del remaining[i]
                break
        else:
            near = [k for alternatives in remaining for k, _ in alternatives if k[:3] == key[:3]]
            problems.append(f"{where}: missing {key} at {geometry}" + (f"; candidates: {near}" if near else ""))
    for alternatives in remaining:
        key, geometry = alternatives[0]
        problems.append(f"{where}: unexpected {key} at {geometry}")
    return problems


def _frame_key(frame: Frame, fidelity: Fidelity, by_index: bool = False) -> str:
    """How frames of the original and the import are paired: by name; by number when the import
    has no names (CVAT for video) or the format loses names but the import numbers its frames;
    otherwise by the name without directories and extension (the server's last resort)."""
    if by_index:
        return f"#{frame.index}"
    if Property.FRAME_NAMES in fidelity.lost:
        return frame.stem
    return frame.name


def _shapes_to_tracks(frames: list[Frame], fidelity: Fidelity, dataset: Dataset) -> tuple[list[Frame], list[Track]]:
    """Shapes of types the format turns into tracks, as the one-frame tracks they become."""
    from inklab.formats.tracks import assemble_tracks

    converting = {t for t in ShapeType if fidelity.rule(t.value).becomes == "track"}
    if not converting:
        return frames, []
    counter = iter(range(1_000_000, 2_000_000))
    marked = [replace(f, shapes=tuple(replace(s, track_id=next(counter), keyframe=True,
                                              elements=tuple(replace(e, keyframe=True) for e in s.elements))
                                      if s.type in converting else s for s in f.shapes)) for f in frames]
    labels = {label.name: label for label in dataset.labels}
    rest, tracks = assemble_tracks(marked, frame_count=len(frames), labels=labels)
    return rest, tracks


def _visible_parts(frame: Frame, fidelity: Fidelity) -> Frame:
    """For formats that paint areas into one map (masks kept, other areas converted to masks):
    each area shape as the mask of its pixels that stay visible after painting in drawing order;
    shapes that stay hidden disappear."""
    from inklab.formats.raster import AREA_TYPES, paint

    areas = [s for s in frame.shapes if s.type in AREA_TYPES and fidelity.rule(s.type.value).outcome != Outcome.DROPPED]
    if not areas or not (frame.width and frame.height) or fidelity.rule("mask").outcome != Outcome.KEPT:
        return frame
    canvas = paint(areas, frame.width, frame.height)
    visible: dict[int, Shape | None] = {}
    for i, shape in enumerate(areas):
        pixels = canvas == i + 1
        visible[id(shape)] = (replace(shape, type=ShapeType.MASK, points=encode_mask(pixels), rotation=0.0)
                              if pixels.any() else None)
    shapes = [visible.get(id(s), s) for s in frame.shapes]
    return replace(frame, shapes=tuple(s for s in shapes if s is not None))


def compare(expected: Dataset, actual: Dataset, fidelity: Fidelity) -> list[str]:
    """Differences between what ``fidelity`` promises for ``expected`` and ``actual``."""
    problems: list[str] = []
    tolerance = max(fidelity.precision, 1e-6)
    expected_frames = list(expected.frames)
    track_rule = fidelity.rule("track")
    if track_rule.outcome == Outcome.CONVERTED:
        expected_frames = list(flatten_tracks(expected_frames, expected.tracks))
    expected_frames, as_tracks = _shapes_to_tracks(expected_frames, fidelity, expected)
    if Property.OVERLAPS in fidelity.lost:
        expected_frames = [_visible_parts(frame, fidelity) for frame in expected_frames]
    imported = list(actual.frames)
    by_index = bool(imported) and (
        all(not f.name for f in imported)
        or (Property.FRAME_NAMES in fidelity.lost and all(f.index is not None for f in imported)))
    actual_frames = {_frame_key(f, fidelity, by_index): f for f in imported}
    for frame in expected_frames:
        key = _frame_key(frame, fidelity, by_index)
        got = actual_frames.pop(key, None)
        records: list[Record] = []
        for tag in frame.tags:
            rule = fidelity.rule("tag")
            if rule.outcome == Outcome.KEPT:
                records.append((("tag", _label(tag.label, fidelity), _attrs(tag.attributes, fidelity),
                                  tag.source if Property.SOURCE not in fidelity.lost else None), (), 0.0))
        for shape in frame.shapes:
            rule = fidelity.rule(shape.type.value)
            if rule.outcome == Outcome.DROPPED:
                continue
            if shape.track_id is not None and track_rule.outcome == Outcome.CONVERTED:
                shape = replace(shape, group=0 if Property.GROUP in fidelity.lost else shape.group)
            converted = rule.outcome == Outcome.CONVERTED
            records.append((_shape_key(shape, fidelity, rule.becomes), _geometry(shape, converted),
                            max(tolerance, 1.0) if converted else tolerance))
        if Property.INSTANCES in fidelity.lost:
            records = _merge_instances(records)
        if got is None:
            if records:
                problems.append(f"frame '{key}': missing from the import")
            continue
        if Property.SUBSETS not in fidelity.lost and got.subset != frame.subset:
            problems.append(f"frame '{key}': subset {got.subset!r}, expected {frame.subset!r}")
        if Property.IMAGE_SIZE not in fidelity.lost and (got.width, got.height) != (frame.width, frame.height):
            problems.append(f"frame '{key}': size {got.width}x{got.height}, expected {frame.width}x{frame.height}")
        found: list[Candidate] = []
        for tag in got.tags:
            found.append([(("tag", _label(tag.label, fidelity), _attrs(tag.attributes, fidelity),
                            tag.source if Property.SOURCE not in fidelity.lost else None), ())])
        for shape in got.shapes:
            alternatives: Candidate = []
            if fidelity.rule(shape.type.value).outcome == Outcome.KEPT:
                alternatives.append((_shape_key(shape, fidelity, None), _geometry(shape, False)))
            if any(r.outcome == Outcome.CONVERTED and r.becomes == shape.type.value for r in fidelity.rules.values()):
                alternatives.append((_shape_key(shape, fidelity, shape.type.value), _geometry(shape, True)))
            if not alternatives:  # a type the format should not produce at all
                alternatives.append((_shape_key(shape, fidelity, None), _geometry(shape, False)))
            found.append(alternatives)
        problems.extend(_match(records, found, f"frame '{key}'"))
    for key, frame in actual_frames.items():
        if frame.tags or frame.shapes:
            problems.append(f"frame '{key}': not in the original, but has annotations")
    problems.extend(_compare_tracks(expected, actual, fidelity, tolerance, as_tracks))
    problems.extend(_compare_labels(expected, actual, fidelity))
    return problems


def _merge_instances(records: list[Record]) -> list[Record]:
    """Records of masks with the same key as one record around all of them: formats with
    semantic masks (one region per label and frame) give back one mask for all the objects
    of a label."""
    merged: dict[Any, list[float]] = {}
    rest: list[Record] = []
    for key, geometry, tolerance in records:
        if key[0] != "shape" or key[1] != ShapeType.MASK.value or len(geometry) != 4:
            rest.append((key, geometry, tolerance))
            continue
        x, y, w, h = geometry
        box = merged.setdefault(key, [x, y, x + w, y + h])
        box[:] = [min(box[0], x), min(box[1], y), max(box[2], x + w), max(box[3], y + h)]
    for key, (x1, y1, x2, y2) in merged.items():
        rest.append((key, (x1, y1, x2 - x1, y2 - y1), 1.0))
    return rest


def _track_key(track: Track, fidelity: Fidelity) -> tuple[Any, ...]:
    lost = fidelity.lost
    # the state of an outside keyframe is invisible: only its frame matters
    keyframes = tuple((s.frame, s.type.value, s.outside, None if s.outside else _props(s, fidelity),
                       None if s.outside else _attrs(s.attributes, fidelity)) for s in track.shapes)
    elements = tuple(sorted(
        (e.label, () if Property.POINT_ATTRIBUTES in lost else _attrs(e.attributes, fidelity),
         tuple((s.frame, s.outside if Property.ELEMENT_STATES not in lost else None,
                s.occluded if Property.ELEMENT_STATES not in lost and not s.outside else None,
                None if s.outside else _attrs(s.attributes, fidelity)) for s in e.shapes))
        for e in track.elements))
    return (_label(track.label, fidelity), _attrs(track.attributes, fidelity),
            track.group if Property.GROUP not in lost else None,
            track.source if Property.SOURCE not in lost else None, keyframes, elements)


def _track_geometry(track: Track) -> tuple[float, ...]:
    points = [v for s in track.shapes if not s.outside for v in s.points]
    for element in sorted(track.elements, key=lambda e: e.label):
        points.extend(v for s in element.shapes if not s.outside for v in s.points)
    return tuple(points)


def _compare_tracks(expected: Dataset, actual: Dataset, fidelity: Fidelity, tolerance: float,
                    from_shapes: list[Track]) -> list[str]:
    rule = fidelity.rule("track")
    want = [(_track_key(replace(t, id=None), fidelity), _track_geometry(t), tolerance) for t in from_shapes]
    if rule.outcome == Outcome.KEPT:
        for track in expected.tracks:
            if fidelity.rule(track.type.value).outcome != Outcome.DROPPED:
                want.append((_track_key(track, fidelity), _track_geometry(track), tolerance))
    got = [[(_track_key(t, fidelity), _track_geometry(t))] for t in actual.tracks]
    return _match(want, got, "tracks")


def _compare_labels(expected: Dataset, actual: Dataset, fidelity: Fidelity) -> list[str]:
    if Property.LABEL_SPECS in fidelity.lost:
        return []
    problems = []
    got = {label.name: label for label in actual.labels}
    for label in expected.labels:
        other = got.get(label.name)
        if other is None:
            problems.append(f"labels: '{label.name}' is missing")
            continue
        if Property.SKELETON_SVG in fidelity.lost:
            other, label = replace(other, svg=""), replace(label, svg="")
        if other != label:
            problems.append(f"labels: '{label.name}' differs:\n  expected {label}\n  got      {other}")
    return problems
