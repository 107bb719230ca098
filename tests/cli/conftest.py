"""Running ``inklab`` commands in-process against the session's live server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.live import LiveServer


@dataclass
class Result:
    status: int
    out: str
    err: str


@pytest.fixture
def inklab(live_server: LiveServer, capsys: Any, monkeypatch: Any) -> Callable[..., Result]:
    """``inklab("task", "ls")`` → Result. ``auth``: True for the admin's ``--auth``, False for none,
    or the ``--auth`` value to give."""
    from inklab.cli.__main__ import main

    for name in ("INKLAB_ACCESS_TOKEN", "CVAT_ACCESS_TOKEN", "INKLAB_PASSWORD", "PASS", "INKLAB_SERVER_HOST"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, auth: bool | str = True, host: str | None = None) -> Result:
        capsys.readouterr()
        group, command, *rest = args
        options = ["--server-host", host or live_server.url]
        if auth:
            options += ["--auth", auth if isinstance(auth, str) else f"{live_server.admin[0]}:{live_server.admin[1]}"]
        try:
            status = main([group, command, *options, *rest])
        except SystemExit as exc:  # argparse errors
            status = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return run
