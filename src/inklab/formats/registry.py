"""The registry of dataset formats and the plug-in protocol each format implements.

Writing a format
----------------
A format is one module (listed in :data:`inklab.formats.catalog.MODULES`) holding one
class decorated with :func:`register`::

    @register
    class PascalVoc:
        info = FormatInfo(name="PASCAL VOC 1.1", ext="ZIP", version="1.1",
                          can_import=True, can_export=True)
        fidelity = Fidelity({"rectangle": KEPT, "tag": KEPT, ...}, lost=frozenset({...}))

        def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
            ...  # iterate dataset.frames once; write files with out.open()/out.text()

        def load(self, source: InputTree, options: ImportOptions) -> Dataset:
            ...  # read source files; return a Dataset whose frames are produced lazily

* ``export`` writes the dataset into ``out`` (an archive being streamed to disk), with the
  images when ``options.save_images`` (``frame.image`` is then set; write it with
  ``out.add_media(name, frame.image)``). Formats without tracks call
  :func:`inklab.formats.tracks.flatten_tracks` to get them as per-frame shapes. Every frame
  an exporter of the registry sees has an ``index``: the registry numbers those of a dataset
  read by an importer from a file without frame numbers (:func:`~inklab.formats.model.with_indexes`).
* ``load`` reads what the user uploaded: ``source`` is the zip's files, or the single
  uploaded file. It returns labels it finds declared (may be empty: the consumer then
  takes label names from the objects), and frames. Errors are
  :class:`~inklab.formats.errors.MalformedFile` naming the file and line or element.
  Frames carry ``image`` when the archive has the image (dataset imports need it).
* ``fidelity`` declares what survives (:mod:`inklab.formats.fidelity`); the shared
  round-trip test proves it, and the README table is generated from it.
* A class that only exports (or only imports) sets ``can_import=False`` (``can_export``).

The names are CVAT's: ``info.name`` is the export name, ``info.import_name`` the import name
when it differs (``CVAT 1.1`` imports what ``CVAT for images 1.1`` and ``CVAT for video 1.1``
export), ``info.aliases`` further accepted import names that are not listed.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

from inklab.formats.errors import UnknownFormat
from inklab.formats.fidelity import Fidelity, markdown_table
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import Dataset, LabelSpec, with_indexes

__all__ = [
    "DatasetFormat",
    "ExportOptions",
    "FormatInfo",
    "ImportOptions",
    "Registry",
    "SizeLookup",
    "available_formats",
    "default_registry",
    "fidelity_table",
    "get_exporter",
    "get_importer",
    "registered_formats",
    "register",
]


@dataclass(frozen=True)
class FormatInfo:
    """What the server advertises about a format at ``/api/server/annotation/formats``.

    ``name`` is the export name (``CVAT for images 1.1``); ``import_name`` the import name
    (``CVAT 1.1``), by default the same; ``ext`` what the user uploads or downloads
    (``"ZIP"``, ``"JSON, ZIP"``); ``aliases`` extra import names accepted but not listed.
    """

    name: str
    ext: str
    version: str
    can_import: bool
    can_export: bool
    import_name: str = ""
    dimension: str = "2D"
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.import_name:
            object.__setattr__(self, "import_name", self.name)
        for value, what in ((self.name, "name"), (self.import_name, "import name"), (self.ext, "ext"),
                            (self.version, "version")):
            if not value or len(value) > 64:
                raise ValueError(f"A format's {what} must have 1..64 characters, got {value!r}.")
        if self.dimension not in ("2D", "3D"):
            raise ValueError(f"A format's dimension is '2D' or '3D', got {self.dimension!r}.")


@dataclass(frozen=True)
class ExportOptions:
    """``save_images``: also write the images (frames then carry ``image``)."""

    save_images: bool = False


#: ``(width, height)`` of the target's frame that a file names, or None (see :class:`ImportOptions`)
SizeLookup = Callable[[str], tuple[int, int] | None]


@dataclass(frozen=True)
class ImportOptions:
    """What the consumer tells an importer about the import.

    ``conv_mask_to_poly``: the consumer turns masks into polygons (the format need not).

    ``image_size``: for formats whose coordinates are fractions of the image size (YOLO)
    and that may come without images: called with a frame name as the file writes it, it
    returns the ``(width, height)`` of the target's frame of that name (matched as the
    consumer matches frames: whole path, base name or stem), or None when there is none.
    Formats whose masks cover the whole image (COCO RLE) check their size against it
    (:meth:`frame_size`) before decoding them.

    ``labels``: the labels the import must use, when the target has fixed ones (a task or
    job import; empty for a project import, which adds the labels it finds). Formats may
    name by them what their files hold only as indexes (the points of an Ultralytics pose
    skeleton) and report a label outside them with the file and line.

    ``first_frame``: the number of the target's first frame in its task (a job's start
    frame, 0 for a task). Formats that number frames from the start of the file (MOT) add
    it to their frame indexes, so that what a job exported imports back into that job
    (:attr:`~inklab.formats.model.DatasetInfo.first_frame` on export).
    """

    conv_mask_to_poly: bool = False
    image_size: SizeLookup | None = None
    labels: tuple[LabelSpec, ...] = ()
    first_frame: int = 0

    def frame_size(self, name: str, width: int = 0, height: int = 0) -> tuple[int, int] | None:
        """The ``(width, height)`` of the frame a file names: the target's frame's when the consumer
        knows it (``image_size``), else the ``width`` and ``height`` the file declares, else None."""
        known = self.image_size(name) if self.image_size is not None else None
        if known is not None:
            return known
        return (width, height) if width > 0 and height > 0 else None


@runtime_checkable
class DatasetFormat(Protocol):
    """The plug-in interface (see the module docstring)."""

    info: FormatInfo
    fidelity: Fidelity

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None: ...

    def load(self, source: InputTree, options: ImportOptions) -> Dataset: ...


F = TypeVar("F", bound=type)


def _numbering_frames(export: Callable[[Dataset, OutputTree, ExportOptions], None]
                      ) -> Callable[[Dataset, OutputTree, ExportOptions], None]:
    @functools.wraps(export)
    def numbered(dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        export(with_indexes(dataset), out, options)

    return numbered


class Registry:
    """Formats by export name and by import name (and alias). Rejects duplicates."""

    def __init__(self, modules: tuple[str, ...] = ()) -> None:
        self._modules = modules
        self._loaded = not modules
        self._lock = threading.RLock()
        self._formats: list[DatasetFormat] = []
        self._exporters: dict[str, DatasetFormat] = {}
        self._importers: dict[str, DatasetFormat] = {}

    def register(self, cls: F) -> F:
        """Class decorator: instantiate ``cls`` and register it; a name already taken is an error."""
        fmt = cls()
        if not isinstance(fmt, DatasetFormat) or not isinstance(getattr(fmt, "info", None), FormatInfo):
            raise TypeError(f"{cls.__name__} does not implement the DatasetFormat protocol.")
        info = fmt.info
        if not isinstance(getattr(fmt, "fidelity", None), Fidelity):
            raise TypeError(f"Format '{info.name}' needs a Fidelity declaration.")
        import_names = (info.import_name, *info.aliases) if info.can_import else ()
        if info.can_export and info.name in self._exporters:
            raise ValueError(f"An exporter named '{info.name}' is already registered.")
        for name in import_names:
            if name in self._importers:
                raise ValueError(f"An importer named '{name}' is already registered.")
        if info.can_export:
            fmt.export = _numbering_frames(fmt.export)  # type: ignore[method-assign]
            self._exporters[info.name] = fmt
        for name in import_names:
            self._importers[name] = fmt
        self._formats.append(fmt)
        return cls

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            for module in self._modules:
                importlib.import_module(module)
            self._loaded = True

    def formats(self) -> list[DatasetFormat]:
        """Every registered format, in registration order."""
        self._ensure_loaded()
        return list(self._formats)

    def exporter(self, name: str) -> DatasetFormat:
        self._ensure_loaded()
        try:
            return self._exporters[name]
        except KeyError:
            raise UnknownFormat(name, sorted(self._exporters), "export format") from None

    def importer(self, name: str) -> DatasetFormat:
        self._ensure_loaded()
        try:
            return self._importers[name]
        except KeyError:
            listed = sorted({f.info.import_name for f in self._importers.values()})
            raise UnknownFormat(name, listed, "import format") from None


def _catalog() -> tuple[str, ...]:
    from inklab.formats.catalog import MODULES

    return MODULES


class _DefaultRegistry(Registry):
    def _ensure_loaded(self) -> None:
        if not self._loaded and not self._modules:
            self._modules = _catalog()
        super()._ensure_loaded()

    def __init__(self) -> None:
        super().__init__()
        self._loaded = False


default_registry: Registry = _DefaultRegistry()

register: Callable[[F], F] = default_registry.register


def get_exporter(name: str) -> DatasetFormat:
    """The format exporting under ``name``; raises :class:`UnknownFormat`."""
    return default_registry.exporter(name)


def get_importer(name: str) -> DatasetFormat:
    """The format importing under ``name`` (or an alias); raises :class:`UnknownFormat`."""
    return default_registry.importer(name)


def registered_formats() -> list[DatasetFormat]:
    """All built-in formats (the modules of :mod:`inklab.formats.catalog`)."""
    return default_registry.formats()


def fidelity_table() -> str:
    """The README's fidelity table for every built-in format (export names; import-only ones too)."""
    entries = []
    for fmt in sorted(registered_formats(), key=lambda f: f.info.name.lower()):
        info = fmt.info
        name = info.name
        if info.import_name != info.name:
            name += f" (import: {info.import_name})"
        if not info.can_export:
            name += " (import only)"
        elif not info.can_import and info.import_name == info.name:
            name += " (export only)"
        entries.append((name, fmt.fidelity))
    return markdown_table(entries)


def available_formats() -> list[FormatInfo]:
    """What ``/api/server/annotation/formats`` lists."""
    return [f.info for f in registered_formats()]
