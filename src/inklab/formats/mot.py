"""MOT 1.1: the MOTChallenge sequence layout, boxes with track identities.

Layout (export)::

    gt/gt.txt          one line per visible box: frame,track,x,y,w,h,not_ignored,class,visibility
    gt/labels.txt      the class names; a line's class is its 1-based position here
    seqinfo.ini        [Sequence] with imDir and seqLength (the number of frames)
    img1/000001.png    with save_images: frame N of the scope as its 1-based number

Frame numbers are 1-based and count from the start of the export, as CVAT writes them: frame
``index - first_frame + 1`` (:attr:`~inklab.formats.model.DatasetInfo.first_frame`: a job's
start frame, so a job's sequence starts at 1); import adds
:attr:`~inklab.formats.registry.ImportOptions.first_frame` back, so a job's file maps to the
job's frames. Boxes are ``x, y`` of the top-left corner and ``w, h``. A box of a track carries the track's number (from 1); a box that is no track's has
track ``-1`` and imports as a plain rectangle. ``not_ignored`` is 0 for boxes whose
attribute ``ignored`` is true; ``visibility`` is the box's ``visibility`` attribute, or 0 for
occluded and 1 for visible boxes (on import, a visibility under 0.5 means occluded; the
columns come back as the attributes ``visibility`` and ``ignored``).

Import takes that archive or a zip holding ``gt.txt`` (anywhere) with ``labels.txt`` next to
it or at the top (without one, the MOTChallenge classes). Frames are identified by number.
A track gets an ``outside`` keyframe where it stops appearing (also after its last box, when
``seqinfo.ini`` or the images tell the sequence length), and rows that lie exactly on the
line between their neighbours are merged into the interpolation again, so a track exported
from CVAT's keyframes comes back with the same keyframes.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Property
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import (
    Attribute,
    Dataset,
    DatasetInfo,
    Frame,
    LabelSpec,
    MediaFile,
    Shape,
    Track,
    TrackedShape,
)
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import Spools, decimal, read_label_list, read_lines, to_float, to_int
from inklab.formats.tracks import flatten_tracks, interpolate
from inklab.vocabulary import LabelType, ObjectSource, ShapeType

__all__ = ["MOT_CLASSES", "Mot", "merge_keyframes"]

#: the MOTChallenge classes, used when an archive has no labels.txt
MOT_CLASSES = ("pedestrian", "person on vehicle", "car", "bicycle", "motorbike", "non motorized vehicle",
               "static person", "distractor", "occluder", "occluder on the ground", "occluder full", "reflection")

_IMAGE = re.compile(r"(\d+)\.(?:jpe?g|png|bmp|webp|tiff?)", re.IGNORECASE)
_TOLERANCE = 1e-3


def merge_keyframes(keyframes: list[TrackedShape]) -> list[TrackedShape]:
    """Drop keyframes whose state is what interpolation between their neighbours gives anyway
    (the first keyframe, ``outside`` ones and the ones next to them stay)."""
    kept: list[TrackedShape] = []
    for k, shape in enumerate(keyframes):
        previous = kept[-1] if kept else None
        following = keyframes[k + 1] if k + 1 < len(keyframes) else None
        if previous is not None and not shape.outside and not previous.outside:
            if following is None or following.outside:
                expected = replace(previous, frame=shape.frame)
            else:
                expected = interpolate(previous, following, shape.frame)
            if expected.occluded == shape.occluded and all(
                    abs(a - b) <= _TOLERANCE for a, b in zip(expected.points, shape.points, strict=True)):
                continue
        kept.append(shape)
    return kept


@dataclass
class _Parsed:
    """What one read of gt.txt gives."""

    labels: list[str]
    shapes: dict[int, list[Shape]] = field(default_factory=dict)
    tracks: dict[int, tuple[str, list[TrackedShape]]] = field(default_factory=dict)
    images: dict[int, MediaFile] = field(default_factory=dict)
    length: int | None = None
    offset: int = 0  # the index of frame 1


@register
class Mot:
    info = FormatInfo(name="MOT 1.1", ext="ZIP", version="1.1", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"rectangle": KEPT, "track": KEPT, "tag": DROPPED, "polygon": DROPPED, "polyline": DROPPED,
         "points": DROPPED, "ellipse": DROPPED, "cuboid": DROPPED, "mask": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION, Property.SOURCE,
                        Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG, Property.SUBSETS,
                        Property.FRAME_NAMES, Property.IMAGE_SIZE}),
        notes="rectangle tracks only; attributes except visibility and ignored; frames are matched by number",
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        labels = [label.name for label in dataset.labels if label.type not in (LabelType.SKELETON, LabelType.TAG)]
        classes = {name: i for i, name in enumerate(labels, 1)}
        numbers: dict[int, int] = {}
        boxes = (track for track in dataset.tracks if track.shapes and track.type == ShapeType.RECTANGLE)
        last = -1
        size = (0, 0)
        ext = ""
        first = dataset.info.first_frame
        with Spools(out) as spools:
            gt = spools["gt/gt.txt"]
            for frame in flatten_tracks(dataset.frames, boxes):
                number = (frame.index or 0) - first + 1
                last = max(last, number - 1)
                if frame.width and not size[0]:
                    size = (frame.width, frame.height)
                if options.save_images and frame.image is not None:
                    ext = ext or frame.image.ext
                    out.add_media(f"img1/{number:06d}{frame.image.ext}", frame.image)
                for shape in frame.shapes:
                    if shape.type != ShapeType.RECTANGLE or shape.label not in classes:
                        continue
                    track = -1
                    if shape.track_id is not None:
                        track = numbers.setdefault(shape.track_id, len(numbers) + 1)
                    gt.write(self._row(number, track, shape, classes[shape.label]))
        out.write_text("gt/labels.txt", "".join(f"{name}\n" for name in labels))
        info = [("name", dataset.info.name or "sequence"), ("imDir", "img1"), ("seqLength", str(last + 1))]
        if size[0]:
            info += [("imWidth", str(size[0])), ("imHeight", str(size[1]))]
        if ext:
            info.append(("imExt", ext))
        out.write_text("seqinfo.ini", "[Sequence]\n" + "".join(f"{k}={v}\n" for k, v in info))

    @staticmethod
    def _row(number: int, track: int, shape: Shape, class_id: int) -> str:
        x1, y1, x2, y2 = shape.points
        ignored = (shape.attribute("ignored") or "").lower() in ("true", "1")
        visibility = shape.attribute("visibility")
        try:
            shown = decimal(float(visibility)) if visibility not in (None, "") else ("0" if shape.occluded else "1")
        except ValueError:
            shown = "0" if shape.occluded else "1"
        values = (number, track, decimal(x1), decimal(y1), decimal(x2 - x1), decimal(y2 - y1), 0 if ignored else 1,
                  class_id, shown)
        return ",".join(str(v) for v in values) + "\n"

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        gt = next((n for n in names if n == "gt/gt.txt" or n.endswith("/gt/gt.txt")), None) or next(
            (n for n in names if n.rsplit("/", 1)[-1] == "gt.txt"), None)
        if gt is None:
            raise MalformedFile(source.label, None, "no MOT gt.txt found (expected gt/gt.txt)")
        folder = gt.rsplit("/", 1)[0] + "/" if "/" in gt else ""
        root = folder[:-3] if folder.endswith("gt/") else folder
        label_file = next((n for n in (f"{folder}labels.txt", f"{root}labels.txt", "labels.txt") if n in names), None)
        labels = read_label_list(source, label_file) if label_file else list(MOT_CLASSES)
        parsed = _Parsed(labels, offset=options.first_frame)
        for name in names:
            match = _IMAGE.fullmatch(name[len(root) + 5:]) if name.startswith(f"{root}img1/") else None
            if match:
                parsed.images[int(match.group(1)) - 1 + parsed.offset] = source.media(name)
        parsed.length = self._length(source, f"{root}seqinfo.ini", names) or (
            max(parsed.images) + 1 - parsed.offset if parsed.images else None)
        state: dict[str, _Parsed] = {}

        def read() -> _Parsed:
            if not state:
                self._read_rows(source, gt, parsed)
                state["done"] = parsed
            return parsed

        return Dataset(tuple(LabelSpec(n) for n in labels), self._frames(read), self._tracks(read),
                       DatasetInfo(size=parsed.length, media_type="video"))

    @staticmethod
    def _length(source: InputTree, name: str, names: list[str]) -> int | None:
        if name not in names:
            return None
        parser = configparser.ConfigParser()
        try:
            parser.read_string("\n".join(text for _, text in read_lines(source, name)))
            value = parser.get("Sequence", "seqLength", fallback=None)
            return int(value) if value else None
        except (configparser.Error, ValueError) as exc:
            raise MalformedFile(name, None, f"cannot read the sequence length ({exc})") from exc

    @staticmethod
    def _read_rows(source: InputTree, name: str, parsed: _Parsed) -> None:
        for line, text in read_lines(source, name):
            if not text.strip():
                continue
            where = f"line {line}"
            values = [v.strip() for v in text.replace(" ", "").split(",")] if "," in text else text.split()
            if len(values) < 6:
                raise MalformedFile(name, where, f"expected at least 6 values (frame, track, x, y, w, h), got {len(values)}")
            frame = to_int(values[0], name, where, "frame")
            track = to_int(values[1], name, where, "track")
            x, y, w, h = (to_float(v, name, where, what) for v, what in zip(values[2:6], "xywh", strict=True))
            if frame < 1:
                raise MalformedFile(name, where, f"frame numbers start at 1, got {frame}")
            if w < 0 or h < 0:
                raise MalformedFile(name, where, f"a box needs a width and height of at least 0, got {w:g}x{h:g}")
            confidence = to_float(values[6], name, where, "not_ignored") if len(values) > 6 else 1.0
            class_id = to_int(values[7], name, where, "class") if len(values) > 7 else -1
            visibility = to_float(values[8], name, where, "visibility") if len(values) > 8 else 1.0
            if class_id in (-1, 0):
                class_id = 1
            if not 1 <= class_id <= len(parsed.labels):
                raise MalformedFile(name, where, f"class {class_id} is not in labels.txt "
                                                 f"({len(parsed.labels)} classes)")
            label = parsed.labels[class_id - 1]
            occluded = visibility < 0.5
            frame += parsed.offset
            attrs = (Attribute("visibility", decimal(visibility)),
                     Attribute("ignored", "true" if confidence == 0 else "false"))
            points = (x, y, x + w, y + h)
            if track < 0:
                parsed.shapes.setdefault(frame - 1, []).append(Shape(
                    ShapeType.RECTANGLE, label, points, occluded=occluded, attributes=attrs, source=ObjectSource.FILE))
                continue
            owner, keyframes = parsed.tracks.setdefault(track, (label, []))
            if owner != label:
                raise MalformedFile(name, where, f"track {track} has class '{owner}' on other lines, here '{label}'")
            keyframes.append(TrackedShape(frame - 1, ShapeType.RECTANGLE, points, occluded=occluded, attributes=attrs))

    @staticmethod
    def _frames(read: Callable[[], _Parsed]) -> Iterator[Frame]:
        parsed = read()
        indexes = sorted(set(parsed.shapes) | set(parsed.images))
        for index in indexes:
            yield Frame(index, shapes=tuple(parsed.shapes.get(index, ())), image=parsed.images.get(index))

    @staticmethod
    def _tracks(read: Callable[[], _Parsed]) -> Iterator[Track]:
        parsed = read()
        seen_last = max([k.frame for _, ks in parsed.tracks.values() for k in ks] or [0])
        length = parsed.length + parsed.offset if parsed.length is not None else None
        result = []
        for number, (label, rows) in parsed.tracks.items():
            rows.sort(key=lambda s: s.frame)
            keyframes: list[TrackedShape] = []
            for k, row in enumerate(rows):
                if keyframes and keyframes[-1].frame == row.frame:
                    raise MalformedFile("gt.txt", None, f"track {number} has two boxes on frame {row.frame - parsed.offset + 1}")
                keyframes.append(row)
                after = row.frame + 1
                nxt = rows[k + 1].frame if k + 1 < len(rows) else None
                end = length if length is not None else seen_last + 1
                if (nxt is not None and nxt > after) or (nxt is None and after < end):
                    keyframes.append(replace(row, frame=after, outside=True))
            result.append(Track(label, tuple(merge_keyframes(keyframes)), source=ObjectSource.FILE, id=number))
        result.sort(key=lambda t: t.first_frame)
        yield from result
