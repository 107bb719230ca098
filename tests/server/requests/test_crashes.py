"""``kill -9`` in the middle of background work: the request ends within a minute of the restart,
a retry works, no edit made meanwhile is overwritten, and no temporary file is left.

Each test kills a real process with SIGKILL while its request is ``started``: a separate
``inklab worker`` (task creation), or a whole ``inklab serve`` with its embedded workers
(an annotations import, an export). Heartbeats are set to one second.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer
from tests.support.rest import Rest

pytestmark = pytest.mark.live

FAST = {"INKLAB_WORKER_HEARTBEAT_SECONDS": "1"}
LOST = ("The server process running this request stopped before it finished (it crashed or was "
        "restarted); nothing of it was kept. Run the request again.")


def _status(api: Rest, rq_id: str) -> dict[str, Any]:
    return api.get(f"/api/requests/{rq_id}")  # type: ignore[no-any-return]


def _when_started(api: Rest, rq_id: str) -> None:
    deadline = time.monotonic() + 60
    while _status(api, rq_id)["status"] == "queued":
        assert time.monotonic() < deadline, "the request was never started"
        time.sleep(0.02)
    assert _status(api, rq_id)["status"] == "started", "the work ended before it could be interrupted"


def _ended(api: Rest, rq_id: str, within: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while (status := _status(api, rq_id))["status"] not in ("finished", "failed"):
        assert time.monotonic() < deadline, f"request still {status['status']} after {within} s: {status}"
        time.sleep(0.2)
    return status


def _leftovers(server: LiveServer) -> list[str]:
    """Temporary and uploaded files that no request needs any more."""
    data = server.data_dir
    found = [p for p in (data / "tmp").rglob("*")] if (data / "tmp").exists() else []
    found += [p for p in (data / "exports").glob(".*.tmp")] if (data / "exports").exists() else []
    found += [p for p in (data / "media" / "uploads").rglob("*") if p.is_file()]
    for task_dir in (data / "media" / "tasks").glob("*"):
        found += [p for name in ("work", "staging", "upload") for p in (task_dir / name).rglob("*")]
    return sorted(str(p.relative_to(data)) for p in found)


def _cvat_xml(frames: int, boxes: int) -> bytes:
    lines = ["<annotations>", "<version>1.1</version>"]
    for f in range(frames):
        lines.append(f"<image id='{f}' name='frame_{f:03d}.png' width='64' height='48'>")
        lines += [f"<box label='car' xtl='{b % 50}' ytl='1' xbr='{b % 50 + 5}' ybr='9' occluded='0'/>"
                  for b in range(boxes)]
        lines.append("</image>")
    lines.append("</annotations>")
    return "\n".join(lines).encode()


def _import(api: Rest, task_id: int, data: bytes) -> str:
    body = api.call("POST", f"/api/tasks/{task_id}/annotations/?format=CVAT+1.1",
                    fields={"annotation_file": ("boxes.xml", data, "application/xml")})
    return str(body["rq_id"])


def _box(label_id: int, x: float) -> dict[str, Any]:
    return {"type": "rectangle", "frame": 1, "label_id": label_id, "points": [x, 2, x + 3, 6], "attributes": [],
            "group": 0, "source": "manual", "occluded": False, "z_order": 0}


@pytest.fixture
def start_worker() -> Iterator[Callable[[LiveServer], subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(server: LiveServer) -> subprocess.Popen[bytes]:
        processes.append(server.run_worker())
        return processes[-1]

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(20)


def test_kill_during_task_creation(server_factory: Callable[..., LiveServer],
                                   start_worker: Callable[[LiveServer], subprocess.Popen[bytes]],
                                   tmp_path: Path) -> None:
    server = server_factory(workers=1, env={**FAST, "INKLAB_EMBEDDED_WORKERS": "0"})
    api = Rest(server)
    task = api.call("POST", "/api/tasks", {"name": "crash", "labels": [{"name": "car"}]})
    path = f"/api/tasks/{task['id']}/data/"
    many = make_images(tmp_path / "many", 150, size=(640, 480), prefix="big")
    api.call("POST", path, {}, headers={"Upload-Start": ""})
    api.call("POST", path, fields={f"client_files[{i}]": (p.name, p.read_bytes(), "image/png")
                                   for i, p in enumerate(many)}, headers={"Upload-Multiple": ""})
    rq_id = api.call("POST", path, {"image_quality": 90}, headers={"Upload-Finish": ""})["rq_id"]
    worker = start_worker(server)
    _when_started(api, rq_id)
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    # The retry is not refused: the dead worker's request is ended at once and lets the task go.
    few = make_images(tmp_path / "few", 3, prefix="frame")
    api.call("POST", path, {}, headers={"Upload-Start": ""})
    api.call("POST", path, fields={f"client_files[{i}]": (p.name, p.read_bytes(), "image/png")
                                   for i, p in enumerate(few)}, headers={"Upload-Multiple": ""})
    retry = api.call("POST", path, {"image_quality": 90}, headers={"Upload-Finish": ""})["rq_id"]
    assert (_status(api, rq_id)["status"], _status(api, rq_id)["message"]) == ("failed", LOST)

    start_worker(server)
    assert _ended(api, retry)["status"] == "finished"
    meta = api.get(f"/api/tasks/{task['id']}/data/meta")
    assert [f["name"] for f in meta["frames"]] == ["frame_000.png", "frame_001.png", "frame_002.png"]
    assert _leftovers(server) == []


def test_kill_during_an_import_keeps_the_edit_made_meanwhile(server_factory: Callable[..., LiveServer],
                                                             tmp_path: Path) -> None:
    server = server_factory(workers=1, env={**FAST, "INKLAB_EMBEDDED_WORKERS": "1"})
    # A second web server on the same data stays up while the first one is down.
    other = server_factory(workers=1, env={**FAST, "INKLAB_EMBEDDED_WORKERS": "0"}, data_dir=server.data_dir,
                           database_url=server.database_url)
    api, api2 = Rest(server), Rest(other)
    task = api.create_task("crash", [{"name": "car"}], make_images(tmp_path / "img", 2, prefix="frame"))
    car = api.labels(task_id=task["id"])[0]["id"]
    api.call("PUT", f"/api/tasks/{task['id']}/annotations/", {"shapes": [_box(car, 1)]})

    rq_id = _import(api, task["id"], _cvat_xml(2, 15_000))
    _when_started(api, rq_id)
    server.kill()
    api2.call("PATCH", f"/api/tasks/{task['id']}/annotations/?action=create", {"shapes": [_box(car, 30)]})
    server.start()

    status = _ended(api, rq_id)
    assert (status["status"], status["message"]) == ("failed", LOST)
    shapes = api.get(f"/api/tasks/{task['id']}/annotations/")["shapes"]
    assert sorted(s["points"][0] for s in shapes) == [1.0, 30.0]  # the stale import never ran again

    retry = _import(api, task["id"], _cvat_xml(2, 50))
    assert _ended(api, retry)["status"] == "finished"
    assert len(api.get(f"/api/tasks/{task['id']}/annotations/")["shapes"]) == 100
    assert _leftovers(server) == []


def test_kill_during_an_export(server_factory: Callable[..., LiveServer], tmp_path: Path) -> None:
    server = server_factory(workers=1, env={**FAST, "INKLAB_EMBEDDED_WORKERS": "1"})
    api = Rest(server)
    task = api.create_task("crash", [{"name": "car"}], make_images(tmp_path / "img", 40, size=(640, 480)))
    car = api.labels(task_id=task["id"])[0]["id"]
    shapes = [{**_box(car, i % 50), "frame": i % 40} for i in range(20_000)]
    api.call("PUT", f"/api/tasks/{task['id']}/annotations/", {"shapes": shapes})

    path = f"/api/tasks/{task['id']}/dataset/export?format=CVAT+for+images+1.1&save_images=true"
    rq_id = api.call("POST", path)["rq_id"]
    _when_started(api, rq_id)
    server.kill()
    server.start()

    # An export only rewrites its own file: it runs again, from the start.
    status = _ended(api, rq_id, within=120)
    assert status["status"] == "finished", status
    assert _leftovers(server) == []
    assert [p.name for p in (server.data_dir / "exports").iterdir()] == [f"{rq_id}.zip"]
    again = api.call("POST", path)["rq_id"]
    assert _ended(api, again, within=120)["status"] == "finished"
