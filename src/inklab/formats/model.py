"""The annotation data model every format reads and writes.

Everything here is an immutable value (frozen, slotted dataclasses): formats never share
mutable state with the server, and a million shapes cost a million small tuples, not a
million dicts. Objects name their labels and attributes **by name**; the server maps names
to its database ids on the way in and out, so a format module never sees an id.

The pieces::

    Dataset
    ├── labels: LabelSpec*            name, type, color, attributes (AttributeSpec*),
    │                                 sublabels (skeleton points), svg (skeleton drawing)
    ├── info: DatasetInfo             name, media type, frame count, free-form extras
    ├── frames: Iterable[Frame]       index, name, width, height, subset, image,
    │                                 tags (Tag*), shapes (Shape*)
    └── tracks: Iterable[Track]       label, keyframes (TrackedShape*), elements (Track*)

Coordinates follow the CVAT API (pixels, origin at the top-left corner of the image):

* ``rectangle``: ``(x1, y1, x2, y2)``; ``rotation`` in degrees, clockwise, about the centre;
* ``ellipse``: ``(cx, cy, cx + rx, cy - ry)``;
* ``polygon`` / ``polyline`` / ``points``: ``(x0, y0, x1, y1, ...)``;
* ``cuboid``: 8 vertices, 16 numbers, in CVAT's order;
* ``mask``: CVAT run lengths over its bounding box (row-major, starting with a run of
  zeros) followed by the inclusive box ``(x1, y1, x2, y2)``; see :mod:`inklab.formats.masks`;
* ``skeleton``: no points of its own; ``elements`` holds one ``points`` shape per sublabel.

Streaming contract
------------------
**Exporters** receive ``frames`` in increasing ``index`` order, every frame of the scope
exactly once (also those without annotations), and ``tracks`` in increasing order of their
first keyframe. Both are *single-pass* iterables: iterate each once, never build a list of
all frames; an exporter that needs two passes (COCO writes images before annotations)
spools to a temporary file. :func:`inklab.formats.tracks.flatten_tracks` merges tracks into
frames as per-frame shapes for formats that have no tracks.

**Importers** return a :class:`Dataset` whose frames may come in any order and may omit
frames without annotations; a frame is identified by ``name`` (matched by the consumer
against its own frame names, with or without directories and extension) or, when the file
has no names, by ``index``. Frame ``index`` values of tracks' keyframes are always indexes.
Importers should yield frames lazily where the file layout allows it. Consumers iterate
``frames`` to the end before ``tracks``: an importer may assemble tracks from what it saw
in the frames (:class:`inklab.formats.tracks.TrackSplitter`).

A dataset an importer returned can go straight to an exporter (the format library's
conversions): the registry passes exporters :func:`with_indexes` of it, where frames read
from a file without frame numbers are numbered in the order they come.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, BinaryIO, TypeVar

from inklab.vocabulary import InputType, LabelType, ObjectSource, ShapeType

__all__ = [
    "DEFAULT_SUBSET",
    "Attribute",
    "AttributeSpec",
    "Dataset",
    "DatasetInfo",
    "Frame",
    "LabelSpec",
    "MediaFile",
    "Shape",
    "Tag",
    "Track",
    "TrackedShape",
    "attributes",
    "with_indexes",
]


#: The subset name formats write for frames without a subset; importers map it back to "".
DEFAULT_SUBSET = "default"


_C = TypeVar("_C", bound=type)


def _quick_init(cls: _C) -> _C:
    """Give a frozen, slotted dataclass an ``__init__`` that fills its slots through their
    descriptors instead of ``object.__setattr__`` (what a frozen dataclass's generated
    ``__init__`` calls per field): same parameters, defaults and result, about twice as fast.
    Imports and exports build a value per shape, a million of them for a large task.

    Applied to the classes without ``__post_init__`` or default factories; the fields, and so
    the parameters, come from the dataclass itself and cannot drift apart."""
    namespace: dict[str, Any] = {}
    params, body = [], []
    for f in fields(cls):
        if f.default_factory is not MISSING or not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: _quick_init handles plain fields only")
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(source, namespace)  # noqa: S102 - code built from the class's own field names, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[misc]
    return cls


# -- label specifications ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AttributeSpec:
    """An attribute of a label, as in CVAT: ``values`` are ``[min, max, step]`` for numbers,
    the choices for ``select``/``radio``, ``["true"]``/``["false"]`` for checkboxes."""

    name: str
    input_type: InputType = InputType.TEXT
    values: tuple[str, ...] = ()
    default_value: str = ""
    mutable: bool = False


@dataclass(frozen=True, slots=True)
class LabelSpec:
    """A label; a skeleton's points are its ``sublabels`` (type ``points``)."""

    name: str
    type: LabelType = LabelType.ANY
    color: str = ""
    attributes: tuple[AttributeSpec, ...] = ()
    sublabels: tuple[LabelSpec, ...] = ()
    svg: str = ""

    def attribute(self, name: str) -> AttributeSpec | None:
        """The attribute spec called ``name``, or None."""
        for spec in self.attributes:
            if spec.name == name:
                return spec
        return None

    def sublabel(self, name: str) -> LabelSpec | None:
        """The skeleton point called ``name``, or None."""
        for sub in self.sublabels:
            if sub.name == name:
                return sub
        return None


