"""Background requests run by separate ``inklab worker`` processes (web workers run none).

This is the deployment a team grows into: web processes only enqueue, any number of worker
processes on any machine sharing the database claim and run the requests. In the PostgreSQL
pass of the suite the server and the workers share a PostgreSQL database.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import urllib3

from tests.support.images import make_images
from tests.support.live import LiveServer

pytestmark = pytest.mark.live


class _Api:
    def __init__(self, server: LiveServer) -> None:
        self.base = server.url
        self.http = urllib3.PoolManager()
        login = self.http.request("POST", f"{self.base}/api/auth/login", headers={"Content-Type": "application/json"},
                                  body=orjson.dumps({"username": server.admin[0], "password": server.admin[1]}))
        assert login.status == 200, login.data
        self.auth = {"Authorization": f"Token {orjson.loads(login.data)['key']}"}

    def json(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        response = self.http.request(method, self.base + path, body=None if body is None else orjson.dumps(body),
                                     headers={**self.auth, "Content-Type": "application/json", **headers})
        assert response.status < 400, (method, path, response.status, response.data[:300])
        return orjson.loads(response.data) if response.data else None

    def create_task_with_data(self, images: list[Path]) -> tuple[int, str]:
        task = self.json("POST", "/api/tasks", {"name": "worker-test", "labels": [{"name": "car"}]})
        path = f"/api/tasks/{task['id']}/data/"
        self.json("POST", path, {}, **{"Upload-Start": ""})
        fields = {f"client_files[{i}]": (p.name, p.read_bytes()) for i, p in enumerate(images)}
        uploaded = self.http.request("POST", self.base + path, fields=fields, headers={**self.auth, "Upload-Multiple": ""})
        assert uploaded.status == 200, uploaded.data
        finish = self.json("POST", path, {"image_quality": 80, "sorting_method": "natural"}, **{"Upload-Finish": ""})
        return task["id"], finish["rq_id"]

    def wait(self, rq_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.json("GET", f"/api/requests/{rq_id}")
            if status["status"] in ("finished", "failed"):
                return status
            time.sleep(0.2)
        raise AssertionError(f"request {rq_id} did not finish; last status {status}")


@pytest.fixture
def web_only(server_factory: Callable[..., LiveServer]) -> LiveServer:
    return server_factory(workers=1, env={"INKLAB_EMBEDDED_WORKERS": "0"})


@pytest.fixture
def start_worker(web_only: LiveServer) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = web_only.run_worker()
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.terminate()
        process.wait(20)


def test_requests_wait_for_a_worker_then_finish(web_only: LiveServer, start_worker: Callable[[], Any],
                                                tmp_path: Path) -> None:
    api = _Api(web_only)
    task_id, rq_id = api.create_task_with_data(make_images(tmp_path / "a", 3))
    time.sleep(1.5)
    assert api.json("GET", f"/api/requests/{rq_id}")["status"] == "queued"  # nobody runs it in the web process
    assert api.json("GET", f"/api/tasks/{task_id}")["size"] == 0

    start_worker()
    assert api.wait(rq_id)["status"] == "finished"
    task = api.json("GET", f"/api/tasks/{task_id}")
    assert task["size"] == 3
    meta = api.json("GET", f"/api/tasks/{task_id}/data/meta")
    assert [f["name"] for f in meta["frames"]] == ["img_000.png", "img_001.png", "img_002.png"]


def test_two_workers_share_one_queue(web_only: LiveServer, start_worker: Callable[[], Any], tmp_path: Path) -> None:
    api = _Api(web_only)
    created = [api.create_task_with_data(make_images(tmp_path / f"t{i}", 2, prefix=f"t{i}")) for i in range(4)]
    start_worker()
    start_worker()
    statuses = [api.wait(rq_id) for _, rq_id in created]
    assert [s["status"] for s in statuses] == ["finished"] * 4
    assert [api.json("GET", f"/api/tasks/{task_id}")["size"] for task_id, _ in created] == [2, 2, 2, 2]


def test_a_web_only_process_keeps_its_data_directory_clean(server_factory: Callable[..., LiveServer]) -> None:
    """With no embedded workers, the web process still runs the housekeeping of its own data
    directory: a temporary file left by a crash (two hours old) goes, a fresh one stays."""
    server = server_factory(workers=1, env={"INKLAB_EMBEDDED_WORKERS": "0", "INKLAB_HOUSEKEEPING_SECONDS": "1",
                                            "INKLAB_WORKER_HEARTBEAT_SECONDS": "0.5"})
    temp = server.data_dir / "tmp"
    temp.mkdir(exist_ok=True)
    stale, fresh = temp / "left-by-a-crash", temp / "in-use"
    stale.write_bytes(b"x" * 10)
    fresh.write_bytes(b"y")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    deadline = time.monotonic() + 20
    while stale.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not stale.exists(), "the web process ran no housekeeping"
    assert fresh.read_bytes() == b"y"
