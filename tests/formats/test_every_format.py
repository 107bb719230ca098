"""Every registered format round-trips the sample dataset as its fidelity declaration says.

This is the check behind the README table: a format that claims to keep something it loses
(or forgets to declare a loss) fails here. Format-specific tests add readers nobody here
wrote and hand-written sample files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inklab.formats import DatasetFormat, get_importer, registered_formats
from tests.formats.roundtrip import assert_roundtrip

EXPORTERS = [f for f in registered_formats() if f.info.can_export]


@pytest.mark.parametrize("fmt", EXPORTERS, ids=[f.info.name for f in EXPORTERS])
def test_roundtrip_keeps_what_the_table_says(fmt: DatasetFormat, tmp_path: Path) -> None:
    get_importer(fmt.info.import_name)  # every exported format can be imported again
    assert_roundtrip(fmt, tmp_path)
