"""VGGFace2 1.0: face boxes and five-point landmarks in CSV files, one folder per identity.

Layout (export)::

    labels.txt                                   <folder> <label name>, one per line
    bb_landmark/loose_bb_<subset>.csv            NAME_ID,X,Y,W,H
    bb_landmark/loose_landmark_<subset>.csv      NAME_ID,P1X,P1Y,...,P5X,P5Y
    <subset>/<folder>/<frame name>               with save_images (unlabelled frames: no_label/)

``NAME_ID`` is ``<folder>/<frame name without extension>``: the folder is the object's label
(its name, with white space replaced by ``_``; ``labels.txt`` maps folders back to names).
Rectangles are boxes; points shapes of exactly five points are landmarks. Import groups the
rows of a subset by image; the frame name gets its extension from the image when the archive
has it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Outcome, Property, Rule, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Dataset, Frame, LabelSpec, MediaFile, Shape
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import Spools, decimal, read_csv, read_lines, to_float
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import LabelType, ObjectSource, ShapeType

__all__ = ["VggFace2"]

_BB = re.compile(r"loose_bb_(.+)\.csv")
_LANDMARK = re.compile(r"loose_landmark_(.+)\.csv")
_BB_COLUMNS = ("NAME_ID", "X", "Y", "W", "H")
_LANDMARK_COLUMNS = ("NAME_ID", *(f"P{i}{axis}" for i in range(1, 6) for axis in "XY"))
_NO_LABEL = "no_label"
_IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif")


def _folder(name: str) -> str:
    return re.sub(r"\s", "_", name)


@register
class VggFace2:
    info = FormatInfo(name="VGGFace2 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"rectangle": KEPT, "points": Rule(Outcome.DROPPED, note="kept when it has exactly 5 points: landmarks"),
         "track": converted("shapes", "one per visible frame"), "tag": DROPPED, "polygon": DROPPED,
         "polyline": DROPPED, "ellipse": DROPPED, "cuboid": DROPPED, "mask": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.OCCLUDED, Property.GROUP, Property.Z_ORDER, Property.ROTATION,
                        Property.SOURCE, Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG,
                        Property.IMAGE_SIZE, Property.FRAME_NAMES}),
        notes="image extensions only with the images",
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        labels = [label.name for label in dataset.labels if label.type not in (LabelType.SKELETON, LabelType.TAG)]
        with Spools(out) as spools:
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                subset = frame.subset_name
                bb, landmarks = (f"bb_landmark/loose_bb_{subset}.csv", f"bb_landmark/loose_landmark_{subset}.csv")
                for name, columns in ((bb, _BB_COLUMNS), (landmarks, _LANDMARK_COLUMNS)):
                    if name not in spools:
                        spools[name].write(",".join(columns) + "\n")
                stem = PurePosixPath(frame.name or f"frame_{frame.index or 0:06d}").with_suffix("").as_posix()
                first = None
                for shape in frame.shapes:
                    if shape.type == ShapeType.RECTANGLE:
                        x1, y1, x2, y2 = shape.points
                        values = (x1, y1, x2 - x1, y2 - y1)
                        target = bb
                    elif shape.type == ShapeType.POINTS and len(shape.points) == 10:
                        values = shape.points
                        target = landmarks
                    else:
                        continue
                    first = first or _folder(shape.label)
                    name_id = f"{_folder(shape.label)}/{stem}"
                    spools[target].write(",".join([_csv(name_id), *(decimal(v) for v in values)]) + "\n")
                if options.save_images and frame.image is not None:
                    out.add_media(f"{subset}/{first or _NO_LABEL}/{frame.name}", frame.image)
        out.write_text("labels.txt", "".join(f"{_folder(name)} {name}\n" for name in labels))

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        tables: dict[str, dict[str, str]] = {}
        for name in names:
            base = name.rsplit("/", 1)[-1]
            for kind, pattern in (("bb", _BB), ("landmark", _LANDMARK)):
                match = pattern.fullmatch(base)
                if match:
                    tables.setdefault(match.group(1), {})[kind] = name
        if not tables:
            raise MalformedFile(source.label, None, "no VGGFace2 loose_bb_<subset>.csv or "
                                                    "loose_landmark_<subset>.csv file found")
        folders: dict[str, str] = {}
        labels_file = next((n for n in names if n.rsplit("/", 1)[-1] == "labels.txt"), None)
        if labels_file:
            for _, text in read_lines(source, labels_file):
                folder, _, label = text.strip().partition(" ")
                if folder:
                    folders[folder] = label.strip() or folder
        return Dataset(tuple(LabelSpec(n) for n in dict.fromkeys(folders.values())),
                       self._frames(source, tables, folders, names))

    def _frames(self, source: InputTree, tables: dict[str, dict[str, str]], folders: dict[str, str],
                names: list[str]) -> Iterator[Frame]:
        for subset, files in tables.items():
            images = self._images(source, names, subset)
            shapes: dict[str, list[Shape]] = {}
            for kind in ("bb", "landmark"):
                if kind in files:
                    self._rows(source, files[kind], kind, folders, shapes)
            for stem in dict.fromkeys([*shapes, *images]):
                name, media = images.get(stem, (stem, None))
                yield Frame(None, name, subset="" if subset == DEFAULT_SUBSET else subset,
                            shapes=tuple(shapes.get(stem, ())), image=media)

    @staticmethod
    def _images(source: InputTree, names: list[str], subset: str) -> dict[str, tuple[str, MediaFile]]:
        found: dict[str, tuple[str, MediaFile]] = {}
        prefix = f"{subset}/"
        for name in names:
            if name.startswith(prefix) and name.lower().endswith(_IMAGE_EXT) and name.count("/") >= 2:
                relative = name[len(prefix):].split("/", 1)[1]
                found.setdefault(PurePosixPath(relative).with_suffix("").as_posix(), (relative, source.media(name)))
        return found

    @staticmethod
    def _rows(source: InputTree, file: str, kind: str, folders: dict[str, str],
              shapes: dict[str, list[Shape]]) -> None:
        columns = _BB_COLUMNS if kind == "bb" else _LANDMARK_COLUMNS
        for line, row in read_csv(source, file, columns):
            assert isinstance(row, dict)
            where = f"line {line}"
            name_id = row["NAME_ID"]
            folder, _, stem = name_id.partition("/")
            if not stem:
                raise MalformedFile(file, where, f"NAME_ID must be <class folder>/<image>, got {name_id!r}")
            values = [to_float(row[c], file, where, c) for c in columns[1:]]
            label = folders.get(folder, folder)
            if kind == "bb":
                x, y, w, h = values
                if w < 0 or h < 0:
                    raise MalformedFile(file, where, f"a box needs a width and height of at least 0, got {w:g}x{h:g}")
                shape = Shape(ShapeType.RECTANGLE, label, (x, y, x + w, y + h), source=ObjectSource.FILE)
            else:
                shape = Shape(ShapeType.POINTS, label, tuple(values), source=ObjectSource.FILE)
            shapes.setdefault(stem, []).append(shape)


def _csv(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n') else text
