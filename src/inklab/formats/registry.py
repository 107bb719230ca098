"""The registry of dataset formats.

Each format module registers itself with :func:`register`; :func:`available_formats`
lists them for ``/api/server/annotation/formats``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FormatInfo", "available_formats", "register"]


@dataclass(frozen=True)
class FormatInfo:
    """What the server advertises about a format.

    ``name`` is the export name (``CVAT for images 1.1``); ``import_name`` the import name
    (``CVAT 1.1``), usually the same.
    """

    name: str
    ext: str
    version: str
    can_import: bool
    can_export: bool
    import_name: str = ""
    dimension: str = "2D"

    def __post_init__(self) -> None:
        if not self.import_name:
            object.__setattr__(self, "import_name", self.name)


_FORMATS: dict[str, FormatInfo] = {}


def register(info: FormatInfo) -> FormatInfo:
    if info.name in _FORMATS:
        raise ValueError(f"A format named '{info.name}' is already registered.")
    _FORMATS[info.name] = info
    return info


def available_formats() -> list[FormatInfo]:
    return list(_FORMATS.values())
