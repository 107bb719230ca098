"""Market-1501 1.0: person re-identification images, described by their file names.

Layout (export)::

    images_<subset>.txt                   one line per image: its path below
    bounding_box_<subset>/<image name>    gallery images (with save_images)
    query/<image name>                    query images (with save_images)

The annotations are the file names: ``0001_c1s1_000015_00.jpg`` is person 1, camera 1,
sequence 1, frame 15, box 0. In inklab (as in CVAT) they are a tag of the label
``market-1501`` with the attributes ``query`` (true for images under ``query/``),
``person_id``, ``camera_id`` and, kept when present, ``track_id`` (the sequence), ``frame_id``
and ``bbox_id``. On export a frame whose tag gives a person and a camera is named after
them (the rest of the name is kept when the frame already follows the pattern); other
frames keep their names. Import reads ``images_<subset>.txt`` or, without one, the images
of the ``bounding_box_<subset>/`` and ``query/`` folders.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import Fidelity, Outcome, Property, Rule
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, LabelSpec, Tag
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import Spools, read_lines
from inklab.vocabulary import ObjectSource

__all__ = ["MARKET_LABEL", "Market1501", "market_name"]

MARKET_LABEL = "market-1501"
_PATTERN = re.compile(r"(-?\d+)_c(\d+)s(\d+)_(\d+)_(\d+)(.*)")
_LIST = re.compile(r"images_(.+)\.txt")
_GALLERY = "bounding_box_"
_QUERY = "query"
_IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


def _int(value: str | None, default: int) -> int:
    try:
        return int(float(value)) if value not in (None, "") else default
    except ValueError:
        return default


def market_name(name: str, tag: Tag | None) -> str:
    """The file name for a frame: built from the tag's person and camera if it has them."""
    path = PurePosixPath(name)
    if tag is None:
        return name
    values = {a.name: a.value for a in tag.attributes}
    if values.get("person_id", "") == "" or values.get("camera_id", "") == "":
        return name
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    match = _PATTERN.fullmatch(stem)
    old = [int(g) for g in match.groups()[:5]] if match else [0, 0, 1, 0, 0]
    rest = match.group(6) if match else ""
    person = _int(values.get("person_id"), old[0])
    camera = _int(values.get("camera_id"), old[1])
    sequence = _int(values.get("track_id"), old[2])
    frame = _int(values.get("frame_id"), old[3])
    box = _int(values.get("bbox_id"), old[4])
    person_text = f"{person:04d}" if person >= 0 else str(person)
    built = f"{person_text}_c{camera}s{sequence}_{frame:06d}_{box:02d}{rest}{path.suffix}"
    return str(path.with_name(built))


@register
class Market1501:
    info = FormatInfo(name="Market-1501 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"tag": Rule(Outcome.DROPPED, note="except the market-1501 tag: kept in the file name and folder")},
        lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.SOURCE, Property.LABEL_SPECS,
                        Property.SKELETON_SVG, Property.IMAGE_SIZE}),
        notes="only query, person_id, camera_id, track_id, frame_id, bbox_id; a frame with a person and "
              "camera is renamed after them",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        with Spools(out) as spools:
            for frame in dataset.frames:
                tag = next((t for t in frame.tags if t.label.lower() == MARKET_LABEL), None)
                query = tag is not None and (next((a.value for a in tag.attributes if a.name == "query"), "") or
                                             "").lower() in ("true", "1")
                folder = _QUERY if query else f"{_GALLERY}{frame.subset_name}"
                path = f"{folder}/{market_name(frame.name or f'frame_{frame.index or 0:06d}.jpg', tag)}"
                spools[f"images_{frame.subset_name}.txt"].write(path + "\n")
                if options.save_images and frame.image is not None:
                    out.add_media(path, frame.image)

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        lists = [n for n in names if _LIST.fullmatch(n.rsplit("/", 1)[-1])]
        images = [n for n in names if n.lower().endswith(_IMAGE_EXT)
                  and (n.startswith(_GALLERY) or n.startswith(f"{_QUERY}/"))]
        if not lists and not images:
            raise MalformedFile(source.label, None, "no Market-1501 images_<subset>.txt file and no "
                                                    "bounding_box_<subset>/ or query/ images found")
        return Dataset((LabelSpec(MARKET_LABEL),), self._frames(source, lists, images, set(names)))

    def _frames(self, source: InputTree, lists: list[str], images: list[str], names: set[str]) -> Iterator[Frame]:
        if lists:
            for file in lists:
                match = _LIST.fullmatch(file.rsplit("/", 1)[-1])
                assert match is not None
                root = file[: -len(file.rsplit("/", 1)[-1])]
                for line, text in read_lines(source, file):
                    path = text.strip()
                    if path:
                        yield self._frame(path, match.group(1), source, names, root, file, f"line {line}")
        else:
            for path in images:
                folder = path.split("/", 1)[0]
                subset = folder[len(_GALLERY):] if folder.startswith(_GALLERY) else _QUERY
                yield self._frame(path, subset, source, names, "", path, None)

    @staticmethod
    def _frame(path: str, subset: str, source: InputTree, names: set[str], root: str, file: str,
               where: str | None) -> Frame:
        folder, _, name = path.partition("/")
        if not name or not (folder == _QUERY or folder.startswith(_GALLERY)):
            raise MalformedFile(file, where, f"expected query/<image> or {_GALLERY}<subset>/<image>, got {path!r}")
        query = folder == _QUERY
        base = PurePosixPath(name)
        match = _PATTERN.fullmatch(base.name[: -len(base.suffix)] if base.suffix else base.name)
        tags: tuple[Tag, ...] = ()
        if match or query:
            attrs = [Attribute("query", "true" if query else "false")]
            if match:
                person, camera, sequence, frame, box = (int(g) for g in match.groups()[:5])
                attrs += [Attribute("person_id", str(person)), Attribute("camera_id", str(camera)),
                          Attribute("track_id", str(sequence)), Attribute("frame_id", str(frame)),
                          Attribute("bbox_id", str(box))]
            tags = (Tag(MARKET_LABEL, tuple(attrs), source=ObjectSource.FILE),)
        full = f"{root}{path}"
        return Frame(None, name, subset="" if subset == DEFAULT_SUBSET else subset, tags=tags,
                     image=source.media(full) if full in names else None)
