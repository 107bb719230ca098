"""Scale-out: two ``inklab serve`` and two ``inklab worker`` processes on one PostgreSQL database.

What this proves (PostgreSQL only; the SQLite half of the suite skips it): web processes that run
no background work and separate worker processes cooperate through the database alone, whether
their media is on one shared disk or each process has its own data directory (as on separate
machines) and media is shared through a bucket (``INKLAB_MEDIA_URL``, moto in server mode).

A task created through server 1 is processed by whichever worker claims it and served, frame for
frame, by server 2; annotations saved through one server are read through the other. An export
asked of server 2 whose worker is killed with SIGKILL half way is queued again and finished by the
other worker; the file downloads through server 1, complete, and no temporary file is left: the
surviving side's at once, the killed machine's once a worker starts there again.

All processes run on this one machine, so a killed worker is noticed by its vanished PID within a
heartbeat (one second here); a worker on another machine is noticed when its heartbeat goes stale
(four heartbeats), which ``tests/server/requests`` covers.
"""

from __future__ import annotations

import io
import re
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.support.cluster import Cluster
from tests.support.images import make_images
from tests.support.rest import Rest
from tests.support.s3 import S3Server

pytestmark = pytest.mark.live

#: a dead worker is noticed within a few seconds
FAST = {"INKLAB_WORKER_HEARTBEAT_SECONDS": "1"}
EXPORT = "format=CVAT+for+images+1.1&save_images=true"
PREFIX = "inklab"


@pytest.fixture(scope="module", params=["a data dir each, one bucket", "one data dir"])
def cluster(request: pytest.FixtureRequest, use_postgres: bool) -> Iterator[Cluster]:
    """The deployment, shared by this module's tests (each works on its own tasks)."""
    if not use_postgres:
        pytest.skip("scale-out needs PostgreSQL: run with INKLAB_TEST_POSTGRES=1 (the PostgreSQL half of make test)")
    env = dict(FAST)
    shared_disk = request.param == "one data dir"
    if not shared_disk:
        s3: S3Server = request.getfixturevalue("s3_server")
        bucket = s3.bucket(f"scaleout-{uuid.uuid4().hex[:12]}")
        env |= {"INKLAB_MEDIA_URL": f"s3://{bucket}/{PREFIX}", "INKLAB_MEDIA_S3_ENDPOINT_URL": s3.url,
                "AWS_ACCESS_KEY_ID": s3.key, "AWS_SECRET_ACCESS_KEY": s3.secret, "AWS_DEFAULT_REGION": "us-east-1"}
    with Cluster(servers=2, workers=2, shared_data_dir=shared_disk, env=env) as started:
        yield started


