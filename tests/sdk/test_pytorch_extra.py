"""``inklab.sdk.pytorch`` without PyTorch installed says which extra to install."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.support.live import _SRC

_HIDE = textwrap.dedent("""
    import importlib.abc, sys

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == {module!r}:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, Hide())
    try:
        import inklab.sdk.pytorch
    except ModuleNotFoundError as exc:
        print(exc.name, "|", exc)
    import inklab.sdk  # the rest of the SDK works without PyTorch
    print("sdk ok")
""")


@pytest.mark.parametrize("module", ["torch", "torchvision"])
def test_import_without_pytorch_names_the_extra(module: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_SRC), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", _HIDE.format(module=module)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    name, message = done.stdout.splitlines()[0].split(" | ")
    assert name == module
    assert "pip install 'inklab[pytorch]'" in message and module in message
    assert done.stdout.splitlines()[1] == "sdk ok"
