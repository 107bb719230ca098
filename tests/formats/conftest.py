"""Fixtures of the format tests."""

from __future__ import annotations

import pytest

from inklab.formats import jsonstream


@pytest.fixture(params=["whole", "streamed"])
def json_reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test twice: with JSON files parsed whole, and streamed (the size threshold at 0)."""
    if request.param == "streamed":
        monkeypatch.setattr(jsonstream, "STREAM_THRESHOLD", 0)
    return str(request.param)
