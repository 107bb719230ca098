"""The browser's file checks (``task-files.js``) know the same extensions as the server."""

from __future__ import annotations

import re
from pathlib import Path

from inklab.server.media.sources import _ARCHIVE_SUFFIXES, IMAGE_EXTENSIONS, VIDEO_EXTENSIONS

SOURCE = (Path(__file__).resolve().parents[2] / "src" / "inklab" / "ui" / "static" / "ui" / "task-files.js").read_text()


def _js_list(name: str) -> set[str]:
    found = re.search(rf"export const {name} = \[(.*?)\];", SOURCE, re.S)
    assert found, name
    return set(re.findall(r'"([^"]+)"', found.group(1)))


def test_extensions_match_the_server() -> None:
    assert _js_list("IMAGE_EXTENSIONS") == IMAGE_EXTENSIONS
    assert _js_list("VIDEO_EXTENSIONS") == VIDEO_EXTENSIONS
    assert _js_list("ARCHIVE_SUFFIXES") == set(_ARCHIVE_SUFFIXES)
