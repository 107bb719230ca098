"""Dataset formats: a pure library (no Django) that reads and writes annotation datasets.

* :mod:`~inklab.formats.model` – the annotation data model (labels, frames, shapes, tracks);
* :mod:`~inklab.formats.registry` – the format plug-in protocol and the registry;
* :mod:`~inklab.formats.fidelity` – what each format keeps, converts and loses;
* :mod:`~inklab.formats.files` – input and output trees (zip archives, directories, files);
* :mod:`~inklab.formats.tracks`, :mod:`~inklab.formats.masks`, :mod:`~inklab.formats.geometry`
  – shared conversions; :mod:`~inklab.formats.pixels` – how many pixels an image or mask may have;
* :mod:`~inklab.formats.errors` – the exception hierarchy (base :class:`FormatError`);
* one module per format (listed in :mod:`~inklab.formats.catalog`).

Typical use::

    from inklab.formats import get_exporter, get_importer, ZipOutput, open_input

    with ZipOutput("out.zip") as out:
        get_exporter("COCO 1.0").export(dataset, out, ExportOptions())
    with open_input("upload.zip") as source:
        dataset = get_importer("CVAT 1.1").load(source, ImportOptions())
"""

from inklab.formats.errors import FormatError, MalformedFile, UnknownFormat, UnknownLabel, UnsupportedData
from inklab.formats.fidelity import Fidelity, Outcome, Property, Rule
from inklab.formats.files import (
    DirectoryInput,
    DirectoryOutput,
    InputTree,
    OutputTree,
    SingleFileInput,
    ZipInput,
    ZipOutput,
    open_input,
)
from inklab.formats.model import (
    DEFAULT_SUBSET,
    Attribute,
    AttributeSpec,
    Dataset,
    DatasetInfo,
    Frame,
    LabelSpec,
    MediaFile,
    Shape,
    Tag,
    Track,
    TrackedShape,
    attributes,
)
from inklab.formats.registry import (
    DatasetFormat,
    ExportOptions,
    FormatInfo,
    ImportOptions,
    available_formats,
    get_exporter,
    get_importer,
    register,
    registered_formats,
)

__all__ = [
    "DEFAULT_SUBSET",
    "Attribute",
    "AttributeSpec",
    "Dataset",
    "DatasetFormat",
    "DatasetInfo",
    "DirectoryInput",
    "DirectoryOutput",
    "ExportOptions",
    "Fidelity",
    "FormatError",
    "FormatInfo",
    "Frame",
    "ImportOptions",
    "InputTree",
    "LabelSpec",
    "MalformedFile",
    "MediaFile",
    "Outcome",
    "OutputTree",
    "Property",
    "Rule",
    "Shape",
    "SingleFileInput",
    "Tag",
    "Track",
    "TrackedShape",
    "UnknownFormat",
    "UnknownLabel",
    "UnsupportedData",
    "ZipInput",
    "ZipOutput",
    "attributes",
    "available_formats",
    "get_exporter",
    "get_importer",
    "open_input",
    "register",
    "registered_formats",
]