def _bucket_keys(cluster: Cluster, prefix: str) -> list[str] | None:
    """The keys under ``prefix`` in the cluster's bucket (None when media is on one disk)."""
    url = cluster.env.get("INKLAB_MEDIA_URL")
    if url is None:
        return None
    import boto3

    s3 = boto3.client("s3", endpoint_url=cluster.env["INKLAB_MEDIA_S3_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id=cluster.env["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=cluster.env["AWS_SECRET_ACCESS_KEY"])
    bucket = url.removeprefix("s3://").split("/")[0]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{PREFIX}/{prefix}")
    return sorted(item["Key"][len(PREFIX) + 1:] for page in pages for item in page.get("Contents", []))


def _half_written(data_dir: Path) -> list[str]:
    exports = data_dir / "exports"
    return sorted(p.name for p in exports.glob(".*.tmp")) if exports.is_dir() else []


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _box(label_id: int, frame: int, x: float) -> dict[str, Any]:
    return {"type": "rectangle", "frame": frame, "label_id": label_id, "points": [x, 2.0, x + 3.0, 6.0],
            "attributes": [], "group": 0, "source": "manual", "occluded": False, "z_order": 0}


def _row(cluster: Cluster, rq_id: str) -> dict[str, Any]:
    """The request as the database holds it: which worker process ran it, how many times."""
    import psycopg

    with psycopg.connect(cluster.database_url) as conn:
        status, process, attempts = conn.execute(
            "SELECT status, process, attempts FROM bgrequests_backgroundrequest WHERE id = %s", [rq_id]).fetchone()
    pid = int(process.split(":")[1]) if process else None
    return {"status": status, "pid": pid, "attempts": attempts}


def _until(api: Rest, rq_id: str, done: Any, within: float, what: str) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while not done(status := api.get(f"/api/requests/{rq_id}")):
        assert time.monotonic() < deadline, f"the request was not {what} after {within} s: {status}"
        time.sleep(0.05)
    return status  # type: ignore[no-any-return]


def test_a_task_made_through_one_server_is_served_by_the_other(cluster: Cluster, tmp_path: Path) -> None:
    one, two = (Rest(server) for server in cluster.web)
    images = make_images(tmp_path / "img", 4, prefix="frame")
    task = one.create_task("made on one", [{"name": "car"}], images)

    assert two.get(f"/api/tasks/{task['id']}")["size"] == 4
    meta = two.get(f"/api/tasks/{task['id']}/data/meta")
    assert [f["name"] for f in meta["frames"]] == [p.name for p in images]
    for number, image in enumerate(images):
        response = two.http.request("GET", f"{two.base}/api/tasks/{task['id']}/data/?type=frame&number={number}"
                                    "&quality=original", headers=two.headers)
        assert response.status == 200
        assert np.array_equal(_pixels(response.data), _pixels(image.read_bytes()))

    car = two.labels(task_id=task["id"])[0]["id"]
    job = two.jobs(task["id"])[0]["id"]
    two.call("PUT", f"/api/jobs/{job}/annotations/", {"shapes": [_box(car, 1, 10.0), _box(car, 3, 20.0)]})
    shapes = one.get(f"/api/jobs/{job}/annotations/")["shapes"]
    assert sorted((s["frame"], s["points"]) for s in shapes) == [(1, [10.0, 2.0, 13.0, 6.0]),
                                                                  (3, [20.0, 2.0, 23.0, 6.0])]


def test_an_export_whose_worker_is_killed_is_finished_by_the_other(cluster: Cluster, tmp_path: Path) -> None:
    one, two = (Rest(server) for server in cluster.web)
    images = make_images(tmp_path / "img", 40, size=(640, 480), prefix="frame")
    task = one.create_task("export", [{"name": "car"}], images)
    car = one.labels(task_id=task["id"])[0]["id"]
    boxes = 20_000
    one.call("PUT", f"/api/tasks/{task['id']}/annotations/",
             {"shapes": [_box(car, i % 40, float(i % 500)) for i in range(boxes)]})

    rq_id = two.call("POST", f"/api/tasks/{task['id']}/dataset/export?{EXPORT}")["rq_id"]
    _until(two, rq_id, lambda s: s["status"] != "queued", 60, "started")
    running = _row(cluster, rq_id)
    assert running["status"] == "started", f"the export ended before it could be interrupted: {running}"
    (victim,) = [w for w in cluster.background if w.pid == running["pid"]]
    (survivor,) = [w for w in cluster.background if w is not victim]
    victim.kill()

    status = _until(one, rq_id, lambda s: s["status"] in ("finished", "failed"), 120, "ended")
    assert status["status"] == "finished", status
    assert _row(cluster, rq_id) == {"status": "finished", "pid": survivor.pid, "attempts": 2}

    response = one.http.request("GET", status["result_url"], headers=one.headers)
    assert response.status == 200, response.data[:300]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    xml = archive.read("annotations.xml").decode()
    assert len(re.findall(r"<box ", xml)) == boxes
    assert sorted(float(x) for x in re.findall(r'xtl="([0-9.]+)"', xml)) == sorted(float(i % 500) for i in range(boxes))
    saved = sorted(name for name in archive.namelist() if name.startswith("images/"))
    assert saved == [f"images/{p.name}" for p in images]
    for name, image in zip(saved, images, strict=True):
        assert np.array_equal(_pixels(archive.read(name)), _pixels(image.read_bytes())), name

    # Nothing half-written is left where processes still run, and the bucket holds the one result.
    assert [_half_written(p.data_dir) for p in (*cluster.web, survivor)] == [[], [], []]
    assert _bucket_keys(cluster, "exports/") in (None, [f"exports/{rq_id}.zip"])
    # The killed worker's machine: a worker started there again sweeps what the dead one left.
    cluster.add_worker(victim.data_dir)
    deadline = time.monotonic() + 30
    while _half_written(victim.data_dir):
        assert time.monotonic() < deadline, f"left on the killed worker's disk: {_half_written(victim.data_dir)}"
        time.sleep(0.2)
    again = one.http.request("GET", status["result_url"], headers=one.headers)
    assert again.status == 200 and again.data == response.data
