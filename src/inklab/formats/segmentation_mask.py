"""Segmentation mask 1.1: class and instance masks in the PASCAL VOC layout.

Layout (export)::

    labelmap.txt                          the classes: background first, then each label
    ImageSets/Segmentation/<subset>.txt   every frame's id (its name without extension)
    SegmentationClass/<id>.png            class indexes (paletted with the label colors)
    SegmentationObject/<id>.png           instance numbers
    JPEGImages/<frame name>               with save_images

Boxes, polygons, ellipses and masks are drawn into the masks of each frame (tracks as the
shapes of each frame where the object is visible), in z order: where shapes overlap, the
upper one wins. Shapes of one group with the same label are one instance. Tags, other
shapes and attributes are not written. See :mod:`inklab.formats.voc_masks` for the files.

Import gives one mask per instance (the consumer turns them into polygons on request). The
classes come from ``labelmap.txt``, else PASCAL VOC's classes.
"""

from __future__ import annotations

from collections.abc import Iterator

from inklab.formats.colormaps import LabelMap
from inklab.formats.fidelity import DROPPED, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import Dataset, Frame
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.segmaps import paint
from inklab.formats.tracks import flatten_tracks
from inklab.formats.voc_masks import VocMaskReader, VocMaskWriter, find_root
from inklab.formats.yolo_text import image_name, strip_ext

__all__ = ["MASK_FIDELITY", "SegmentationMask", "images_by_id"]

#: what formats that draw shapes into instance masks keep
MASK_FIDELITY = Fidelity(
    {
        "mask": converted("mask", "its visible pixels"),
        "rectangle": converted("mask"),
        "polygon": converted("mask"),
        "ellipse": converted("mask"),
        "track": converted("shapes", "one per visible frame"),
        "tag": DROPPED, "polyline": DROPPED, "points": DROPPED, "cuboid": DROPPED, "skeleton": DROPPED,
    },
    lost=frozenset({Property.ATTRIBUTES, Property.GROUP, Property.Z_ORDER, Property.ROTATION, Property.OCCLUDED,
                    Property.SOURCE, Property.SCORE, Property.LABEL_SPECS, Property.SKELETON_SVG,
                    Property.FRAME_NAMES}),
    notes="where shapes overlap, the upper one's pixels; one mask per group of shapes of a label",
)


def images_by_id(names: set[str], folder: str) -> dict[str, str]:
    """The image files below ``folder`` by their id (their path there without extension)."""
    return {strip_ext(n[len(folder):]): n for n in sorted(names, reverse=True)
            if n.startswith(folder) and strip_ext(n) != n}


@register
class SegmentationMask:
    info = FormatInfo(name="Segmentation mask 1.1", ext="ZIP", version="1.1", can_import=True, can_export=True)
    fidelity = MASK_FIDELITY

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        label_map = LabelMap.for_labels(dataset.labels)
        with VocMaskWriter(out, label_map) as writer:
            for frame in flatten_tracks(dataset.frames, dataset.tracks):
                writer.frame(frame, paint(frame, label_map))
                if options.save_images and frame.image is not None:
                    out.add_media(f"JPEGImages/{image_name(frame)}", frame.image)

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        root = find_root(source, ("ImageSets", "SegmentationClass", "SegmentationObject"))
        reader = VocMaskReader(source, root)
        return Dataset(reader.label_map.labels(), self._frames(source, reader, root))

    @staticmethod
    def _frames(source: InputTree, reader: VocMaskReader, root: str) -> Iterator[Frame]:
        folder = f"{root}JPEGImages/"
        images = images_by_id(set(source.names()), folder)
        listed = reader.listed()
        ids = list(listed) + [i for i in reader.ids() if i not in listed]
        for ident in ids:
            shapes, size = reader.masks(ident)
            image = images.get(ident)
            name = image[len(folder):] if image else ident
            width, height = size or (0, 0)
            yield Frame(None, name, width, height, listed.get(ident, ""), shapes=tuple(shapes),
                        image=source.media(image) if image else None)

