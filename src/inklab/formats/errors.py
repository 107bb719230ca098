"""Errors raised by the format library.

Hierarchy::

    FormatError              base of everything this package raises on purpose
    ├── UnknownFormat        no format is registered under that name (import or export)
    ├── MalformedFile        a file cannot be read: bad syntax, a missing or wrong field;
    │                        carries the file name and the line or element at fault
    ├── UnknownLabel         an object uses a label the target does not have
    └── UnsupportedData      valid input this format cannot hold or this reader cannot use
                             (e.g. a dataset import without images)

Every message is meant for the person who made the file: it names the file and, where
known, the line (XML, text formats) or the JSON path / element (``annotations[12].bbox``).
The server turns a :class:`FormatError` into a failed background request with this message.
"""

from __future__ import annotations

__all__ = ["FormatError", "MalformedFile", "UnknownFormat", "UnknownLabel", "UnsupportedData"]


class FormatError(Exception):
    """Base class. ``str(error)`` is the complete, user-facing message."""


class UnknownFormat(FormatError):
    """No importer or exporter is registered under the requested name."""

    def __init__(self, name: str, known: list[str], kind: str = "format") -> None:
        self.name = name
        self.known = known
        listing = ", ".join(known) if known else "none"
        super().__init__(f"Unknown {kind} '{name}'. Known: {listing}.")


class MalformedFile(FormatError):
    """A file that cannot be read.

    ``file`` is the file's name inside the uploaded archive (or the upload's own name),
    ``where`` the location inside it: ``"line 12"``, ``"line 12, <box>"``, ``"images[3].width"``.
    """

    def __init__(self, file: str, where: str | None, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        location = f"{file}, {where}" if where else file
        super().__init__(f"{location}: {problem}")


class UnknownLabel(FormatError):
    """An annotation names a label that is not defined for the target."""

    def __init__(self, label: str, where: str = "", known: list[str] | None = None) -> None:
        self.label = label
        self.where = where
        prefix = f"{where}: " if where else ""
        tail = f" Known labels: {', '.join(known)}." if known else ""
        super().__init__(f"{prefix}label '{label}' is not defined here.{tail}")


class UnsupportedData(FormatError):
    """Well-formed input that this format or operation cannot use."""