# -- annotation objects -----------------------------------------------------------------------

@_quick_init
@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute value of an object; ``value`` is the API's string form
    (``"true"``/``"false"`` for checkboxes, decimal text for numbers)."""

    name: str
    value: str


def attributes(values: Mapping[str, Any] | None = None, **kwargs: Any) -> tuple[Attribute, ...]:
    """Build an attribute tuple: ``attributes(color="red", parked=True)``.

    Booleans become ``"true"``/``"false"``; other values ``str()``.
    """
    merged = {**(values or {}), **kwargs}
    return tuple(Attribute(k, ("true" if v else "false") if isinstance(v, bool) else str(v))
                 for k, v in merged.items())


@_quick_init
@dataclass(frozen=True, slots=True)
class Tag:
    """A frame-level label (classification)."""

    label: str
    attributes: tuple[Attribute, ...] = ()
    group: int = 0
    source: str = ObjectSource.MANUAL


@_quick_init
@dataclass(frozen=True, slots=True)
class Shape:
    """An annotation on one frame.

    ``elements`` is set for skeletons only: one ``points`` shape per skeleton point, with
    the point's name as ``label`` and its own ``occluded``/``outside`` state.

    ``track_id`` and ``keyframe`` are set on shapes that come from a track (see
    :func:`inklab.formats.tracks.flatten_tracks`), so that formats with per-frame
    shapes can write the track identity; they are meaningless otherwise.
    """

    type: ShapeType
    label: str
    points: tuple[float, ...] = ()
    occluded: bool = False
    outside: bool = False
    z_order: int = 0
    rotation: float = 0.0
    attributes: tuple[Attribute, ...] = ()
    group: int = 0
    source: str = ObjectSource.MANUAL
    score: float = 1.0
    elements: tuple[Shape, ...] = ()
    track_id: int | None = None
    keyframe: bool = False

    def attribute(self, name: str) -> str | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr.value
        return None


@_quick_init
@dataclass(frozen=True, slots=True)
class TrackedShape:
    """A keyframe of a track: the object's state from ``frame`` until the next keyframe.

    ``outside`` marks where the object leaves the view (it is hidden until the next
    keyframe). ``attributes`` are the mutable attributes' values at this keyframe.
    """

    frame: int
    type: ShapeType
    points: tuple[float, ...] = ()
    occluded: bool = False
    outside: bool = False
    z_order: int = 0
    rotation: float = 0.0
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True)
class Track:
    """An object followed over frames; keyframes in increasing ``frame`` order.

    A skeleton track has ``elements``: one track per skeleton point (label = point name),
    each with keyframes of type ``points``. ``id`` is informative (the track's number in
    the file or the server), never used to match anything.
    """

    label: str
    shapes: tuple[TrackedShape, ...]
    attributes: tuple[Attribute, ...] = ()
    group: int = 0
    source: str = ObjectSource.MANUAL
    elements: tuple[Track, ...] = ()
    id: int | None = None

    @property
    def type(self) -> ShapeType:
        return self.shapes[0].type

    @property
    def first_frame(self) -> int:
        frames = [self.shapes[0].frame] + [e.shapes[0].frame for e in self.elements if e.shapes]
        return min(frames)

    @property
    def last_frame(self) -> int:
        """The last keyframe (the track may stay visible after it)."""
        frames = [self.shapes[-1].frame] + [e.shapes[-1].frame for e in self.elements if e.shapes]
        return max(frames)


# -- frames and datasets ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MediaFile:
    """An image that can be opened for reading, without loading it until needed.

    ``name`` is its file name with extension (``"img_001.png"``); ``opener`` returns a new
    binary file object each call (the caller closes it).
    """

    name: str
    opener: Callable[[], BinaryIO]

    @property
    def ext(self) -> str:
        dot = self.name.rfind(".")
        return self.name[dot:].lower() if dot > 0 else ""

    def open(self) -> BinaryIO:
        return self.opener()

    def read(self) -> bytes:
        with self.opener() as fh:
            return fh.read()


@_quick_init
@dataclass(frozen=True, slots=True)
class Frame:
    """One image of a dataset with its frame-level annotations.

    ``name`` is the image's path as uploaded (``"a/b.jpg"``; ``""`` if unknown); ``width``
    and ``height`` are 0 when unknown; ``index`` is the frame number in the exported scope
    (always set on export; None on import when the file does not say it).
    """

    index: int | None
    name: str = ""
    width: int = 0
    height: int = 0
    subset: str = ""
    tags: tuple[Tag, ...] = ()
    shapes: tuple[Shape, ...] = ()
    image: MediaFile | None = None

    @property
    def subset_name(self) -> str:
        """The subset as formats write it: ``"default"`` for frames without one."""
        return self.subset or DEFAULT_SUBSET

    @property
    def stem(self) -> str:
        """The name without directories and extension: the id many formats use."""
        base = self.name.rsplit("/", 1)[-1]
        dot = base.rfind(".")
        return base[:dot] if dot > 0 else base


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about the exported scope.

    ``size`` is the number of frames (None if unknown); ``media_type`` ``"image"`` or
    ``"video"``; ``extra`` carries what some formats write in their header (CVAT XML meta:
    ``id``, ``mode``, ``overlap``, ``created``, ``updated``, ``owner``, ``segments``, ...).

    ``first_frame`` is the number of the scope's first frame in its task: a job's start frame,
    0 for a task. Frame indexes are always the task's numbers; formats that number frames
    from the start of what was exported (MOT) subtract it, as CVAT does for job exports.
    """

    name: str = ""
    size: int | None = None
    media_type: str = "image"
    subsets: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    first_frame: int = 0


