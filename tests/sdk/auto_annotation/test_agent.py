"""Agents: the queue's event stream, waking on new requests, polling without it, progress,
cancellation and retries, against live servers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import inklab.sdk.auto_annotation as aa
from inklab.sdk import Config, TransportError, make_client
from inklab.sdk.auto_annotation import agent as agent_module
from inklab.sdk.auto_annotation._watch import Event, QueueWatcher, parse_event_stream
from inklab.sdk.auto_annotation.agent import run_agent
from tests.sdk.auto_annotation.conftest import LABELS
from tests.sdk.auto_annotation.marker import Marker
from tests.support.images import make_images

pytestmark = pytest.mark.live

LABELS_V2 = [
    {"name": "car", "type": "rectangle", "attributes": [{"name": "color", "input_type": "select",
                                                          "values": ["red", "blue"]}]},
    {"name": "person", "type": "skeleton", "attributes": [],
     "sublabels": [{"name": "head", "attributes": []}, {"name": "hand", "attributes": []}]},
    {"name": "scene", "type": "tag", "attributes": []},
]


# -- the event stream format ------------------------------------------------------------------


def test_events_are_parsed_across_arbitrary_pieces() -> None:
    stream = (b"retry: 2500\n: keep-alive\n\nevent: newrequest\ndata: {\"request_category\":"
              b" \"batch\"}\n\ndata: one\ndata: two\n\nevent: nodata\n\nid: 7\nevent: x\ndata\n\nretry: soon\n")
    expected = [Event(retry=2500), Event("newrequest", '{"request_category": "batch"}'), Event("message", "one\ntwo"),
                Event("x", "")]
    for size in (1, 3, 7, len(stream)):
        pieces = [stream[i:i + size] for i in range(0, len(stream), size)]
        assert list(parse_event_stream(pieces)) == expected
    assert list(parse_event_stream([b"data: cut off without a blank line\n"])) == []
    with pytest.raises(ValueError, match="CR"):
        list(parse_event_stream([b"data: x\r\n\r\n"]))


# -- against a live server --------------------------------------------------------------------


def _function(client: Any, name: str = "marker") -> int:
    body = {"provider": "native", "kind": "detector", "name": name, "labels_v2": LABELS_V2}
    return int(client.send_json("POST", "/api/functions", body)["id"])


def _request(client: Any, function_id: int, task_id: int) -> str:
    return str(client.send_json("POST", "/api/lambda/requests", {"function": function_id, "task": task_id})["id"])


def _status(client: Any, ar_id: str) -> dict[str, Any]:
    return client.get_json(f"/api/lambda/requests/{ar_id}")  # type: ignore[no-any-return]


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


class SlowMarker(Marker):
    """The marker function, ``delay`` seconds per frame."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def detect(self, context: aa.DetectionFunctionContext, image: Any) -> list[Any]:
        time.sleep(self.delay)
        return super().detect(context, image)


class _Running:
    """``run_agent`` in a thread, stopped (and its result checked) at the end."""

    def __init__(self, client: Any, function: Any, function_id: int, **kwargs: Any) -> None:
        self.stop = threading.Event()
        self.result: list[Any] = []
        self.thread = threading.Thread(target=lambda: self.result.append(
            run_agent(client, function, function_id, stop=self.stop, **kwargs)), daemon=True)
        self.thread.start()

    def finish(self) -> int:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive() and self.result, "the agent did not stop"
        return int(self.result[0])


@pytest.fixture
def running() -> Iterator[Callable[..., _Running]]:
    started: list[_Running] = []

    def start(*args: Any, **kwargs: Any) -> _Running:
        started.append(_Running(*args, **kwargs))
        return started[-1]

    yield start
    for agent in started:
        agent.stop.set()
        agent.thread.join(30)


def test_the_watcher_wakes_on_new_requests_and_stops_at_once(client: Any, aa_task: Callable[..., Any]) -> None:
    task = aa_task(frames=2)
    function_id = _function(client)
    woken = threading.Event()
    watcher = QueueWatcher(client, function_id, woken.set)
    watcher.start()
    try:
        _wait(lambda: watcher.connected, 30, "the watcher connects")
        woken.clear()
        time.sleep(1.5)  # nothing is queued: no news
        assert not woken.is_set()
        _request(client, function_id, task.id)
        assert woken.wait(15), "no event for the new request"
    finally:
        started = time.monotonic()
        watcher.stop()
    assert time.monotonic() - started < 5 and not watcher._thread.is_alive()  # the blocked read was interrupted
    assert not watcher.connected


