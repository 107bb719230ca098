"""Consensus with the official cvat-sdk 2.80: a task with 3 replicas per job merges to the
majority shape."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.support.images import make_images


def test_three_replicas_merge_to_the_majority_shape(sdk: Any, tmp_path: Path) -> None:
    from cvat_sdk import models
    from cvat_sdk.core.proxies.tasks import ResourceType

    task = sdk.tasks.create_from_data(
        spec=models.TaskWriteRequest(name="consensus", labels=[{"name": "car"}], consensus_replicas=3),
        resources=make_images(tmp_path, 3, size=(40, 30)), resource_type=ResourceType.LOCAL)
    label = task.get_labels()[0].id
    jobs = task.get_jobs()
    parent = next(j for j in jobs if str(j.type) == "annotation")
    replicas = [j for j in jobs if str(j.type) == "replica"]
    assert len(replicas) == 3 and {j.parent_job_id for j in replicas} == {parent.id}
    for replica, x in zip(replicas, (1.0, 2.0, 25.0), strict=True):
        replica.set_annotations(models.LabeledDataRequest(shapes=[models.LabeledShapeRequest(
            type="rectangle", frame=1, label_id=label, points=[x, 1.0, x + 10, 11.0])]))
    settings, _ = sdk.api_client.consensus_api.list_settings(task_id=task.id)
    assert [s.task_id for s in settings.results] == [task.id]
    _, response = sdk.api_client.consensus_api.create_merge(
        consensus_merge_create_request=models.ConsensusMergeCreateRequest(task_id=task.id), _parse_response=False)
    assert response.status == 202
    rq_id = json.loads(response.data)["rq_id"]
    for _ in range(200):
        request, _ = sdk.api_client.requests_api.retrieve(rq_id)
        if str(request.status) in {"finished", "failed"}:
            break
        time.sleep(0.1)
    assert str(request.status) == "finished", request.message
    merged = sdk.jobs.retrieve(parent.id).get_annotations().shapes
    assert [(s.frame, s.points[0]) for s in merged] == [(1, 1.0)]
    task.remove()
