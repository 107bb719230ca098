"""``inklab serve`` facing slow and greedy clients (issue 16, item 2).

One live server with short head/body timeouts and a cap of two uploads per user. Slow
clients are local sockets that trickle their requests (:mod:`tests.support.slow_clients`).
"""

from __future__ import annotations

import io
import socket
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import orjson
import pytest
import urllib3
from PIL import Image

from tests.support.live import LiveServer
from tests.support.rest import Rest
from tests.support.slow_clients import SlowClients

pytestmark = pytest.mark.live

#: Long enough for a loaded machine; a check that fails without the fix waits this long.
PATIENCE = 30


@pytest.fixture(scope="module")
def server(use_postgres: bool) -> Iterator[LiveServer]:
    live = LiveServer(postgres=use_postgres, env={
        "INKLAB_HEADER_TIMEOUT": "3", "INKLAB_BODY_TIMEOUT": "3", "INKLAB_UPLOADS_PER_USER": "2"}).start()
    yield live
    live.destroy()


@pytest.fixture(scope="module")
def big_frames(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two PNGs of noise, about 3 MB each (more than one block of the front's file sender)."""
    directory = tmp_path_factory.mktemp("big")
    paths = []
    for i in range(2):
        pixels = np.random.default_rng(i).integers(0, 256, (1000, 1000, 3), dtype=np.uint8)
        path = directory / f"noise_{i}.png"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def task(server: LiveServer, big_frames: list[Path]) -> int:
    """A task holding ``big_frames`` (made by the embedded background workers)."""
    return int(Rest(server).create_task("big", [{"name": "car"}], big_frames)["id"])


def _get(server: LiveServer, path: str, headers: dict[str, str] | None = None) -> urllib3.BaseHTTPResponse:
    return urllib3.PoolManager().request("GET", server.url + path, headers=headers, retries=False,
                                         timeout=urllib3.Timeout(total=PATIENCE))


def test_hundreds_of_slow_clients_leave_the_server_answering(server: LiveServer, task: int,
                                                             big_frames: list[Path]) -> None:
    rest = Rest(server)
    frame = f"/api/tasks/{task}/data/?type=frame&number=1&quality=original"
    with SlowClients(server.port, 150, interval=0.5, announced=100_000), \
            SlowClients(server.port, 50, mode="head", interval=0.5):
        about = _get(server, "/api/server/about")
        assert about.status == 200
        assert orjson.loads(about.data)["name"]
        served = _get(server, frame, rest.headers)
        assert served.status == 200
        assert served.data == big_frames[1].read_bytes()


def test_files_larger_than_a_block_are_served_whole(server: LiveServer, task: int, big_frames: list[Path]) -> None:
    rest = Rest(server)
    response = _get(server, f"/api/tasks/{task}/data/?type=chunk&number=0&quality=original", rest.headers)
    assert response.status == 200
    assert int(response.headers["Content-Length"]) == len(response.data) > 2 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        contents = sorted(archive.read(name) for name in archive.namelist())
    assert contents == sorted(p.read_bytes() for p in big_frames)


def _exchange(server: LiveServer, request: bytes) -> bytes:
    """Send ``request`` and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_a_stalled_body_is_answered_408_and_cut(server: LiveServer) -> None:
    head = (f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    answer = _exchange(server, head.encode() + b'{"username": "adm')
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b'"The request body stopped arriving' in answer


def test_a_stalled_head_is_answered_408_and_cut(server: LiveServer) -> None:
    answer = _exchange(server, f"GET /api/server/about HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_an_endless_head_is_refused(server: LiveServer) -> None:
    head = f"GET /api/server/about HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode()
    answer = _exchange(server, head + b"".join(b"X-Filler-%d: %s\r\n" % (i, b"x" * 1000) for i in range(100)))
    assert answer.startswith(b"HTTP/1.1 431 ")


def _big_put(server: LiveServer, headers: dict[str, str], path: str) -> urllib3.BaseHTTPResponse:
    body = orjson.dumps({"shapes": [], "tags": [], "tracks": [], "padding": "x" * 2_000_000})
    return urllib3.PoolManager().request("PUT", server.url + path, body=body, retries=False,
                                         headers={**headers, "Content-Type": "application/json"},
                                         timeout=urllib3.Timeout(total=PATIENCE))


def _until(send: Callable[[], urllib3.BaseHTTPResponse],
           done: Callable[[urllib3.BaseHTTPResponse], bool]) -> urllib3.BaseHTTPResponse:
    """Send until ``done(answer)``: the server may take a moment to see a connection open or close."""
    for _ in range(50):
        response = send()
        if done(response):
            break
        time.sleep(0.2)
    return response


def test_uploads_beyond_the_users_cap_are_answered_429(server: LiveServer, task: int) -> None:
    admin = Rest(server)
    other = Rest.register(server, "uploader2", "Upl0ad-passw0rd!")
    path = f"/api/tasks/{task}/annotations"
    with SlowClients(server.port, 2, method="PUT", path=path, headers=admin.headers, interval=0.5,
                     announced=5_000_000, expect_continue=True) as held:
        refused = _big_put(server, admin.headers, path)
        assert refused.status == 429
        assert refused.headers["Retry-After"].isdigit()
        assert "2 uploads in progress" in orjson.loads(refused.data)["detail"]
        # Another user's upload is not held back: it reaches the view (which does not show them the task).
        assert _big_put(server, other.headers, path).status == 404
        held.drop()
        # The slot is free again once the server sees that connection gone.
        accepted = _until(lambda: _big_put(server, admin.headers, path), lambda r: r.status != 429)
        assert accepted.status in (200, 400), accepted.data[:200]


def test_large_bodies_need_a_signed_in_user_and_a_size_within_the_limit(server: LiveServer, task: int) -> None:
    path = f"/api/tasks/{task}/annotations"
    anonymous = _big_put(server, {}, path)
    assert anonymous.status == 401
    assert "Sign in" in orjson.loads(anonymous.data)["detail"]
    wrong = _big_put(server, {"Authorization": "Token not-a-token"}, path)
    assert wrong.status == 401
    token = Rest(server).headers["Authorization"]
    # Announced past DATA_UPLOAD_MAX_MEMORY_SIZE: refused before a byte of it is read.
    answer = _exchange(server, (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAuthorization: {token}\r\n"
                                "Content-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n").encode())
    assert answer.startswith(b"HTTP/1.1 413 ")