def test_a_watching_agent_is_woken_reports_progress_and_drops_cancelled_requests(
        client: Any, aa_task: Callable[..., Any], running: Callable[..., _Running]) -> None:
    first, second = aa_task(frames=6), aa_task(frames=6)
    function_id = _function(client)
    # A poll every 10 minutes at best: only the event stream can wake it within the test.
    agent = running(client, SlowMarker(0.4), function_id, poll_interval=600, update_interval=0.3)
    time.sleep(2)  # let it connect and find the queue empty
    ar_id = _request(client, function_id, first.id)
    seen: list[float] = []

    def progressing() -> bool:
        status = _status(client, ar_id)
        if status["status"] == "started":
            seen.append(float(status["progress"] or 0))
        return status["status"] == "finished"

    _wait(progressing, 60, "the request is finished")
    assert any(0 < p < 100 for p in seen), seen  # reported (in percent) while it worked
    status = _status(client, ar_id)
    assert status["progress"] == 100 and status["result_shapes"] == 12 and status["result_tags"] == 6

    # A request cancelled while the agent works on it is dropped: nothing is written for it.
    cancelled = _request(client, function_id, second.id)
    _wait(lambda: _status(client, cancelled)["status"] == "started", 30, "the agent takes the request")
    client.request("DELETE", f"/api/lambda/requests/{cancelled}")
    # …and the agent goes on serving the queue.
    third = _request(client, function_id, first.id)
    _wait(lambda: _status(client, third)["status"] == "finished", 60, "the next request is finished")
    assert _status(client, cancelled)["exc_info"] == "The request was cancelled."
    assert client.get_json(f"/api/tasks/{second.id}/annotations/")["shapes"] == []
    assert agent.finish() == 2


def test_without_the_event_stream_the_agent_polls(server_factory: Any, tmp_path: Any,
                                                  running: Callable[..., _Running]) -> None:
    server = server_factory(env={"INKLAB_AGENT_MAX_WATCHERS": "0"})  # every watch is refused (503)
    config = Config(status_check_period=0.05, cache_dir=tmp_path / "cache")
    with make_client(server.url, credentials=server.admin, config=config) as client:
        task = client.tasks.create_from_data({"name": "polled", "labels": LABELS}, make_images(tmp_path, 3))
        function_id = _function(client)
        agent = running(client, Marker(), function_id, poll_interval=0.5)
        ar_id = _request(client, function_id, task.id)
        _wait(lambda: _status(client, ar_id)["status"] == "finished", 60, "the polling agent finishes it")
        assert agent.finish() == 1


def test_the_stream_is_reopened_when_the_server_ends_it(server_factory: Any, tmp_path: Any) -> None:
    server = server_factory(env={"INKLAB_AGENT_WATCH_SECONDS": "1"})
    config = Config(status_check_period=0.05, cache_dir=tmp_path / "cache")
    with make_client(server.url, credentials=server.admin, config=config) as client:
        task = client.tasks.create_from_data({"name": "reconnect", "labels": LABELS}, make_images(tmp_path, 2))
        function_id = _function(client)
        wakes: list[float] = []
        watcher = QueueWatcher(client, function_id, lambda: wakes.append(time.monotonic()), retry_delay=0.2)
        watcher.start()
        try:
            _wait(lambda: len(wakes) >= 2, 30, "the stream ends twice")  # each end wakes the agent
            _wait(lambda: watcher.connected, 30, "it is connected again")
            before = len(wakes)
            _request(client, function_id, task.id)
            _wait(lambda: len(wakes) > before, 15, "the new request is announced")
        finally:
            watcher.stop()
        client.request("DELETE", f"/api/functions/{function_id}")
        gone = QueueWatcher(client, function_id, lambda: None)
        gone.start()
        _wait(lambda: gone.gone and not gone._thread.is_alive(), 15, "the watcher gives up on a deleted function")


def test_transient_failures_of_the_queue_are_retried(client: Any, aa_task: Callable[..., Any],
                                                     monkeypatch: Any) -> None:
    task = aa_task(frames=2)
    function_id = _function(client)
    ar_id = _request(client, function_id, task.id)
    monkeypatch.setattr(agent_module, "_FIRST_RETRY_DELAY", 0.05)
    inner = client._transport
    failures = {"acquire": 1, "complete": 2}

    class Flaky:
        def send(self, request: Any, **kwargs: Any) -> Any:
            for name, left in failures.items():
                if request.url.endswith(f"/{name}") and left:
                    failures[name] -= 1
                    raise TransportError("the connection dropped", request=request.info)
            return inner.send(request, **kwargs)

        def close(self) -> None:
            inner.close()

    client._transport = Flaky()
    assert run_agent(client, Marker(), function_id, burst=True) == 1
    assert failures == {"acquire": 0, "complete": 0}
    assert _status(client, ar_id)["status"] == "finished"
    with pytest.raises(aa.AutoAnnotationError, match="lacks"):
        run_agent(client, _Unrelated(), function_id, burst=True)


class _Unrelated:
    spec = aa.DetectionFunctionSpec(labels=[aa.label_spec("car", 0, type="rectangle")])

    def detect(self, context: Any, image: Any) -> list[Any]:
        return []
