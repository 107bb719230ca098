"""``inklab task auto-annotate`` and ``inklab function create-native | run-agent | delete``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer

pytestmark = pytest.mark.live

MARKER = Path(__file__).parents[1] / "sdk" / "auto_annotation" / "marker.py"
LABELS = [
    {"name": "car", "attributes": [{"name": "color", "mutable": False, "input_type": "select",
                                    "values": ["red", "blue"]}]},
    {"name": "person", "type": "skeleton", "sublabels": [{"name": "head"}, {"name": "hand"}]},
    {"name": "scene", "type": "tag"},
    {"name": "vehicle", "attributes": [{"name": "paint", "mutable": False, "input_type": "select",
                                        "values": ["red", "blue"]}]},
]


def inklab(server: LiveServer, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "inklab", *args[:2], "--server-host", server.url,
               "--auth", ":".join(server.admin), *args[2:]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def task(live_server: LiveServer, tmp_path: Path) -> Any:
    from inklab.sdk import make_client

    with make_client(live_server.url, credentials=live_server.admin) as client:
        client.config.status_check_period = 0.05
        created = client.tasks.create_from_data({"name": "cli-aa", "labels": LABELS}, make_images(tmp_path, 4))
        yield client, created


def _shapes(client: Any, task_id: int) -> list[dict[str, Any]]:
    return client.get_json(f"/api/tasks/{task_id}/annotations/")["shapes"]


def test_task_auto_annotate(live_server: LiveServer, task: Any) -> None:
    client, created = task
    result = inklab(live_server, "task", "auto-annotate", str(created.id), "--function-file", str(MARKER))
    assert "Annotated 4 frames" in result.stdout and "8 shapes, 4 tags" in result.stdout
    assert len(_shapes(client, created.id)) == 8
    again = inklab(live_server, "task", "auto-annotate", str(created.id), "--function-file", str(MARKER),
                   "--resume")
    assert "Annotated 0 frames" in again.stdout and "4 skipped" in again.stdout
    assert len(_shapes(client, created.id)) == 8
    bad = inklab(live_server, "task", "auto-annotate", str(created.id), "--function-file", str(MARKER),
                 "-p", "speed=int:fast", check=False)
    assert bad.returncode != 0 and "is not a int" in bad.stderr
    bad = inklab(live_server, "task", "auto-annotate", "999999", "--function-file", str(MARKER), check=False)
    assert bad.returncode == 1 and "error:" in bad.stderr


def test_native_function_and_agent(live_server: LiveServer, task: Any) -> None:
    client, created = task
    function_id = int(inklab(live_server, "function", "create-native", "marker", "--function-file",
                             str(MARKER)).stdout.strip())
    remote = client.get_json(f"/api/functions/{function_id}")
    assert [label["name"] for label in remote["labels_v2"]] == ["car", "person", "scene"]
    # The request maps the function's 'car' onto the task's 'vehicle' and its attribute.
    mapping = {"car": {"name": "vehicle", "attributes": {"color": "paint"}}}
    ar = client.send_json("POST", "/api/lambda/requests", {"function": function_id, "task": created.id,
                                                           "mapping": mapping})
    inklab(live_server, "function", "run-agent", str(function_id), "--function-file", str(MARKER), "--burst")
    status = client.get_json(f"/api/lambda/requests/{ar['id']}")
    assert status["status"] == "finished", status
    labels = {label.name: label for label in created.get_labels()}
    shapes = _shapes(client, created.id)
    assert {s["label_id"] for s in shapes} == {labels["vehicle"].id}
    paint = labels["vehicle"].attributes[0].id
    assert sorted(s["attributes"][0]["value"] for s in shapes) == ["red"] * 4
    assert {s["attributes"][0]["spec_id"] for s in shapes} == {paint}
    inklab(live_server, "function", "delete", str(function_id))
    missing = inklab(live_server, "function", "delete", str(function_id))
    assert "not found" in missing.stderr


def test_bad_functions_and_options_are_one_line_errors(live_server: LiveServer, task: Any, tmp_path: Path) -> None:
    client, created = task
    task_id = str(created.id)
    missing = inklab(live_server, "task", "auto-annotate", task_id, "--function-file", str(tmp_path / "nope.py"),
                     check=False)
    assert missing.returncode == 1 and "cannot load the function file" in missing.stderr
    assert "Traceback" not in missing.stderr
    module = inklab(live_server, "task", "auto-annotate", task_id, "--function-module", "no.such.module", check=False)
    assert module.returncode == 1 and "cannot import the function module 'no.such.module'" in module.stderr
    refused = inklab(live_server, "task", "auto-annotate", task_id, "--function-file", str(MARKER),
                     "-p", "speed=int:3", check=False)
    assert refused.returncode == 1 and "refused its parameters {'speed': 3}" in refused.stderr
    threshold = inklab(live_server, "task", "auto-annotate", task_id, "--function-file", str(MARKER),
                       "--conf-threshold", "1.5", check=False)
    assert threshold.returncode == 2 and "not between 0 and 1" in threshold.stderr
    batch = inklab(live_server, "task", "auto-annotate", task_id, "--function-file", str(MARKER),
                   "--batch-size", "0", check=False)
    assert batch.returncode == 2 and "not at least 1" in batch.stderr
    agent = inklab(live_server, "function", "run-agent", "999999", "--function-file", str(MARKER), "--burst",
                   check=False)
    assert agent.returncode == 1 and "error:" in agent.stderr and "999999" in agent.stderr
    assert _shapes(client, created.id) == []  # nothing was written by any of these


def test_function_commands_take_the_shared_server_options(live_server: LiveServer, task: Any) -> None:
    client, created = task
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2]), "INKLAB_SERVER_HOST": live_server.url,
           "INKLAB_PASSWORD": live_server.admin[1]}
    command = [sys.executable, "-m", "inklab", "function", "create-native", "marker", "--auth", live_server.admin[0],
               "--function-file", str(MARKER), "--debug"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    function_id = int(result.stdout.strip())
    assert client.get_json(f"/api/functions/{function_id}")["name"] == "marker"
    assert "POST" in result.stderr  # --debug logs the requests


def test_a_watching_agent_serves_requests_until_interrupted(live_server: LiveServer, task: Any,
                                                           tmp_path: Path) -> None:
    client, created = task
    function_id = int(inklab(live_server, "function", "create-native", "marker", "--function-file",
                             str(MARKER)).stdout.strip())
    log = tmp_path / "agent.log"
    command = [sys.executable, "-m", "inklab", "function", "run-agent", "--server-host", live_server.url,
               "--auth", ":".join(live_server.admin), str(function_id), "--function-file", str(MARKER),
               "--poll-interval", "600"]
    # A suite started in the background by a shell without job control ignores SIGINT, and an
    # ignored signal stays ignored across exec: the agent must get the default (Ctrl+C) action.
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with log.open("w") as output:
            agent = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                                     env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        deadline = time.monotonic() + 120
        while "Watching the function's queue" not in log.read_text():
            assert time.monotonic() < deadline and agent.poll() is None, log.read_text()
            time.sleep(0.2)
        ar = client.send_json("POST", "/api/lambda/requests", {"function": function_id, "task": created.id})
        while client.get_json(f"/api/lambda/requests/{ar['id']}")["status"] != "finished":
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
    finally:
        os.killpg(agent.pid, signal.SIGINT)
        try:
            status = agent.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(agent.pid, signal.SIGKILL)  # never left running after the test
            raise
    assert status == 130
    text = log.read_text()
    assert "The server announced a new batch request" in text and "Traceback" not in text
    assert len(_shapes(client, created.id)) == 8
