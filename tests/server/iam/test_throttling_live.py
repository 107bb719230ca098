"""Failed-login throttling across the web processes of a live ``inklab serve --workers 2``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from tests.support.live import LiveServer


def _login(server: LiveServer, password: str) -> tuple[int, dict[str, Any], Any]:
    """Status, JSON body and headers (an ``email.message.Message``: names match in any case)."""
    body = json.dumps({"username": server.admin[0], "password": password}).encode()
    request = urllib.request.Request(f"{server.url}/api/auth/login", data=body,
                                     headers={"Content-Type": "application/json", "Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers


def test_failed_logins_are_counted_by_all_workers(server_factory: Callable[..., LiveServer]) -> None:
    server = server_factory(workers=2, env={"INKLAB_LOGIN_MAX_FAILURES": "4", "INKLAB_LOGIN_LOCKOUT_SECONDS": "600"})
    # Each request on a new connection: the two workers take them in turns or at random; the
    # count lives in the database, so it is the same whichever worker answers.
    codes = [_login(server, f"guess-{i}")[0] for i in range(3)]
    assert codes == [400, 400, 400]
    code, body, headers = _login(server, "guess-3")
    assert code == 429 and "Too many failed logins" in body["detail"]
    assert 0 < int(headers["Retry-After"]) <= 600
    assert [_login(server, server.admin[1])[0] for _ in range(4)] == [429] * 4
