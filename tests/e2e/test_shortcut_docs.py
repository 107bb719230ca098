"""The shortcut list in docs/web-ui.md is the one the workspace's F1 dialog shows: both come from
``SHORTCUTS`` in annotation/shortcuts.js. ``INKLAB_WRITE_DOCS=1`` rewrites the docs' list from it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "web-ui.md"
START, END = "<!-- shortcuts: generated from annotation/shortcuts.js; do not edit by hand -->", "<!-- end of shortcuts -->"


def _markdown(shortcuts: list[dict[str, Any]]) -> str:
    groups: dict[str, list[dict[str, Any]]] = {}
    for shortcut in shortcuts:
        groups.setdefault(shortcut["group"], []).append(shortcut)
    lines = []
    for group, members in groups.items():  # in the table's order, as the dialog shows them
        lines += [f"**{group}**", "", "| keys | action |", "|---|---|"]
        for shortcut in members:
            keys = " / ".join(f"`{key}`" for key in shortcut["keys"])
            description = shortcut["description"].replace("|", r"\|")
            lines.append(f"| {keys} | {description} |")
        lines.append("")
    return "\n".join(lines)


def test_the_documented_shortcuts_are_the_workspace_s(js: Any) -> None:
    shortcuts = js({"k": "annotation/shortcuts.js"}, "return k.SHORTCUTS;")
    assert len(shortcuts) > 40 and all(s["keys"] and s["description"] for s in shortcuts)
    text = DOC.read_text()
    assert START in text and END in text, f"{DOC.name} lacks the shortcut markers"
    before, rest = text.split(START, 1)
    documented, after = rest.split(END, 1)
    expected = "\n" + _markdown(shortcuts) + "\n"
    if os.environ.get("INKLAB_WRITE_DOCS") == "1":
        DOC.write_text(before + START + expected + END + after)
        documented = expected
    assert documented == expected, ("docs/web-ui.md's shortcut list differs from shortcuts.js; rerun this test "
                                    "with INKLAB_WRITE_DOCS=1 to rewrite it")
