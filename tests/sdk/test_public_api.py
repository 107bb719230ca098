"""The public surface of the SDK: ``__all__`` lists exactly what each package exports, and the
core imports neither torch nor the server."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest

PACKAGES = ["inklab.sdk", "inklab.sdk.models", "inklab.sdk.client", "inklab.sdk.client.resources"]


def _public_names(module: types.ModuleType) -> set[str]:
    return {name for name, value in vars(module).items()
            if not name.startswith("_") and not isinstance(value, types.ModuleType) or name == "models"
            and module.__name__ == "inklab.sdk"}


@pytest.mark.parametrize("name", PACKAGES)
def test_all_matches_exports(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert len(exported) == len(module.__all__), "duplicates in __all__"
    assert all(hasattr(module, n) for n in exported)
    ignored = {"annotations"}  # from __future__ import annotations
    assert _public_names(module) - ignored == exported


def test_sdk_import_needs_neither_torch_nor_django() -> None:
    code = ("import sys, inklab.sdk, inklab.sdk.models; "
            "bad = [m for m in ('torch', 'torchvision', 'django', 'inklab.server') if m in sys.modules]; "
            "print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
