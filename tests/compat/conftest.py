"""Compatibility suite: the official cvat-sdk / cvat-cli 2.80 against a live ``inklab serve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import LiveServer

pytestmark = pytest.mark.live


@pytest.fixture
def sdk(live_server: LiveServer, tmp_path: Path) -> Iterator[Any]:
    from cvat_sdk import Config, make_client

    config = Config(status_check_period=0.1, cache_dir=tmp_path / "sdk-cache", allow_unsupported_server=False)
    client = make_client(live_server.url, credentials=live_server.admin)
    client.config = config
    with client:
        yield client
