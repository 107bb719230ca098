"""Interactive calls (``POST /api/lambda/functions/{id}``): checked, handed to an agent, answered.

The agent here is a thread polling the queue API over the test client, as the function's
owner, the way agents do over HTTP. SQLite's in-memory test database (shared cache) refuses a
table lock at once where the server's file database waits for it, so calls made while the
other thread writes are retried here (:func:`_retrying`); tests/compat runs the same flows
against a live server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from inklab.server.functions.models import AnnotationRequest
from tests.server.functions.conftest import queue_url

pytestmark = pytest.mark.django_db(transaction=True)

Handler = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]


def _retrying(send: Callable[[], Any]) -> Any:
    for _ in range(50):
        response = send()
        if response.status_code != 503 or "database is busy" not in response.content.decode():
            return response
        time.sleep(0.01)
    return response


class Agent:
    """Takes interactive requests and answers with ``handler(ar_params)`` -> (action, body)."""

    def __init__(self, client: APIClient, function_id: int, handler: Handler) -> None:
        self.client, self.function_id, self.handler = client, function_id, handler
        self.seen: list[dict[str, Any]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                answer = _retrying(lambda: self.client.post(
                    queue_url(self.function_id, "requests/acquire"),
                    {"agent_id": "test-agent", "request_category": "interactive"}, format="json"))
                if answer.status_code != 200:  # the test is over: its function is gone
                    return
                assignment = answer.json()["ar_assignment"]
                if assignment is None:
                    time.sleep(0.02)
                    continue
                self.seen.append(assignment["ar_params"])
                action, body = self.handler(assignment["ar_params"])
                path = queue_url(self.function_id, f"requests/{assignment['ar_id']}/{action}")
                payload = {"agent_id": "test-agent", **body}
                _retrying(lambda path=path, payload=payload: self.client.post(path, payload, format="json"))
        finally:
            connection.close()

    def __enter__(self) -> Agent:
        self.thread.start()
        deadline = time.monotonic() + 5
        while not self.seen and time.monotonic() < deadline:  # its first poll marks it as seen
            if AnnotationRequest.objects.exists() or _seen(self.function_id):
                break
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)


def _seen(function_id: int) -> bool:
    from inklab.server.functions.models import Function

    return Function.objects.filter(pk=function_id, last_seen__isnull=False).exists()


@pytest.fixture
def interactor(make_function: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_function(name="clicks", kind="interactor", labels_v2=[], min_pos_points=1, min_neg_points=0,
                         startswith_box_optional=True)


@pytest.fixture
def tracker(make_function: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_function(name="follow", kind="tracker", labels_v2=[], supported_shape_types=["rectangle", "points"])


@pytest.fixture
def task(make_task: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_task(frames=4, segment_size=2)


def _call(client: APIClient, function_id: int, **body: Any) -> Any:
    return _retrying(lambda: client.post(f"/api/lambda/functions/{function_id}", body, format="json"))


def _polygon(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (x, y), = params["pos_points"][:1]
    return "complete", {"shapes": [{"type": "polygon", "points": [x - 1, y - 1, x + 1, y - 1, x, y + 1],
                                    "attributes": [{"spec_id": 0, "value": "0.9"}]}]}


@pytest.fixture
def agent_for(api: APIClient) -> Iterator[Callable[[dict[str, Any], Handler], Agent]]:
    agents: list[Agent] = []

    def start(function: dict[str, Any], handler: Handler) -> Agent:
        agent = Agent(APIClient(), function["id"], handler)
        agent.client.force_authenticate(api.handler._force_user)
        agents.append(agent.__enter__())
        return agent

    yield start
    for agent in agents:
        agent.__exit__()


def test_no_agent_is_a_clear_503_at_once(api: APIClient, interactor: dict[str, Any], task: dict[str, Any]) -> None:
    started = time.monotonic()
    response = _call(api, interactor["id"], task=task["id"], frame=0, pos_points=[[5, 5]])
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert f"No agent serves function #{interactor['id']}" in response.json()["detail"]
    assert "run-agent" in response.json()["detail"]
    assert time.monotonic() - started < 5  # not the call timeout
    assert not AnnotationRequest.objects.exists()


def test_a_click_is_answered_by_the_agent(api: APIClient, interactor: dict[str, Any], task: dict[str, Any],
                                          agent_for: Any) -> None:
    jobs = api.get(f"/api/jobs?task_id={task['id']}&sort=start_frame").json()["results"]
    agent = agent_for(interactor, _polygon)
    response = _call(api, interactor["id"], job=jobs[1]["id"], frame=3, pos_points=[[10, 20]], neg_points=[[1, 1]],
                     obj_bbox=[[30, 40], [2, 3]])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["shapes"] == [{"type": "polygon", "points": [9.0, 19.0, 11.0, 19.0, 10.0, 21.0],
                               "attributes": [{"spec_id": 0, "value": "0.9"}]}]
    assert body["latency_ms"] > 0
    assert agent.seen == [{"type": "interact", "task": task["id"], "frame": 3, "pos_points": [[10.0, 20.0]],
                           "neg_points": [[1.0, 1.0]], "obj_bbox": [[2.0, 3.0], [30.0, 40.0]]}]
    assert not AnnotationRequest.objects.exists()  # the call's request is gone
    assert api.get(f"/api/lambda/requests?task={task['id']}").json() == []  # never listed


def test_calls_are_checked_before_any_agent_sees_them(
        api: APIClient, interactor: dict[str, Any], tracker: dict[str, Any], task: dict[str, Any],
        make_function: Callable[..., dict[str, Any]], make_user: Callable[..., Any],
        client_for: Callable[[Any], APIClient], agent_for: Any) -> None:
    agent = agent_for(interactor, _polygon)
    jobs = api.get(f"/api/jobs?task_id={task['id']}&sort=start_frame").json()["results"]
    strict = make_function(name="strict", kind="interactor", labels_v2=[], min_pos_points=2, startswith_box=True)
    cases = [
        (interactor, {"task": task["id"], "frame": 0}, 400, "at least 1 positive"),
        (interactor, {"frame": 0, "pos_points": [[1, 1]]}, 400, "Name the job"),
        (interactor, {"task": task["id"], "frame": 4, "pos_points": [[1, 1]]}, 400, "frames 0-3"),
        (interactor, {"job": jobs[0]["id"], "frame": 2, "pos_points": [[1, 1]]}, 400, "not a frame of job"),
        (interactor, {"job": jobs[0]["id"], "task": task["id"] + 1, "frame": 0, "pos_points": [[1, 1]]}, 400,
         "belongs to task"),
        (interactor, {"task": task["id"], "frame": 0, "pos_points": [[1]]}, 400, "pos_points"),
        (interactor, {"task": task["id"], "frame": 0, "pos_points": [[1, 1]], "obj_bbox": [[1, 1]]}, 400, "two corners"),
        (interactor, {"task": task["id"], "frame": 0, "pos_points": [[1, 1]], "shapes": [
            {"type": "rectangle", "points": [0, 0, 1, 1]}]}, 400, "only trackers"),
        (interactor, {"task": task["id"], "frame": 0, "pos_points": [[1, 1]], "roi": [0, 0, 5, 5]}, 400, "roi"),
        (interactor, {"task": 999999, "frame": 0, "pos_points": [[1, 1]]}, 404, "Task 999999"),
        (strict, {"task": task["id"], "frame": 0, "pos_points": [[1, 1], [2, 2]]}, 400, "needs a box"),
        (strict, {"task": task["id"], "frame": 0, "pos_points": [[1, 1]], "neg_points": [[3, 3]],
                  "obj_bbox": [[0, 0], [5, 5]]}, 400, "at least 2 positive"),
        (tracker, {"task": task["id"], "frame": 0}, 400, "either the 'shapes'"),
        (tracker, {"task": task["id"], "frame": 0, "shapes": [{"type": "polygon", "points": [0, 0, 1, 1, 2, 0]}]},
         400, "follows points, rectangle, not polygon"),
        (tracker, {"task": task["id"], "frame": 0, "states": ["x"], "shapes": [
            {"type": "rectangle", "points": [0, 0, 1, 1]}]}, 400, "either"),
    ]
    for function, body, status, message in cases:
        response = _call(api, function["id"], **body)
        assert response.status_code == status, (body, response.content)
        assert message in response.content.decode(), (body, response.content)
    stranger = client_for(make_user("stranger"))
    response = _call(stranger, interactor["id"], task=task["id"], frame=0, pos_points=[[1, 1]])
    assert response.status_code == 404  # neither the function nor the task is visible to them
    assert agent.seen == [] and not AnnotationRequest.objects.exists()


def test_a_tracker_starts_and_follows(api: APIClient, tracker: dict[str, Any], task: dict[str, Any],
                                      agent_for: Any) -> None:
    def follow(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if params["type"] == "init_tracking":
            return "complete", {"states": [f"state-{i}" for i in range(len(params["shapes"]))]}
        moved = [{"type": "rectangle", "points": [params["frame"], 0, params["frame"] + 5, 5]}, None]
        return "complete", {"states": params["states"], "shapes": moved}

    agent_for(tracker, follow)
    started = _call(api, tracker["id"], task=task["id"], frame=0, shapes=[
        {"type": "rectangle", "points": [0, 0, 5, 5]}, {"type": "points", "points": [1, 1]}])
    assert started.status_code == 200, started.content
    assert started.json()["states"] == ["state-0", "state-1"]
    assert started.json()["shapes"] == [{"type": "rectangle", "points": [0.0, 0.0, 5.0, 5.0]},
                                        {"type": "points", "points": [1.0, 1.0]}]
    step = _call(api, tracker["id"], task=task["id"], frame=2, states=["state-0", "state-1"])
    assert step.status_code == 200, step.content
    assert step.json()["shapes"] == [{"type": "rectangle", "points": [2.0, 0.0, 7.0, 5.0]}, None]


def test_agent_failures_and_bad_answers(api: APIClient, tracker: dict[str, Any], task: dict[str, Any],
                                        agent_for: Any) -> None:
    def misbehave(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if params["frame"] == 0:
            return "fail", {"exc_info": "Invalid annotation request: Tracking state 'x' not found - possibly expired"}
        if params["frame"] == 1:
            return "fail", {"exc_info": "Worker process crashed"}
        return "complete", {"states": ["another"], "shapes": [None]}

    agent_for(tracker, misbehave)
    expired = _call(api, tracker["id"], task=task["id"], frame=0, states=["x"])
    assert expired.status_code == 400 and "possibly expired" in expired.json()["detail"]
    crashed = _call(api, tracker["id"], task=task["id"], frame=1, states=["x"])
    assert crashed.status_code == 502 and "Worker process crashed" in crashed.json()["detail"]
    wrong = _call(api, tracker["id"], task=task["id"], frame=2, states=["x"])
    assert wrong.status_code == 502 and "must be the states the call named" in wrong.json()["detail"]
    assert not AnnotationRequest.objects.exists()


def test_an_agent_that_does_not_answer_in_time(api: APIClient, interactor: dict[str, Any], task: dict[str, Any],
                                               settings: Any, agent_for: Any) -> None:
    settings.INTERACTIVE_TIMEOUT = 0.5
    agent_for(interactor, lambda params: (time.sleep(1.5), _polygon(params))[1])
    response = _call(api, interactor["id"], task=task["id"], frame=0, pos_points=[[3, 3]])
    assert response.status_code == 503 and "its agent did not answer within 0.5 s" in response.json()["detail"]
    time.sleep(1.5)  # the late answer is refused; nothing is left behind
    assert not AnnotationRequest.objects.exists()


def test_a_call_nobody_takes_times_out(api: APIClient, interactor: dict[str, Any], task: dict[str, Any],
                                       settings: Any) -> None:
    settings.INTERACTIVE_TIMEOUT = 0.3
    api.post(queue_url(interactor["id"], "requests/acquire"), {"agent_id": "a", "request_category": "batch"},
             format="json")  # an agent was heard from just now, then went quiet
    response = _call(api, interactor["id"], task=task["id"], frame=0, pos_points=[[3, 3]])
    assert response.status_code == 503 and "no agent took the call" in response.json()["detail"]
    assert not AnnotationRequest.objects.exists()


def test_a_detector_on_one_frame(api: APIClient, make_function: Callable[..., dict[str, Any]],
                                 task: dict[str, Any], agent_for: Any) -> None:
    detector = make_function()
    labels = {label["name"]: label for label in api.get(f"/api/labels?task_id={task['id']}").json()["results"]}

    def detect(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        car = labels[params["mapping"]["car"]["name"]]["id"]
        return "complete", {"annotations": {"tags": [], "shapes": [
            {"type": "rectangle", "frame": params["frame"], "label_id": car, "points": [1, 1, 4, 4],
             "source": "auto", "attributes": []}]}}

    agent = agent_for(detector, detect)
    response = _call(api, detector["id"], task=task["id"], frame=1, threshold=0.4)
    assert response.status_code == 200, response.content
    assert [s["label_id"] for s in response.json()["shapes"]] == [labels["car"]["id"]]
    assert agent.seen[0]["type"] == "annotate_frame" and agent.seen[0]["threshold"] == 0.4
    assert agent.seen[0]["mapping"]["car"]["name"] == "car"
    bad = _call(api, detector["id"], task=task["id"], frame=1, mapping={"truck": {"name": "car"}})
    assert bad.status_code == 400 and "no label 'truck'" in bad.json()["detail"]


def test_batch_requests_are_for_detectors_only(api: APIClient, interactor: dict[str, Any],
                                               task: dict[str, Any]) -> None:
    response = api.post("/api/lambda/requests", {"function": interactor["id"], "task": task["id"]}, format="json")
    assert response.status_code == 400 and "only detectors annotate whole tasks" in response.json()["detail"]


def test_functions_show_their_agents(api: APIClient, interactor: dict[str, Any], settings: Any) -> None:
    from inklab.server.functions import queue

    settings.AGENT_WATCH_SECONDS = 1
    settings.AGENT_WATCH_POLL_SECONDS = 0.05
    queue.Watch._slots = None
    listed = api.get("/api/functions").json()["results"][0]
    assert listed["agents_online"] == 0 and listed["last_seen"] is None
    assert listed["min_pos_points"] == 1 and listed["min_neg_points"] == 0 and listed["startswith_box_optional"]
    stream = api.get(queue_url(interactor["id"], "watch"))
    chunks = iter(stream.streaming_content)
    next(chunks)
    assert api.get(f"/api/functions/{interactor['id']}").json()["agents_online"] == 1
    assert api.get("/api/functions").json()["results"][0]["agents_online"] == 1
    assert api.get(f"/api/functions/{interactor['id']}").json()["last_seen"] is not None
    b"".join(chunks)  # the stream ends: the agent is gone
    assert api.get(f"/api/functions/{interactor['id']}").json()["agents_online"] == 0
    lambda_list = api.get("/api/lambda/functions").json()
    assert [(f["kind"], f["min_pos_points"]) for f in lambda_list] == [("interactor", 1)]
