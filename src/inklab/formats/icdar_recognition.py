"""ICDAR Recognition 1.0: word images with their transcription (ICDAR 2013/2015 word recognition).

Layout (export)::

    word_recognition/<subset>/gt.txt             one line per transcription: <image>, "<text>"
    word_recognition/<subset>/images/<frame>     with save_images

A transcription is a tag with the attribute ``text`` (as CVAT exports it; ``caption`` is
accepted too); on import each line becomes a tag of the label ``icdar`` with that ``text``.
Quotes and backslashes inside the text are escaped with a backslash. A line with an image
name only is an image without transcription. The shared pieces (quoting, locating the
subset folders) are used by the other two ICDAR formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from inklab.formats.errors import MalformedFile
from inklab.formats.fidelity import Fidelity, Outcome, Property, Rule
from inklab.formats.files import InputTree, OutputTree
from inklab.formats.model import DEFAULT_SUBSET, Attribute, Dataset, Frame, LabelSpec, Tag
from inklab.formats.registry import ExportOptions, FormatInfo, ImportOptions, register
from inklab.formats.textfile import Spools, read_lines
from inklab.vocabulary import ObjectSource

__all__ = ["ICDAR_LABEL", "IcdarRecognition", "quote", "subset_folders", "unquote"]

#: the label CVAT gives to every imported ICDAR object
ICDAR_LABEL = "icdar"
_UNESCAPE = re.compile(r"\\(.)")


def quote(text: str) -> str:
    """``"text"`` with ``\\`` and ``"`` escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unquote(text: str) -> str:
    """The inverse of :func:`quote`; text without surrounding quotes is taken as it is."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _UNESCAPE.sub(r"\1", text[1:-1])
    return text


def subset_folders(source: InputTree, task: str) -> dict[str, str]:
    """``{subset: folder prefix}`` of ``<task>/<subset>/`` (or the archive's top for files
    directly in ``<task>/`` or at the top)."""
    found: dict[str, str] = {}
    for name in source.names():
        parts = name.split("/")
        if task in parts[:-1]:
            at = parts.index(task)
            if len(parts) - at > 2:
                subset = parts[at + 1]
                found.setdefault("" if subset == DEFAULT_SUBSET else subset, "/".join(parts[:at + 2]) + "/")
            else:
                found.setdefault("", "/".join(parts[:at + 1]) + "/")
    if not found:
        found[""] = ""
    return found


def text_of(attrs: tuple[Attribute, ...], *names: str) -> str | None:
    for attr in attrs:
        if attr.name in names:
            return attr.value
    return None


@register
class IcdarRecognition:
    info = FormatInfo(name="ICDAR Recognition 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)
    fidelity = Fidelity(
        {"tag": Rule(Outcome.DROPPED, note="except tags with a 'text' attribute: kept, as label 'icdar'")},
        lost=frozenset({Property.ATTRIBUTES, Property.OBJECT_LABELS, Property.SOURCE, Property.GROUP,
                        Property.LABEL_SPECS, Property.SKELETON_SVG, Property.IMAGE_SIZE}),
        notes="only transcriptions (the attribute text)",
    )

    def export(self, dataset: Dataset, out: OutputTree, options: ExportOptions) -> None:
        with Spools(out) as spools:
            for frame in dataset.frames:
                folder = f"word_recognition/{frame.subset_name}/"
                gt = spools[f"{folder}gt.txt"]
                if options.save_images and frame.image is not None:
                    out.add_media(f"{folder}images/{frame.name}", frame.image)
                texts = [text for tag in frame.tags if (text := text_of(tag.attributes, "text", "caption")) is not None]
                for text in texts or [None]:
                    gt.write(f"{frame.name}, {quote(text)}\n" if text is not None else f"{frame.name}\n")

    def load(self, source: InputTree, options: ImportOptions) -> Dataset:
        files = [n for n in source.names() if n.rsplit("/", 1)[-1] == "gt.txt"]
        if not files:
            raise MalformedFile(source.label, None, "no ICDAR gt.txt found (expected word_recognition/<subset>/gt.txt)")
        folders = {prefix: subset for subset, prefix in subset_folders(source, "word_recognition").items()}
        names = set(source.names())
        return Dataset((LabelSpec(ICDAR_LABEL),), self._frames(source, files, folders, names))

    @staticmethod
    def _frames(source: InputTree, files: list[str], folders: dict[str, str], names: set[str]) -> Iterator[Frame]:
        for file in files:
            prefix = file[:-len("gt.txt")]
            subset = folders.get(prefix, "")
            tags: dict[str, list[Tag]] = {}
            for line, text in read_lines(source, file):
                if not text.strip():
                    continue
                image, comma, rest = text.partition(",")
                image = image.strip()
                if not image:
                    raise MalformedFile(file, f"line {line}", "expected <image name>, \"<text>\"")
                entry = tags.setdefault(image, [])
                if comma:
                    value = rest.strip()
                    if not (len(value) >= 2 and value[0] == value[-1] == '"'):
                        raise MalformedFile(file, f"line {line}", f"the transcription must be in quotes, got {value!r}")
                    entry.append(Tag(ICDAR_LABEL, (Attribute("text", unquote(value)),), source=ObjectSource.FILE))
            for image, found in tags.items():
                path = f"{prefix}images/{image}"
                yield Frame(None, image, subset=subset, tags=tuple(found),
                            image=source.media(path) if path in names else None)
