"""The README's fidelity table is the registry's declarations (regenerate with scripts/update-fidelity-table)."""

from __future__ import annotations

from pathlib import Path

from inklab.formats.registry import fidelity_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_fidelity_table_is_current() -> None:
    text = README.read_text()
    assert fidelity_table() in text, "README.md is out of date: run scripts/update-fidelity-table"
