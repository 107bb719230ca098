"""The unmodified cvat-sdk/cvat-cli 2.80 auto-annotation against a live server.

``cvat_sdk.auto_annotation.annotate_task``, ``cvat-cli task auto-annotate`` and the native
function workflow (``function create-native``, an annotation request from the API,
``function run-agent --burst``, ``function delete``), including an agent that dies while it
holds a request, whose work another agent then takes over.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3

from tests.support.images import make_images
from tests.support.live import LiveServer

pytestmark = pytest.mark.live

FUNCTION_FILE = Path(__file__).parent / "functions" / "marker_function.py"
FRAMES = 6
LABELS = [
    {"name": "car", "attributes": [{"name": "color", "mutable": False, "input_type": "select",
                                    "values": ["red", "blue"]}]},
    {"name": "person", "type": "skeleton", "sublabels": [{"name": "head"}, {"name": "hand"}]},
    {"name": "scene", "type": "tag"},
    {"name": "truck"},
]


def _cli(server: LiveServer, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cvat_cli", "--server-host", server.url,
               "--auth", f"{server.admin[0]}:{server.admin[1]}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _agent(server: LiveServer, function_id: int, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "cvat_cli", "--server-host", server.url,
               "--auth", f"{server.admin[0]}:{server.admin[1]}", "function", "run-agent", str(function_id),
               "--function-file", str(FUNCTION_FILE), *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


class _Api:
    """Plain HTTP calls with basic auth, for the endpoints the 2.80 SDK has no methods for."""

    def __init__(self, server: LiveServer) -> None:
        self._url = server.url
        self._http = urllib3.PoolManager(headers=urllib3.make_headers(basic_auth=":".join(server.admin)))

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(method, self._url + path, json=body)
        assert 200 <= response.status < 300, (response.status, response.data[:500])
        return response.json() if response.data else None


def _make_task(server: LiveServer, tmp_path: Path, name: str) -> int:
    from cvat_sdk import make_client, models
    from cvat_sdk.core.proxies.tasks import ResourceType

    images = make_images(tmp_path / name, FRAMES)
    with make_client(server.url, credentials=server.admin) as client:
        client.config.status_check_period = 0.1
        task = client.tasks.create_from_data(spec=models.TaskWriteRequest(name=name, labels=LABELS),
                                             resources=images, resource_type=ResourceType.LOCAL,
                                             data_params={"chunk_size": 4})
        return int(task.id)


def _check_marker_annotations(api: _Api, task_id: int, *, copies: int = 1) -> None:
    """What ``marker_function`` finds on the generated images, once per frame (times ``copies``)."""
    labels = {label["name"]: label for label in api("GET", f"/api/labels?task_id={task_id}")["results"]}
    data = api("GET", f"/api/tasks/{task_id}/annotations/")
    boxes = sorted((s for s in data["shapes"] if s["type"] == "rectangle"), key=lambda s: s["frame"])
    assert [b["frame"] for b in boxes] == sorted(list(range(FRAMES)) * copies)
    color = labels["car"]["attributes"][0]["id"]
    for box in boxes:
        level = (box["frame"] * 37) % 256  # the marker grey level of tests/support/images.py
        assert box["label_id"] == labels["car"]["id"] and box["points"] == [0.0, 0.0, 8.0, 6.0]
        assert box["attributes"] == [{"spec_id": color, "value": "red" if level < 128 else "blue"}]
        assert box["source"] == "auto"
    skeletons = [s for s in data["shapes"] if s["type"] == "skeleton"]
    assert len(skeletons) == FRAMES * copies
    points = {sub["id"]: sub["name"] for sub in labels["person"]["sublabels"]}
    for skeleton in skeletons:
        elements = {points[e["label_id"]]: e for e in skeleton["elements"]}
        assert elements["head"]["points"] == [0.0, 0.0] and not elements["head"]["outside"]
        assert elements["hand"]["points"] == [8.0, 6.0] and elements["hand"]["outside"]
    assert sorted(t["frame"] for t in data["tags"]) == sorted(list(range(FRAMES)) * copies)
    assert {t["label_id"] for t in data["tags"]} == {labels["scene"]["id"]}


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> _Api:
    return _Api(live_server)


def test_cvat_sdk_annotate_task(live_server: LiveServer, api: _Api, tmp_path: Path) -> None:
    import cvat_sdk.auto_annotation as cvataa
    from cvat_sdk import make_client

    sys.path.insert(0, str(FUNCTION_FILE.parent))
    try:
        import marker_function
    finally:
        sys.path.pop(0)
    task_id = _make_task(live_server, tmp_path, "sdk-aa")
    with make_client(live_server.url, credentials=live_server.admin) as client:
        client.config.cache_dir = tmp_path / "cache"
        cvataa.annotate_task(client, task_id, marker_function.create())
        _check_marker_annotations(api, task_id)
        cvataa.annotate_task(client, task_id, marker_function.create())  # appends
        _check_marker_annotations(api, task_id, copies=2)
        cvataa.annotate_task(client, task_id, marker_function.create(), clear_existing=True)
        _check_marker_annotations(api, task_id)


def test_cvat_cli_task_auto_annotate(live_server: LiveServer, api: _Api, tmp_path: Path) -> None:
    task_id = _make_task(live_server, tmp_path, "cli-aa")
    _cli(live_server, "task", "auto-annotate", str(task_id), "--function-file", str(FUNCTION_FILE),
         "-p", "delay=float:0")
    _check_marker_annotations(api, task_id)
    bad = _cli(live_server, "task", "auto-annotate", str(task_id), "--function-file", str(FUNCTION_FILE),
               "-p", "speed=int:3", check=False)
    assert bad.returncode != 0 and "speed" in bad.stderr
    _check_marker_annotations(api, task_id)  # untouched


@pytest.fixture
def native_function(live_server: LiveServer, api: _Api) -> Iterator[int]:
    created = _cli(live_server, "function", "create-native", "marker", "--function-file", str(FUNCTION_FILE))
    function_id = int(created.stdout.strip().splitlines()[-1])
    yield function_id
    _cli(live_server, "function", "delete", str(function_id))


def test_native_function_with_burst_agent(live_server: LiveServer, api: _Api, native_function: int,
                                          tmp_path: Path) -> None:
    function = api("GET", f"/api/functions/{native_function}")
    assert function["provider"] == "native" and function["kind"] == "detector"
    assert [label["name"] for label in function["labels_v2"]] == ["car", "person", "scene"]
    tasks = [_make_task(live_server, tmp_path, f"agent-{i}") for i in range(2)]
    requests = [api("POST", "/api/lambda/requests", {"function": f"function:{native_function}", "task": task})["id"]
                for task in tasks]
    result = subprocess.run(
        [sys.executable, "-m", "cvat_cli", "--server-host", live_server.url, "--auth", ":".join(live_server.admin),
         "function", "run-agent", str(native_function), "--function-file", str(FUNCTION_FILE), "--burst"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for ar_id, task in zip(requests, tasks, strict=True):
        status = api("GET", f"/api/lambda/requests/{ar_id}")
        assert status["status"] == "finished" and status["progress"] == 100, status
        assert status["result_shapes"] == 2 * FRAMES and status["result_tags"] == FRAMES
        _check_marker_annotations(api, task)


def test_function_delete_of_a_missing_function_warns(live_server: LiveServer) -> None:
    result = _cli(live_server, "function", "delete", "999999")
    assert "not found" in result.stderr


def test_a_dead_agents_request_is_finished_by_another(server_factory: Any, tmp_path: Path) -> None:
    server = server_factory(env={"INKLAB_AGENT_LEASE_SECONDS": "3"})
    api = _Api(server)
    created = _cli(server, "function", "create-native", "marker", "--function-file", str(FUNCTION_FILE))
    function_id = int(created.stdout.strip().splitlines()[-1])
    task = _make_task(server, tmp_path, "handover")
    ar_id = api("POST", "/api/lambda/requests", {"function": str(function_id), "task": task})["id"]

    slow = _agent(server, function_id, "-p", "delay=float:60")  # watches the queue, takes the request, stalls
    try:
        deadline = time.monotonic() + 120
        while api("GET", f"/api/lambda/requests/{ar_id}")["status"] != "started":
            assert time.monotonic() < deadline and slow.poll() is None, slow.stdout.read() if slow.stdout else ""
            time.sleep(0.5)
    finally:
        os.killpg(slow.pid, signal.SIGKILL)
        slow.wait()
    time.sleep(3.5)  # the dead agent's lease runs out

    result = subprocess.run(
        [sys.executable, "-m", "cvat_cli", "--server-host", server.url, "--auth", ":".join(server.admin),
         "function", "run-agent", str(function_id), "--function-file", str(FUNCTION_FILE), "--burst"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    status = api("GET", f"/api/lambda/requests/{ar_id}")
    assert status["status"] == "finished", status
    _check_marker_annotations(api, task)  # written once, by the second agent
    assert status["result_shapes"] == 2 * FRAMES


def test_a_watching_agent_is_woken_by_the_event_stream(live_server: LiveServer, api: _Api, native_function: int,
                                                      tmp_path: Path) -> None:
    task = _make_task(live_server, tmp_path, "watched")
    log = tmp_path / "agent.log"
    with log.open("w") as output:
        agent = subprocess.Popen(
            [sys.executable, "-m", "cvat_cli", "--server-host", live_server.url, "--auth", ":".join(live_server.admin),
             "function", "run-agent", str(native_function), "--function-file", str(FUNCTION_FILE)],
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # Once connected to the event stream the agent polls only every ~10 minutes, so a request
        # finished within a minute or two was announced to it by the stream.
        deadline = time.monotonic() + 180
        while "Connected to the queue event stream" not in log.read_text():
            assert time.monotonic() < deadline and agent.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(2)  # let its first poll pass
        ar_id = api("POST", "/api/lambda/requests", {"function": str(native_function), "task": task})["id"]
        deadline = time.monotonic() + 120
        while api("GET", f"/api/lambda/requests/{ar_id}")["status"] != "finished":
            assert time.monotonic() < deadline, "the agent did not notice the new request"
            time.sleep(0.5)
    finally:
        os.killpg(agent.pid, signal.SIGTERM)
        agent.wait(timeout=30)
    _check_marker_annotations(api, task)
    text = log.read_text()
    assert "unknown type" not in text and "Received notification about a new request" in text


def test_an_agent_of_a_job_request_sees_that_jobs_frames_only(live_server: LiveServer, api: _Api,
                                                               tmp_path: Path) -> None:
    """cvat-cli's agent reads the whole task's meta and chunks; for a job request made by the task's
    owner to someone else's function, it gets the job's frames and blanks in their place."""
    from cvat_sdk import make_client, models
    from cvat_sdk.core.proxies.tasks import ResourceType

    agent_user = ("agent-owner", "Paint-the-boxes-7")
    api("POST", "/api/auth/register", {"username": agent_user[0], "password1": agent_user[1],
                                       "password2": agent_user[1]})
    created = subprocess.run(
        [sys.executable, "-m", "cvat_cli", "--server-host", live_server.url, "--auth", ":".join(agent_user),
         "function", "create-native", "marker", "--function-file", str(FUNCTION_FILE)],
        capture_output=True, text=True, timeout=120, check=True)
    function_id = int(created.stdout.strip().splitlines()[-1])
    with make_client(live_server.url, credentials=live_server.admin) as client:
        client.config.status_check_period = 0.1
        task = client.tasks.create_from_data(
            spec=models.TaskWriteRequest(name="job-request", labels=LABELS, segment_size=3),
            resources=make_images(tmp_path / "job", FRAMES), resource_type=ResourceType.LOCAL,
            data_params={"chunk_size": 4})  # chunk 0 holds frames 0-3: three of them are not the job's
    second = sorted(api("GET", f"/api/jobs?task_id={task.id}")["results"], key=lambda j: j["start_frame"])[1]
    ar_id = api("POST", "/api/lambda/requests", {"function": f"function:{function_id}", "task": task.id,
                                                 "job": second["id"]})["id"]
    result = subprocess.run(
        [sys.executable, "-m", "cvat_cli", "--server-host", live_server.url, "--auth", ":".join(agent_user),
         "function", "run-agent", str(function_id), "--function-file", str(FUNCTION_FILE), "--burst"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    status = api("GET", f"/api/lambda/requests/{ar_id}")
    assert status["status"] == "finished" and status["result_tags"] == 3, status
    data = api("GET", f"/api/tasks/{task.id}/annotations/")
    boxes = sorted((s for s in data["shapes"] if s["type"] == "rectangle"), key=lambda s: s["frame"])
    assert [b["frame"] for b in boxes] == [3, 4, 5]
    labels = {label["name"]: label for label in api("GET", f"/api/labels?task_id={task.id}")["results"]}
    color = labels["car"]["attributes"][0]["id"]
    for box in boxes:  # the marker function saw the real frames, not blanks
        level = (box["frame"] * 37) % 256
        assert box["attributes"] == [{"spec_id": color, "value": "red" if level < 128 else "blue"}]
    _cli(live_server, "function", "delete", str(function_id))
