"""Scale-out with a shared media store: two ``inklab serve`` and ``inklab worker`` processes, each
with its own data directory, share one PostgreSQL database and one bucket (moto in server mode).

Files are uploaded through server A, processed by a worker on a third data directory, read
through server B (which never held them), exported by a worker on A's data directory and
downloaded through B.
"""

from __future__ import annotations

import io
import subprocess
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from tests.support import postgres
from tests.support.images import make_images
from tests.support.live import LiveServer
from tests.support.rest import Rest
from tests.support.s3 import S3Server

pytestmark = [pytest.mark.live, pytest.mark.postgres, pytest.mark.slow]

PREFIX = "cluster"


def _postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{postgres.base_url()}/postgres", connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means: no PostgreSQL for this run
        return False
    return True


@pytest.fixture
def cluster(s3_server: S3Server, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if not _postgres_reachable():
        pytest.skip("needs a PostgreSQL server ($INKLAB_TEST_PG)")
    bucket = s3_server.bucket(f"cluster-{uuid.uuid4().hex[:12]}")
    env = {"INKLAB_MEDIA_URL": f"s3://{bucket}/{PREFIX}", "INKLAB_MEDIA_S3_ENDPOINT_URL": s3_server.url,
           "AWS_ACCESS_KEY_ID": s3_server.key, "AWS_SECRET_ACCESS_KEY": s3_server.secret,
           "AWS_DEFAULT_REGION": "us-east-1", "INKLAB_EMBEDDED_WORKERS": "0"}
    a = LiveServer(postgres=True, env=env)
    b: LiveServer | None = None
    workers: list[subprocess.Popen[bytes]] = []

    def worker(data_dir: Path) -> subprocess.Popen[bytes]:
        """An ``inklab worker`` on the shared database with its own data directory."""
        process = subprocess.Popen([*a._inklab("worker", "--threads", "1")],
                                   env={**a._env(), "INKLAB_DATA_DIR": str(data_dir)},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers.append(process)
        return process

    try:
        a.start()
        b = LiveServer(database_url=a.database_url, env=env).start()
        yield {"a": a, "b": b, "bucket": bucket, "worker": worker}
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
                process.wait(20)
        if b is not None:
            b.destroy()
        a.destroy()


def _keys(s3_server: S3Server, bucket: str, prefix: str) -> list[str]:
    pages = s3_server.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{PREFIX}/{prefix}")
    return sorted(item["Key"][len(PREFIX) + 1:] for page in pages for item in page.get("Contents", []))


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_servers_and_workers_on_separate_data_dirs_share_one_bucket(cluster: dict[str, Any], s3_server: S3Server,
                                                                    tmp_path: Path) -> None:
    a, b, bucket = cluster["a"], cluster["b"], cluster["bucket"]
    api_a, api_b = Rest(a), Rest(b)
    images = make_images(tmp_path / "images", 4)
    sources = {p.name: p.read_bytes() for p in images}

    # uploaded through A, finished through B, processed by a worker with a third data directory
    task = api_a.call("POST", "/api/tasks", {"name": "cluster", "labels": [{"name": "car"}]})
    path = f"/api/tasks/{task['id']}/data/"
    api_a.call("POST", path, {}, headers={"Upload-Start": ""})
    api_a.call("POST", path, fields={f"client_files[{i}]": (p.name, p.read_bytes()) for i, p in enumerate(images)},
               headers={"Upload-Multiple": ""})
    rq_id = api_b.call("POST", path, {"image_quality": 50, "chunk_size": 2, "sorting_method": "lexicographical"},
                       headers={"Upload-Finish": ""})["rq_id"]
    ingest_worker = cluster["worker"](tmp_path / "machine-c")
    assert api_b.wait(rq_id)["status"] == "finished"
    ingest_worker.terminate()
    ingest_worker.wait(20)
    names = sorted(sources)
    assert _keys(s3_server, bucket, f"media/tasks/{task['id']}/frames/") == [
        f"media/tasks/{task['id']}/frames/{i}.png" for i in range(4)]
    for server in (a, b):  # neither server holds the frames: they are read from the bucket
        assert not (server.data_dir / "media" / "tasks" / str(task["id"]) / "frames").exists()

    def read(api: Rest, **query: Any) -> bytes:
        return api.fetch("GET", path + "?" + "&".join(f"{k}={v}" for k, v in query.items())).data

    for number, name in enumerate(names):
        assert read(api_b, type="frame", number=number, quality="original") == sources[name]
    for number in range(4):
        assert np.array_equal(_pixels(read(api_b, type="frame", number=number, quality="compressed")),
                              _pixels(read(api_a, type="frame", number=number, quality="compressed")))
    for number in range(2):
        theirs = _members(read(api_a, type="chunk", number=number, quality="compressed"))
        ours = _members(read(api_b, type="chunk", number=number, quality="compressed"))
        assert list(ours) == list(theirs) and len(ours) == 2
        assert all(np.array_equal(_pixels(ours[m]), _pixels(theirs[m])) for m in ours)
        assert list(_members(read(api_b, type="chunk", number=number, quality="original")).values()) == [
            sources[n] for n in names[2 * number:2 * number + 2]]
    preview = f"/api/tasks/{task['id']}/preview"
    assert np.array_equal(_pixels(api_b.fetch("GET", preview).data), _pixels(api_a.fetch("GET", preview).data))

    # exported by a worker with A's data directory, downloaded through B
    export = api_b.call("POST", f"/api/tasks/{task['id']}/dataset/export?format=CVAT%20for%20images%201.1"
                                "&save_images=true")
    export_worker = cluster["worker"](a.data_dir)
    status = api_b.wait(export["rq_id"])
    assert status["status"] == "finished", status
    export_worker.terminate()
    export_worker.wait(20)
    assert (a.data_dir / "exports" / f"{export['rq_id']}.zip").is_file()
    assert not (b.data_dir / "exports" / f"{export['rq_id']}.zip").exists()
    url = urlsplit(status["result_url"])
    downloaded = api_b.fetch("GET", f"{url.path}?{url.query}").data
    archive = _members(downloaded)
    assert sorted(n for n in archive if n.startswith("images/")) == [f"images/{n}" for n in names]
    assert all(archive[f"images/{n}"] == sources[n] for n in names)

    # deleted through B: the task's keys leave the bucket; the export stays until it expires
    api_b.call("DELETE", f"/api/tasks/{task['id']}")
    deadline = time.monotonic() + 10
    while _keys(s3_server, bucket, f"media/tasks/{task['id']}/") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _keys(s3_server, bucket, f"media/tasks/{task['id']}/") == []
    assert _keys(s3_server, bucket, "exports/") == [f"exports/{export['rq_id']}.zip"]


def test_a_missing_bucket_stops_serve_and_worker_with_a_clear_message(s3_server: S3Server, tmp_path: Path) -> None:
    server = LiveServer(data_dir=tmp_path / "data")
    env = {**server._env(), "INKLAB_MEDIA_URL": "s3://no-such-bucket/x", "INKLAB_MEDIA_S3_ENDPOINT_URL": s3_server.url,
           "AWS_ACCESS_KEY_ID": s3_server.key, "AWS_SECRET_ACCESS_KEY": s3_server.secret,
           "AWS_DEFAULT_REGION": "us-east-1"}
    for command in (["worker"], ["serve", "--port", "1"]):
        done = subprocess.run(server._inklab(*command), env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode != 0
        assert done.stderr.strip().splitlines()[-1] == (
            "error: the media storage set by INKLAB_MEDIA_URL cannot be used: listing on bucket 'no-such-bucket' "
            "failed: NoSuchBucket"), done.stderr[-2000:]
        assert "Traceback" not in done.stderr
