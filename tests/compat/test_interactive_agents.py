"""Interaction and tracking functions served by agents, called as CVAT's UI calls them.

The same two function files (written for ``cvat_sdk.auto_annotation``) are served by the real
``cvat-cli function run-agent`` and, with their imports changed to ``inklab.sdk``, by
``inklab function run-agent``; the predefined weights-free tracker is served by inklab's agent
too. A click on a generated square comes back as the square's outline; a tracker follows a
square moving across 20 frames of a generated video to within 2 px.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import urllib3

from tests.support.live import LiveServer

pytestmark = pytest.mark.live

FUNCTIONS = Path(__file__).parent / "functions"
FRAMES = 20
SIZE = (160, 120)
SQUARE = 24


def square_at(frame: int) -> tuple[int, int]:
    """The moving square's top-left corner on ``frame``."""
    return 10 + 5 * frame, 12 + 3 * frame


def _frame(index: int) -> np.ndarray:
    pixels = np.full((SIZE[1], SIZE[0], 3), (200, 200, 200), dtype=np.uint8)
    x, y = square_at(index)
    pixels[y:y + SQUARE, x:x + SQUARE] = (200, 30, 30)
    pixels[80:110, 120:150] = (20, 60, 200)  # a still blue block
    return pixels


def make_video(path: Path) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.options = {"qscale": "2"}
        for index in range(FRAMES):
            for packet in stream.encode(av.VideoFrame.from_ndarray(_frame(index), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


class Api:
    def __init__(self, server: LiveServer) -> None:
        self.url = server.url
        self.http = urllib3.PoolManager(headers=urllib3.make_headers(basic_auth=":".join(server.admin)))

    def __call__(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.http.request(method, self.url + path, json=body)
        assert response.status == expect, (response.status, response.data[:500])
        return response.json() if response.data else None


@pytest.fixture(scope="module")
def video_task(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> int:
    from cvat_sdk import make_client, models
    from cvat_sdk.core.proxies.tasks import ResourceType

    video = make_video(tmp_path_factory.mktemp("video") / "square.mp4")
    with make_client(live_server.url, credentials=live_server.admin) as client:
        client.config.status_check_period = 0.1
        task = client.tasks.create_from_data(spec=models.TaskWriteRequest(name="square", labels=[{"name": "box"}]),
                                             resources=[str(video)], resource_type=ResourceType.LOCAL)
        return int(task.id)


def _inklab_copy(source: Path, target_dir: Path) -> Path:
    """The function file with its imports changed from cvat_sdk to inklab.sdk."""
    text = source.read_text().replace("cvat_sdk.auto_annotation", "inklab.sdk.auto_annotation")
    target = target_dir / source.name
    target.write_text(text.replace("cvat_sdk.models", "inklab.sdk.models"))
    return target


def _command(server: LiveServer, tool: str, *args: str) -> list[str]:
    auth = ["--server-host", server.url, "--auth", ":".join(server.admin)]
    if tool == "cvat-cli":
        return [sys.executable, "-m", "cvat_cli", *auth, "function", *args]
    return [sys.executable, "-m", "inklab", "function", args[0], *auth, *args[1:]]


@pytest.fixture
def serve(live_server: LiveServer, tmp_path: Path) -> Iterator[Callable[..., int]]:
    """``serve(tool, *function options)``: register the function, run an agent, return the id."""
    agents: list[subprocess.Popen[str]] = []
    functions: list[int] = []
    api = Api(live_server)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2] / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}

    def start(tool: str, *function: str) -> int:
        created = subprocess.run(_command(live_server, tool, "create-native", f"fn-{tool}", *function),
                                 capture_output=True, text=True, timeout=120, env=env)
        assert created.returncode == 0, created.stderr
        function_id = int(created.stdout.strip().splitlines()[-1])
        functions.append(function_id)
        agent = subprocess.Popen(_command(live_server, tool, "run-agent", str(function_id), *function),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                 start_new_session=True)
        agents.append(agent)
        deadline = time.monotonic() + 60
        while api("GET", f"/api/functions/{function_id}")["agents_online"] < 1:
            assert agent.poll() is None and time.monotonic() < deadline, agent.stdout.read() if agent.stdout else ""
            time.sleep(0.1)
        return function_id

    yield start
    for agent in agents:
        os.killpg(agent.pid, signal.SIGTERM)
        try:
            agent.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(agent.pid, signal.SIGKILL)
            agent.wait()
    for function_id in functions:
        api("DELETE", f"/api/functions/{function_id}", expect=204)


def _check_click(api: Api, function_id: int, task_id: int) -> None:
    x, y = square_at(7)
    answer = api("POST", f"/api/lambda/functions/{function_id}",
                 {"task": task_id, "frame": 7, "pos_points": [[x + 10, y + 12]], "neg_points": []})
    [shape] = answer["shapes"]
    assert shape["type"] == "polygon"
    expected = [x, y, x + SQUARE, y, x + SQUARE, y + SQUARE, x, y + SQUARE]
    assert np.abs(np.array(shape["points"]) - expected).max() <= 2, shape["points"]
    assert shape["attributes"] == [{"spec_id": 0, "value": "1.0"}]
    # A second click on the same frame reuses the preprocessed image; a negative point inside
    # the square rejects it.
    rejected = api("POST", f"/api/lambda/functions/{function_id}",
                   {"task": task_id, "frame": 7, "pos_points": [[x + 3, y + 3]], "neg_points": [[x + 20, y + 20]]})
    assert rejected["shapes"] == []
    on_block = api("POST", f"/api/lambda/functions/{function_id}",
                   {"task": task_id, "frame": 7, "pos_points": [[130, 90]], "neg_points": []})
    assert np.abs(np.array(on_block["shapes"][0]["points"]) - [120, 80, 150, 80, 150, 110, 120, 110]).max() <= 2


def _check_tracking(api: Api, function_id: int, task_id: int) -> None:
    x, y = square_at(0)
    started = api("POST", f"/api/lambda/functions/{function_id}", {
        "task": task_id, "frame": 0, "shapes": [{"type": "rectangle", "points": [x, y, x + SQUARE, y + SQUARE]}]})
    states = started["states"]
    assert len(states) == 1 and len(states[0]) >= 32  # an unguessable id
    for frame in range(1, FRAMES):
        step = api("POST", f"/api/lambda/functions/{function_id}", {"task": task_id, "frame": frame,
                                                                   "states": states})
        [shape] = step["shapes"]
        x, y = square_at(frame)
        assert shape["type"] == "rectangle"
        assert np.abs(np.array(shape["points"]) - [x, y, x + SQUARE, y + SQUARE]).max() <= 2, (frame, shape)
    unknown = api("POST", f"/api/lambda/functions/{function_id}",
                  {"task": task_id, "frame": 1, "states": ["not-a-state"]}, expect=400)
    assert "not found" in unknown["detail"]


@pytest.mark.parametrize("tool", ["cvat-cli", "inklab"])
def test_a_click_is_answered_with_the_objects_outline(live_server: LiveServer, video_task: int, tool: str,
                                                      serve: Callable[..., int], tmp_path: Path) -> None:
    source = FUNCTIONS / "flood_interactor.py"
    path = source if tool == "cvat-cli" else _inklab_copy(source, tmp_path)
    function_id = serve(tool, "--function-file", str(path))
    api = Api(live_server)
    function = api("GET", f"/api/functions/{function_id}")
    assert (function["kind"], function["min_pos_points"], function["min_neg_points"]) == ("interactor", 1, 0)
    _check_click(api, function_id, video_task)


@pytest.mark.parametrize("tool", ["cvat-cli", "inklab"])
def test_a_tracker_follows_a_moving_square(live_server: LiveServer, video_task: int, tool: str,
                                           serve: Callable[..., int], tmp_path: Path) -> None:
    source = FUNCTIONS / "color_tracker.py"
    path = source if tool == "cvat-cli" else _inklab_copy(source, tmp_path)
    function_id = serve(tool, "--function-file", str(path))
    api = Api(live_server)
    assert api("GET", f"/api/functions/{function_id}")["supported_shape_types"] == ["rectangle"]
    _check_tracking(api, function_id, video_task)


def test_the_weights_free_tracker_follows_a_moving_square(live_server: LiveServer, video_task: int,
                                                          serve: Callable[..., int]) -> None:
    function_id = serve("inklab", "--function-module", "inklab.sdk.auto_annotation.functions.template_tracker")
    _check_tracking(Api(live_server), function_id, video_task)
