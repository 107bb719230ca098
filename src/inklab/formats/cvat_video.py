"""CVAT for video 1.1: every object is a ``<track>``; imported by "CVAT 1.1".

Layout::

    annotations.xml
    images/frame_000000.<ext>   with save_images (frames are numbered, names are not kept)

A track lists its state on every frame from its first keyframe while it is visible
(``keyframe="1"`` on keyframes, interpolated states with ``keyframe="0"``) and its
``outside`` keyframes. A shape becomes a track with a keyframe on its frame and an
``outside`` keyframe on the next (as CVAT does), so it comes back as a one-frame track.
Tags are written as ``<tag frame=…>``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

from inklab.formats.cvat_images import scope_info, write_shape, write_tag
from inklab.formats.cvat_xml import write_meta
from inklab.formats.fidelity import KEPT, OBJECT_KINDS, Fidelity, Property, converted
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import Dataset, Frame, Shape, Track
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.tracks import track_shapes
from inklab.formats.xmlfile import XmlWriter
from inklab.vocabulary import ShapeType

__all__ = ["CvatVideo"]


def _write_track(writer: XmlWriter, track_id: int, track: Track, states: Iterator[tuple[int, Shape]]) -> None:
    writer.start("track", {"id": str(track_id), "label": track.label, "source": track.source,
                           "group_id": str(track.group) if track.group else None})
    for frame, shape in states:
        write_shape(writer, shape, {"frame": str(frame), "keyframe": "1" if shape.keyframe else "0",
                                    "outside": "1" if shape.outside else "0"})
    writer.end("track")


def _single(shape: Shape, frame: int, last: int) -> Iterator[tuple[int, Shape]]:
    """A shape as the states of a one-frame track: visible on its frame, outside on the next."""
    yield frame, replace(shape, keyframe=True, elements=tuple(replace(e, keyframe=True) for e in shape.elements))
    if frame < last:
        yield frame + 1, replace(shape, keyframe=True, outside=True,
                                 elements=tuple(replace(e, keyframe=False) for e in shape.elements))


@register
class CvatVideo:
    info = FormatInfo(name="CVAT for video 1.1", ext="XML, ZIP", version="1.1", can_import=False,
                      can_export=True, import_name="CVAT 1.1")
    fidelity = Fidelity(
        {**{kind: KEPT for kind in OBJECT_KINDS},
         **{t.value: converted("track", "a one-frame track") for t in ShapeType}},
        lost=frozenset({Property.FRAME_NAMES, Property.SUBSETS, Property.IMAGE_SIZE}),
        notes="frames are matched by number",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        frames = iter(dataset.frames)
        first = next(frames, None)
        size = dataset.info.size
        scope, info = scope_info(dataset, "interpolation")
        original = (first.width, first.height) if first is not None else None
        ids = itertools.count()
        seen = -1
        with out.deferred_text("annotations.xml") as stream:
            writer = XmlWriter(stream)
            writer.start("annotations")
            write_meta(writer, scope, info, dataset.labels, original)
            pending: list[Frame] = [first] if first is not None else []
            for frame in itertools.chain(pending, frames):
                index = frame.index if frame.index is not None else seen + 1
                seen = max(seen, index)
                if options.save_images and frame.image is not None:
                    out.add_media(f"images/frame_{index:06d}{frame.image.ext}", frame.image)
                last = (size - 1) if size is not None else index + 1
                for shape in frame.shapes:
                    track = Track(shape.label, (), shape.attributes, shape.group, shape.source)
                    _write_track(writer, next(ids), track, _single(shape, index, last))
                for tag in frame.tags:
                    write_tag(writer, tag, index)
            end = (size - 1) if size is not None else seen
            for track in dataset.tracks:
                states = track_shapes(track, range(track.first_frame, max(end, track.last_frame) + 1), 0,
                                      include_outside=True)
                _write_track(writer, next(ids), track, states)
            writer.end("annotations")

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        from inklab.formats.cvat_images import load_cvat

        return load_cvat(source)

