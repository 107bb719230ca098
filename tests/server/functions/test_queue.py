"""The agents' side of a function queue: acquire, update, complete, fail, leases, watch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from inklab.server.annotations.models import AnnotationObject
from inklab.server.functions import queue
from inklab.server.functions.models import AnnotationRequest
from tests.server.functions.conftest import acquire, post_result, queue_url, request_annotation

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(api: APIClient, make_function: Callable[..., dict[str, Any]],
          make_task: Callable[..., dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
    function, task = make_function(), make_task(frames=4, segment_size=2)
    labels = {label["name"]: label for label in api.get(f"/api/labels?task_id={task['id']}").json()["results"]}
    ids = {"car": labels["car"]["id"], "color": labels["car"]["attributes"][0]["id"],
           "person": labels["person"]["id"], "head": labels["person"]["sublabels"][0]["id"],
           "hand": labels["person"]["sublabels"][1]["id"]}
    return function, task, ids


def _result(ids: dict[str, int], frames: range) -> dict[str, Any]:
    """Annotations as the agent sends them: task ids, source auto, nothing unset."""
    shapes = []
    for frame in frames:
        shapes.append({"type": "rectangle", "label_id": ids["car"], "frame": frame, "points": [1.0, 2.0, 10.0, 12.0],
                       "attributes": [{"spec_id": ids["color"], "value": "red"}], "source": "auto"})
        shapes.append({"type": "skeleton", "label_id": ids["person"], "frame": frame, "source": "auto", "elements": [
            {"type": "points", "label_id": ids["head"], "frame": frame, "points": [3.0, 3.0], "source": "auto"},
            {"type": "points", "label_id": ids["hand"], "frame": frame, "points": [4.0, 5.0], "outside": True,
             "source": "auto"}]})
    return {"tags": [], "shapes": shapes}


def test_an_agent_annotates_a_task(api: APIClient, setup: Any) -> None:
    function, task, ids = setup
    ar_id = request_annotation(api, function["id"], task["id"], threshold=0.5).json()["id"]
    assert acquire(api, function["id"], "agent-a", "interactive") is None
    assignment = acquire(api, function["id"], "agent-a")
    assert assignment["ar_id"] == ar_id
    assert assignment["ar_params"] == {
        "type": "annotate_task", "task": task["id"], "threshold": 0.5, "conv_mask_to_poly": False,
        "mapping": AnnotationRequest.objects.get(pk=ar_id).mapping}
    assert acquire(api, function["id"], "agent-b") is None  # nothing else queued

    assert post_result(api, function["id"], ar_id, "update", agent_id="agent-a", progress=0.5).status_code == 200
    status = api.get(f"/api/lambda/requests/{ar_id}").json()
    assert status["status"] == "started" and status["progress"] == 50 and status["started"]

    done = post_result(api, function["id"], ar_id, "complete", agent_id="agent-a", annotations=_result(ids, range(4)))
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "finished" and done.json()["result_shapes"] == 8
    annotations = api.get(f"/api/tasks/{task['id']}/annotations").json()
    assert len(annotations["shapes"]) == 8 and {s["source"] for s in annotations["shapes"]} == {"auto"}
    skeleton = next(s for s in annotations["shapes"] if s["type"] == "skeleton")
    assert [e["outside"] for e in skeleton["elements"]] == [False, True]
    # A repeated completion (lost response, retry) writes nothing twice.
    again = post_result(api, function["id"], ar_id, "complete", agent_id="agent-a", annotations=_result(ids, range(4)))
    assert again.status_code == 200 and AnnotationObject.objects.count() == 8


def test_existing_annotations_are_kept_unless_cleanup(api: APIClient, setup: Any) -> None:
    function, task, ids = setup
    manual = {"tags": [], "shapes": [{"type": "rectangle", "label_id": ids["car"], "frame": 0,
                                      "points": [0, 0, 5, 5]}], "tracks": []}
    assert api.put(f"/api/tasks/{task['id']}/annotations", manual, format="json").status_code == 200
    for cleanup, expected in ((False, 1 + 8), (True, 8)):
        ar_id = request_annotation(api, function["id"], task["id"], cleanup=cleanup).json()["id"]
        acquire(api, function["id"], "agent")
        assert post_result(api, function["id"], ar_id, "complete", agent_id="agent",
                           annotations=_result(ids, range(4))).status_code == 200
        shapes = api.get(f"/api/tasks/{task['id']}/annotations").json()["shapes"]
        assert len(shapes) == expected
        assert sum(s["source"] == "manual" for s in shapes) == (0 if cleanup else 1)


def test_a_job_request_keeps_only_the_jobs_frames(api: APIClient, setup: Any) -> None:
    function, task, ids = setup
    second_job = api.get(f"/api/jobs?task_id={task['id']}&sort=id").json()["results"][1]
    ar_id = request_annotation(api, function["id"], task["id"], job=second_job["id"]).json()["id"]
    acquire(api, function["id"], "agent")
    assert post_result(api, function["id"], ar_id, "complete", agent_id="agent",
                       annotations=_result(ids, range(4))).status_code == 200
    frames = sorted({s["frame"] for s in api.get(f"/api/tasks/{task['id']}/annotations").json()["shapes"]})
    assert frames == [second_job["start_frame"], second_job["stop_frame"]] == [2, 3]


def test_agents_share_a_queue(api: APIClient, setup: Any) -> None:
    function, task, ids = setup
    first = request_annotation(api, function["id"], task["id"]).json()["id"]
    second = request_annotation(api, function["id"], task["id"]).json()["id"]
    a, b = acquire(api, function["id"], "agent-a"), acquire(api, function["id"], "agent-b")
    assert (a["ar_id"], b["ar_id"]) == (first, second)  # oldest first, never twice
    assert acquire(api, function["id"], "agent-c") is None
    # Neither agent may report on the other's request.
    wrong = post_result(api, function["id"], first, "complete", agent_id="agent-b", annotations=_result(ids, range(1)))
    assert wrong.status_code == 409 and "another agent holds it" in wrong.json()["detail"]
    assert post_result(api, function["id"], second, "update", agent_id="agent-a", progress=0.1).status_code == 409
    assert AnnotationObject.objects.count() == 0


def test_a_dead_agents_request_goes_to_another(api: APIClient, setup: Any, settings: Any) -> None:
    function, task, ids = setup
    settings.AGENT_MAX_ATTEMPTS = 2
    ar_id = request_annotation(api, function["id"], task["id"]).json()["id"]
    assert acquire(api, function["id"], "dead")["ar_id"] == ar_id
    # Still leased: nobody else gets it.
    assert acquire(api, function["id"], "alive") is None
    AnnotationRequest.objects.filter(pk=ar_id).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert acquire(api, function["id"], "alive")["ar_id"] == ar_id
    # The first agent comes back too late: refused, nothing written.
    late = post_result(api, function["id"], ar_id, "complete", agent_id="dead", annotations=_result(ids, range(4)))
    assert late.status_code == 409 and AnnotationObject.objects.count() == 0
    assert post_result(api, function["id"], ar_id, "fail", agent_id="dead", exc_info="x").status_code == 409
    # The second agent dies as well: after the last allowed attempt the request fails.
    AnnotationRequest.objects.filter(pk=ar_id).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert acquire(api, function["id"], "third") is None
    status = api.get(f"/api/lambda/requests/{ar_id}").json()
    assert status["status"] == "failed" and "2 agents took it" in status["exc_info"]


def test_progress_renews_the_lease(api: APIClient, setup: Any, settings: Any) -> None:
    function, task, _ = setup
    settings.AGENT_LEASE_SECONDS = 60
    ar_id = request_annotation(api, function["id"], task["id"]).json()["id"]
    acquire(api, function["id"], "agent")
    AnnotationRequest.objects.filter(pk=ar_id).update(lease_until=timezone.now() + timedelta(seconds=1))
    post_result(api, function["id"], ar_id, "update", agent_id="agent", progress=2.0)
    held = AnnotationRequest.objects.get(pk=ar_id)
    assert held.lease_until > timezone.now() + timedelta(seconds=50) and held.progress == 1.0
    for bad in ("half", None, [0.5], True):
        response = post_result(api, function["id"], ar_id, "update", agent_id="agent", progress=bad)
        assert response.status_code == 400 and "progress" in response.content.decode()


def test_agent_failure_and_rejected_results(api: APIClient, setup: Any) -> None:
    function, task, ids = setup
    failing = request_annotation(api, function["id"], task["id"]).json()["id"]
    acquire(api, function["id"], "agent")
    assert post_result(api, function["id"], failing, "fail", agent_id="agent",
                       exc_info="Underlying function returned incorrect result").status_code == 200
    assert post_result(api, function["id"], failing, "fail", agent_id="agent", exc_info="again").status_code == 200
    body = api.get(f"/api/lambda/requests/{failing}").json()
    assert body["status"] == "failed" and body["exc_info"] == "The agent failed: Underlying function returned " \
                                                             "incorrect result"

    rejected = request_annotation(api, function["id"], task["id"]).json()["id"]
    acquire(api, function["id"], "agent")
    bad = _result(ids, range(2))
    bad["shapes"][0]["points"] = [1.0, 2.0]  # a rectangle needs four numbers
    response = post_result(api, function["id"], rejected, "complete", agent_id="agent", annotations=bad)
    assert response.status_code == 400 and "shapes[0].points" in response.json()["detail"]
    body = api.get(f"/api/lambda/requests/{rejected}").json()
    assert body["status"] == "failed" and "annotations were rejected" in body["exc_info"]
    assert AnnotationObject.objects.count() == 0  # nothing half-written

    malformed = request_annotation(api, function["id"], task["id"]).json()["id"]
    acquire(api, function["id"], "agent")
    response = post_result(api, function["id"], malformed, "complete", agent_id="agent", annotations=[1, 2])
    assert response.status_code == 400 and "annotations" in response.json()["detail"]
    assert AnnotationRequest.objects.get(pk=malformed).status == "started"  # may still complete properly


def test_cancelled_requests_refuse_their_agent(api: APIClient, setup: Any) -> None:
    function, task, ids = setup
    ar_id = request_annotation(api, function["id"], task["id"]).json()["id"]
    acquire(api, function["id"], "agent")
    assert api.delete(f"/api/lambda/requests/{ar_id}").status_code == 204
    late = post_result(api, function["id"], ar_id, "complete", agent_id="agent", annotations=_result(ids, range(1)))
    assert late.status_code == 409 and "cancelled" in late.json()["detail"]
    assert AnnotationObject.objects.count() == 0


def test_bad_agent_calls(api: APIClient, setup: Any, make_user: Callable[..., Any],
                         client_for: Callable[[Any], APIClient]) -> None:
    function, task, _ = setup
    ar_id = request_annotation(api, function["id"], task["id"]).json()["id"]
    acquire_url = queue_url(function["id"], "requests/acquire")
    for body, message in (({"request_category": "batch"}, "agent_id"), ({"agent_id": "a"}, "request_category"),
                          ({"agent_id": "x" * 200, "request_category": "batch"}, "agent_id")):
        response = api.post(acquire_url, body, format="json")
        assert response.status_code == 400 and message in response.content.decode()
    assert api.post(queue_url(99999, "requests/acquire"), {"agent_id": "a", "request_category": "batch"},
                    format="json").status_code == 404
    assert post_result(api, function["id"], "no-such-request", "update", agent_id="a",
                       progress=0.1).status_code == 404
    # Only the function's owner (or an admin) serves its queue, even for a public function.
    other = client_for(make_user("mallory"))
    assert other.post(acquire_url, {"agent_id": "m", "request_category": "batch"}, format="json").status_code == 404
    AnnotationRequest.objects.filter(pk=ar_id).update(status="queued")
    from inklab.server.functions.models import Function

    Function.objects.filter(pk=function["id"]).update(visibility="public")
    assert other.post(acquire_url, {"agent_id": "m", "request_category": "batch"}, format="json").status_code == 403
    assert AnnotationRequest.objects.get(pk=ar_id).status == "queued"


def test_the_agent_reads_the_task_it_annotates(make_user: Callable[..., Any], client_for: Callable[[Any], APIClient],
                                               make_function: Callable[..., dict[str, Any]],
                                               make_task: Callable[..., dict[str, Any]]) -> None:
    alice, bob = client_for(make_user("alice")), client_for(make_user("bob"))
    function = make_function(client=alice, visibility="public")
    task = make_task(frames=2, client=bob)
    ar_id = request_annotation(bob, function["id"], task["id"]).json()["id"]
    assert alice.get(f"/api/tasks/{task['id']}").status_code == 404
    acquire(alice, function["id"], "alice-agent")
    assert alice.get(f"/api/tasks/{task['id']}").status_code == 200
    assert alice.get(f"/api/tasks/{task['id']}/data/meta").status_code == 200
    assert alice.get(f"/api/labels?task_id={task['id']}").json()["count"] == 3
    # Reading only: the agent's owner may not change the task.
    assert alice.patch(f"/api/tasks/{task['id']}", {"name": "mine"}, format="json").status_code == 403
    assert post_result(alice, function["id"], ar_id, "fail", agent_id="alice-agent", exc_info="x").status_code == 200
    assert alice.get(f"/api/tasks/{task['id']}").status_code == 404


def test_the_agent_of_a_job_request_reads_that_job_only(
        make_user: Callable[..., Any], client_for: Callable[[Any], APIClient],
        make_function: Callable[..., dict[str, Any]], make_task: Callable[..., dict[str, Any]]) -> None:
    alice, bob, carl = make_user("alice"), make_user("bob"), make_user("carl")
    agent_owner, owner, assignee = client_for(alice), client_for(bob), client_for(carl)
    function = make_function(client=agent_owner, visibility="public")
    task = make_task(frames=4, client=owner, segment_size=2)
    first, second = owner.get(f"/api/jobs?task_id={task['id']}&sort=id").json()["results"]
    assert owner.patch(f"/api/jobs/{second['id']}", {"assignee": carl.pk}, format="json").status_code == 200
    ar_id = request_annotation(assignee, function["id"], task["id"], job=second["id"]).json()["id"]
    before = owner.get(f"/api/tasks/{task['id']}").json()["updated_date"]
    acquire(agent_owner, function["id"], "alice-agent")
    held = owner.get(f"/api/tasks/{task['id']}").json()["updated_date"]
    assert held > before  # clients drop what they cached of the task before the hold

    # What the agent needs: the task's record, its labels, the job and its frames.
    assert agent_owner.get(f"/api/tasks/{task['id']}").status_code == 200
    assert agent_owner.get(f"/api/labels?task_id={task['id']}").json()["count"] == 3
    assert [j["id"] for j in agent_owner.get("/api/jobs").json()["results"]] == [second["id"]]
    assert agent_owner.get(f"/api/jobs/{second['id']}/annotations").status_code == 200
    meta = agent_owner.get(f"/api/tasks/{task['id']}/data/meta").json()
    assert meta["deleted_frames"] == [0, 1] and [f["name"] for f in meta["frames"]][:2] == ["", ""]
    data = f"/api/tasks/{task['id']}/data"
    assert agent_owner.get(data, {"type": "frame", "number": 2, "quality": "original"}).status_code == 200
    # ...and nothing of the task's other job.
    assert agent_owner.get(f"/api/jobs/{first['id']}").status_code == 404
    assert agent_owner.get(f"/api/jobs/{first['id']}/annotations").status_code == 404
    assert agent_owner.get(f"/api/jobs/{first['id']}/data", {"type": "frame", "number": 0}).status_code == 404
    assert agent_owner.get(data, {"type": "frame", "number": 0, "quality": "original"}).status_code == 403
    assert agent_owner.get(f"/api/tasks/{task['id']}/annotations").status_code == 403
    assert agent_owner.post(f"/api/tasks/{task['id']}/dataset/export?format=COCO+1.0").status_code == 403
    assert agent_owner.post(f"/api/jobs/{second['id']}/dataset/export?format=COCO+1.0").status_code == 403

    assert post_result(agent_owner, function["id"], ar_id, "fail", agent_id="alice-agent",
                       exc_info="x").status_code == 200
    assert owner.get(f"/api/tasks/{task['id']}").json()["updated_date"] > held
    assert agent_owner.get(f"/api/tasks/{task['id']}").status_code == 404
    assert agent_owner.get(f"/api/jobs/{second['id']}").status_code == 404


def test_watch_streams_new_requests(api: APIClient, setup: Any, settings: Any) -> None:
    function, task, _ = setup
    settings.AGENT_WATCH_SECONDS = 3
    settings.AGENT_WATCH_POLL_SECONDS = 0.05
    settings.AGENT_WATCH_KEEPALIVE_SECONDS = 0.2
    response = api.get(queue_url(function["id"], "watch"))
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    stream = iter(response.streaming_content)
    assert next(stream) == b"retry: 2000\n"
    assert next(stream) == b": keep-alive\n"  # nothing queued yet
    request_annotation(api, function["id"], task["id"])
    chunks = []
    for chunk in stream:
        chunks.append(chunk)
        if chunk.startswith(b"event:"):
            break
    assert chunks[-1] == b'event: newrequest\ndata: {"request_category": "batch"}\n\n'
    rest = b"".join(stream)  # no second event for the same request; the stream ends by itself
    assert b"event:" not in rest


def test_watch_refuses_when_busy(api: APIClient, setup: Any, settings: Any) -> None:
    function, _, _ = setup
    settings.AGENT_MAX_WATCHERS = 1
    settings.AGENT_WATCH_SECONDS = 0.3
    settings.AGENT_WATCH_POLL_SECONDS = 0.05
    queue.Watch._slots = None
    try:
        held = api.get(queue_url(function["id"], "watch"))
        busy = api.get(queue_url(function["id"], "watch"))
        assert busy.status_code == 503 and busy["Retry-After"] == "60"
        assert b"".join(held.streaming_content).startswith(b"retry:")  # the stream ends, its slot is free
        again = api.get(queue_url(function["id"], "watch"))
        assert again.status_code == 200
        b"".join(again.streaming_content)
    finally:
        queue.Watch._slots = None


def test_deleting_the_function_ends_its_queue(api: APIClient, setup: Any) -> None:
    function, task, _ = setup
    ar_id = request_annotation(api, function["id"], task["id"]).json()["id"]
    assert api.delete(f"/api/functions/{function['id']}").status_code == 204
    assert not AnnotationRequest.objects.filter(pk=ar_id).exists()
    assert api.post(queue_url(function["id"], "requests/acquire"), {"agent_id": "a", "request_category": "batch"},
                    format="json").status_code == 404
    assert get_user_model().objects.filter(username="admin").exists()


@pytest.mark.django_db(transaction=True)
def test_an_agents_result_is_checked_before_the_write_transaction(
        api: APIClient, setup: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking a large result takes long; the transaction that finishes the request and writes
    the annotations (on SQLite: the database's only write lock) begins only after it."""
    from django.db import connection

    from inklab.server.annotations.validation import Normalizer

    function, task, ids = setup
    ar_id = request_annotation(api, function["id"], task["id"]).json()["id"]
    acquire(api, function["id"], "agent")
    checked_inside: list[bool] = []
    shape = Normalizer.shape

    def recording(self: Normalizer, *args: Any) -> dict[str, Any]:
        checked_inside.append(connection.in_atomic_block)
        return shape(self, *args)

    monkeypatch.setattr(Normalizer, "shape", recording)
    done = post_result(api, function["id"], ar_id, "complete", agent_id="agent", annotations=_result(ids, range(2)))
    assert done.status_code == 200, done.content
    assert checked_inside == [False] * 4
    assert AnnotationObject.objects.filter(task_id=task["id"]).count() == 4


def test_an_agents_result_with_fields_the_server_does_not_support_is_refused(api: APIClient, setup: Any) -> None:
    function, task, ids = setup
    ar_id = request_annotation(api, function["id"], task["id"]).json()["id"]
    acquire(api, function["id"], "agent")
    result = {**_result(ids, range(1)), "masks_as_rle": True}
    response = post_result(api, function["id"], ar_id, "complete", agent_id="agent", annotations=result)
    assert response.status_code == 400
    assert "'masks_as_rle' is not a field of the annotations" in response.json()["detail"]
    body = api.get(f"/api/lambda/requests/{ar_id}").json()
    assert body["status"] == "failed" and "'masks_as_rle' is not a field" in body["exc_info"]
    assert AnnotationObject.objects.count() == 0