@dataclass(frozen=True)
class Dataset:
    """Labels, frames and tracks (see the module docstring for the streaming contract)."""

    labels: tuple[LabelSpec, ...]
    frames: Iterable[Frame]
    tracks: Iterable[Track] = ()
    info: DatasetInfo = field(default_factory=DatasetInfo)

    def label(self, name: str) -> LabelSpec | None:
        for spec in self.labels:
            if spec.name == name:
                return spec
        return None

    def iter_frames(self) -> Iterator[Frame]:
        return iter(self.frames)

    def iter_tracks(self) -> Iterator[Track]:
        return iter(self.tracks)


class _IndexedFrames:
    """The frames of a dataset, those without an ``index`` numbered after the frame before them
    (from ``first``); iterable as often as the frames themselves are."""

    __slots__ = ("first", "frames")

    def __init__(self, frames: Iterable[Frame], first: int) -> None:
        self.frames = frames
        self.first = first

    def __iter__(self) -> Iterator[Frame]:
        following = self.first
        for frame in self.frames:
            if frame.index is None:
                frame = replace(frame, index=following)
            following = frame.index + 1
            yield frame


def with_indexes(dataset: Dataset) -> Dataset:
    """``dataset`` with every frame numbered, as exporters take it.

    Frames an importer read from a file without frame numbers (COCO, Pascal VOC...) have no
    ``index``; here they get the number after the frame before them (the first one
    ``info.first_frame``), so they keep the order they come in. Frames with an index keep it.
    """
    if isinstance(dataset.frames, _IndexedFrames):
        return dataset
    return replace(dataset, frames=_IndexedFrames(dataset.frames, dataset.info.first_frame))
