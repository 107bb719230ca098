"""LFW 1.0: Labeled Faces in the Wild: people, matched and mismatched pairs, landmarks.

Layout (export)::

    <subset>/annotations/people.txt       the number of people, then <person>\\t<images>
    <subset>/annotations/pairs.txt        <person>\\t<n1>\\t<n2> (same person) or
                                          <person1>\\t<n1>\\t<person2>\\t<n2> (different people)
    <subset>/annotations/landmarks.txt    <image id>\\t<x1>\\t<y1>\\t... one line per image
    <subset>/images/<image id>.<ext>      with save_images

An image's person is its (first) tag; its id is ``<person>/<frame stem>`` (just the stem
without a person), and ``n`` in pairs is the number at the end of a ``<person>_<n>`` stem.
The tag's attributes ``positive_pairs`` and ``negative_pairs`` list the ids (or stems) of the
other image of each pair, separated by spaces; a pair whose images are not numbered that
way is written as ``<id1>\\t<id2>``. Landmarks are the points shapes labelled with the
image's person; an image without them still gets a line (its id alone), so every image is
listed. Import reads it all back: the tag from the id's folder, the points with the
person's label, the pairs as those two attributes of the first image.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import DROPPED, KEPT, Fidelity, Outcome, Property, Rule, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, MediaFile, Shape, Tag
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import Spools, decimal, read_lines, to_float, to_int
from inklab.formats.tracks import flatten_tracks
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["Lfw"]

_NUMBERED = re.compile(r"(.+)_(\d+)")
_PAIRS = ("positive_pairs", "negative_pairs")
_IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


def _number(image_id: str) -> tuple[str, int] | None:
    """``("Aaron", 1)`` for ``Aaron/Aaron_0001``; None for ids not numbered that way."""
    person, _, stem = image_id.rpartition("/")
    match = _NUMBERED.fullmatch(stem)
    if not person or not match or match.group(1) != person:
        return None
    return person, int(match.group(2))


@register
class Lfw:
    info = FormatInfo(name="LFW 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"tag": KEPT, "points": Rule(Outcome.DROPPED, note="kept when labelled with the image's person: landmarks"),
         "track": converted("shapes", "one per visible frame"), "rectangle": DROPPED, "polygon": DROPPED,
         "polyline": DROPPED, "ellipse": DROPPED, "cuboid": DROPPED, "mask": DROPPED, "skeleton": DROPPED},
        lost=frozenset({Property.ATTRIBUTES, Property.OCCLUDED, Property.GROUP, Property.Z_ORDER, Property.ROTATION,
                        Property.SOURCE, Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG,
                        Property.IMAGE_SIZE, Property.FRAME_NAMES}),
        notes="one tag (the person) per image, with positive_pairs and negative_pairs; image extensions and "
              "folders only with the images",
    )

    # -- export --

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        people: dict[str, dict[str, int]] = {}
        with Spools(out) as spools:
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                folder = f"{frame.subset_name}/"
                tag = frame.tags[0] if frame.tags else None
                path = PurePosixPath(frame.name or f"frame_{frame.index or 0:06d}")
                image_id = f"{tag.label}/{path.stem}" if tag else path.with_suffix("").as_posix()
                if options.save_images and frame.image is not None:
                    out.add_media(f"{folder}images/{image_id}{path.suffix or frame.image.ext}", frame.image)
                landmarks = spools[f"{folder}annotations/landmarks.txt"]
                spools.touch(f"{folder}annotations/pairs.txt")
                lines = [s for s in frame.shapes if tag and s.type == ShapeType.POINTS and s.label == tag.label]
                for shape in lines or [None]:
                    values = [image_id, *(decimal(v) for v in shape.points)] if shape else [image_id]
                    landmarks.write("\t".join(values) + "\n")
                if tag is None:
                    continue
                counts = people.setdefault(frame.subset_name, {})
                counts[tag.label] = counts.get(tag.label, 0) + 1
                for attribute, mismatched in zip(_PAIRS, (False, True), strict=True):
                    for other in _value(tag.attributes, attribute).replace(",", " ").split():
                        spools[f"{folder}annotations/pairs.txt"].write(self._pair(image_id, other, tag.label,
                                                                                  mismatched))
        for subset, counts in people.items():
            out.write_text(f"{subset}/annotations/people.txt",
                           f"{len(counts)}\n" + "".join(f"{p}\t{n}\n" for p, n in counts.items()))

    @staticmethod
    def _pair(image_id: str, other: str, person: str, mismatched: bool) -> str:
        numbered = _NUMBERED.fullmatch(other)
        if "/" not in other and numbered:
            other = f"{numbered.group(1)}/{other}"
        first, second = _number(image_id), _number(other)
        if first and second and (first[0] == second[0]) != mismatched:
            if mismatched:
                return f"{first[0]}\t{first[1]}\t{second[0]}\t{second[1]}\n"
            return f"{first[0]}\t{first[1]}\t{second[1]}\n"
        return f"{image_id}\t{other}\n"

    # -- import --

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        names = source.names()
        roots = sorted({n[: n.index("annotations/")] for n in names
                        if "annotations/" in n and n.rsplit("/", 1)[-1] in ("landmarks.txt", "pairs.txt",
                                                                           "people.txt")})
        if not roots:
            raise MalformedFile(source.label, None, "no LFW annotations found (expected annotations/pairs.txt, "
                                                    "landmarks.txt or people.txt)")
        return Dataset((), self._frames(source, roots, set(names)))

    def _frames(self, source: InputTree, roots: list[str], names: set[str]) -> Iterator[Frame]:
        for root in roots:
            subset = root.rstrip("/").rsplit("/", 1)[-1] if root else ""
            images: dict[str, tuple[str, MediaFile]] = {}
            for name in names:
                if name.startswith(f"{root}images/") and name.lower().endswith(_IMAGE_EXT):
                    relative = name[len(root) + 7:]
                    images[PurePosixPath(relative).with_suffix("").as_posix()] = (relative, source.media(name))
            points: dict[str, list[Shape]] = {}
            pairs: dict[str, dict[str, list[str]]] = {}
            landmarks = f"{root}annotations/landmarks.txt"
            if landmarks in names:
                for line, text in read_lines(source, landmarks):
                    values = text.split("\t") if "\t" in text else text.split()
                    if not values or not values[0].strip():
                        continue
                    image_id, numbers = values[0].strip(), values[1:]
                    entry = points.setdefault(image_id, [])
                    if numbers:
                        if len(numbers) % 2:
                            raise MalformedFile(landmarks, f"line {line}", f"expected x y pairs, got {len(numbers)} "
                                                                           "numbers")
                        person = image_id.rpartition("/")[0] or image_id
                        entry.append(Shape(ShapeType.POINTS, person, tuple(
                            to_float(v, landmarks, f"line {line}", "landmark") for v in numbers),
                            source=ObjectSource.FILE))
            pairs_file = f"{root}annotations/pairs.txt"
            if pairs_file in names:
                self._pairs(source, pairs_file, pairs)
            others = (o for kinds in pairs.values() for listed in kinds.values() for o in listed)
            ids = dict.fromkeys([*points, *pairs, *others, *images])
            for image_id in ids:
                person, _, stem = image_id.rpartition("/")
                name, media = images.get(image_id, (stem if person else image_id, None))
                if person and media is not None:
                    name = name.split("/", 1)[1]
                tags: tuple[Tag, ...] = ()
                if person:
                    found = pairs.get(image_id, {})
                    attrs = tuple(Attribute(k, " ".join(found[k])) for k in _PAIRS if k in found)
                    tags = (Tag(person, attrs, source=ObjectSource.FILE),)
                yield Frame(None, name, subset="" if subset == DEFAULT_SUBSET else subset, tags=tags,
                            shapes=tuple(points.get(image_id, ())), image=media)

    @staticmethod
    def _pairs(source: InputTree, file: str, pairs: dict[str, dict[str, list[str]]]) -> None:
        for line, text in read_lines(source, file):
            values = text.split("\t") if "\t" in text else text.split()
            values = [v.strip() for v in values if v.strip()]
            where = f"line {line}"
            if not values or (line == 1 and all(v.isdigit() for v in values)):
                continue  # the header of the original file: folds and pairs per fold
            if len(values) == 3:
                person, a, b = values[0], to_int(values[1], file, where, "n1"), to_int(values[2], file, where, "n2")
                first, second, kind = f"{person}/{person}_{a:04d}", f"{person}/{person}_{b:04d}", _PAIRS[0]
            elif len(values) == 4:
                first = f"{values[0]}/{values[0]}_{to_int(values[1], file, where, 'n1'):04d}"
                second = f"{values[2]}/{values[2]}_{to_int(values[3], file, where, 'n2'):04d}"
                kind = _PAIRS[1]
            elif len(values) == 2:
                first, second = values
                kind = _PAIRS[0] if first.rpartition("/")[0] == second.rpartition("/")[0] else _PAIRS[1]
            else:
                raise MalformedFile(file, where, f"expected 3 values (a matched pair) or 4 (a mismatched pair), "
                                                 f"got {len(values)}")
            pairs.setdefault(first, {}).setdefault(kind, []).append(second)


def _value(attrs: tuple[Attribute, ...], name: str) -> str:
    return next((a.value for a in attrs if a.name == name), "")
