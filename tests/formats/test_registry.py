"""The format registry, the plug-in protocol and the public surface of ``inklab.formats``."""

from __future__ import annotations

import importlib
import types
from typing import Any

import pytest

import inklab.formats as formats
from inklab.formats import Dataset, ExportOptions, FormatInfo, ImportOptions, UnknownFormat
from inklab.formats.catalog import MODULES
from inklab.formats.fidelity import Fidelity
from inklab.formats.registry import Registry


def _format(name: str, import_name: str = "", aliases: tuple[str, ...] = (), **flags: bool) -> type:
    class Plugin:
        info = FormatInfo(name=name, ext="ZIP", version="1.0", can_import=flags.get("can_import", True),
                          can_export=flags.get("can_export", True), import_name=import_name, aliases=aliases)
        fidelity = Fidelity.everything()

        def export(self, dataset: Dataset, out: Any, options: ExportOptions) -> None:
            pass

        def load(self, source: Any, options: ImportOptions) -> Dataset:
            return Dataset((), [])

    return Plugin


def test_duplicate_export_and_import_names_are_rejected() -> None:
    registry = Registry()
    registry.register(_format("Thing 1.0"))
    with pytest.raises(ValueError, match="exporter named 'Thing 1.0'"):
        registry.register(_format("Thing 1.0", import_name="Other 1.0"))
    with pytest.raises(ValueError, match="importer named 'Thing 1.0'"):
        registry.register(_format("Else 1.0", import_name="Thing 1.0"))
    with pytest.raises(ValueError, match="importer named 'Thing 1.0'"):
        registry.register(_format("Else 1.0", import_name="Else 1.0", aliases=("Thing 1.0",)))
    # an export-only format may share its import name with another format
    registry.register(_format("Thing video 1.0", import_name="Thing 1.0", can_import=False))
    assert registry.exporter("Thing video 1.0").info.can_export


def test_lookup_by_name_alias_and_unknown_names() -> None:
    registry = Registry()
    registry.register(_format("Thing for images 1.0", import_name="Thing 1.0", aliases=("Thing XML 1.0",)))
    assert registry.importer("Thing XML 1.0") is registry.importer("Thing 1.0")
    with pytest.raises(UnknownFormat, match=r"Unknown import format 'Nope 9'\. Known: Thing 1\.0\."):
        registry.importer("Nope 9")
    with pytest.raises(UnknownFormat, match="Unknown export format 'Thing 1.0'"):
        registry.exporter("Thing 1.0")


def test_plugins_must_implement_the_protocol() -> None:
    class Broken:
        info = FormatInfo(name="Broken 1.0", ext="ZIP", version="1.0", can_import=True, can_export=True)

    with pytest.raises(TypeError):
        Registry().register(Broken)
    with pytest.raises(ValueError, match="1..64 characters"):
        FormatInfo(name="x" * 65, ext="ZIP", version="1.0", can_import=True, can_export=True)


def test_the_catalog_is_what_the_registry_holds() -> None:
    for module in MODULES:
        importlib.import_module(module)
    names = {f.info.name for f in formats.registered_formats()}
    assert "COCO 1.0" in names
    listed = formats.available_formats()
    assert len(listed) == len(formats.registered_formats())
    assert all(isinstance(info, FormatInfo) for info in listed)


def test_public_surface_matches_all() -> None:
    public = {name for name in dir(formats)
              if not name.startswith("_") and not isinstance(getattr(formats, name), types.ModuleType)}
    assert set(formats.__all__) == public
    for module_name in ("model", "registry", "fidelity", "files", "tracks", "masks", "geometry", "errors", "skeletons",
                        "jsonfile", "jsonstream", "xmlfile", "catalog", "coco", "coco_stream", "pngfile", "kitti",
                        "_zipwriter"):
        module = importlib.import_module(f"inklab.formats.{module_name}")
        missing = [n for n in module.__all__ if not hasattr(module, n)]
        assert not missing, (module_name, missing)


def test_the_format_library_does_not_need_the_server() -> None:
    import subprocess
    import sys

    code = ("import sys; import inklab.formats as f; f.registered_formats(); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework') "
            "or m.startswith('inklab.server') or m.startswith('inklab.sdk')]; print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
