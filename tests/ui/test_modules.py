"""The UI's ES modules follow the house rules, checked on their source (no browser needed):

* every relative import names a module that ships in the package;
* only ``api.js`` talks to the network (``fetch``/``XMLHttpRequest``);
* no globals: nothing is assigned to ``window``/``globalThis``, no inline scripts;
* every module opens with a comment saying what it is, every export has a JSDoc comment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "src" / "inklab" / "ui" / "static" / "ui"
MODULES = sorted(STATIC.rglob("*.js"))
IMPORT = re.compile(r"""^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']""", re.M)


def _id(path: Path) -> str:
    return str(path.relative_to(STATIC))


def test_there_are_modules() -> None:
    names = {_id(p) for p in MODULES}
    assert {"main.js", "api.js", "views/workspace.js", "annotation/canvas.js"} <= names


@pytest.mark.parametrize("module", MODULES, ids=_id)
def test_imports_resolve(module: Path) -> None:
    for target in IMPORT.findall(module.read_text()):
        assert target.startswith("./") or target.startswith("../"), f"{_id(module)}: bare import {target!r}"
        assert (module.parent / target).resolve().is_file(), f"{_id(module)}: {target} does not exist"


@pytest.mark.parametrize("module", MODULES, ids=_id)
def test_only_api_talks_to_the_network(module: Path) -> None:
    source = module.read_text()
    if _id(module) == "api.js":
        assert "fetch(" in source and "XMLHttpRequest" in source
        return
    assert not re.search(r"\bfetch\s*\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon", source), _id(module)


@pytest.mark.parametrize("module", MODULES, ids=_id)
def test_no_globals(module: Path) -> None:
    source = module.read_text()
    assert not re.search(r"\b(window|globalThis|self)\.[A-Za-z_$][\w$]*\s*=(?!=)", source), _id(module)
    assert not re.search(r"^\s*var\s", source, re.M), f"{_id(module)}: var declares a global at module level"


@pytest.mark.parametrize("module", MODULES, ids=_id)
def test_documented(module: Path) -> None:
    lines = module.read_text().splitlines()
    assert lines[0].startswith("//"), f"{_id(module)} should open with a comment saying what it is"
    for number, line in enumerate(lines):
        if re.match(r"export\s+(async\s+)?(function|class|const|let)\s", line):
            previous = next((lines[i] for i in range(number - 1, -1, -1) if lines[i].strip()), "")
            assert previous.strip().endswith("*/"), f"{_id(module)}:{number + 1}: export without a JSDoc comment"


def test_index_page_loads_the_entry_module() -> None:
    index = (STATIC.parents[1] / "templates" / "ui" / "index.html").read_text()
    assert re.search(r'<script type="module" src="{% static \'ui/main.js\' %}"></script>', index)
    assert "<script>" not in index  # no inline scripts
