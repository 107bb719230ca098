"""Shared media store benchmark: what a bucket (``INKLAB_MEDIA_URL``) costs beside the local disk.

Run from the repository root:  .venv/bin/python bench/media_store_bench.py [--frames 100] [--size 1280x720]

It starts a local S3 API (moto in server mode) and two ``inklab serve`` processes in temporary
data directories: one with only its data directory (the reference), one with the bucket. For the
same JPEG frames, in the same run, it prints:

* task creation: seconds from Upload-Finish to a finished request (the bucket's also publishes
  every frame);
* original frames/s, cached (the files are on the server's disk: what every request after the
  first costs; best of three rounds, alternated) and cold (the server's cache emptied, as on a
  machine that never saw the task: every frame is downloaded from the bucket first);
* compressed chunks/s the first time they are asked for: the reference makes them; the bucket's
  server, its cache emptied after a first pass, downloads the chunks that pass published.

Moto runs on the same machine and keeps objects in memory, so "cold" is a floor for a real
bucket: add the network's round trip per file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server_bench import Api  # noqa: E402
from tests.support.images import make_images  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.s3 import S3Server  # noqa: E402


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _create(api: Api, images: list[Path]) -> tuple[int, float]:
    start = time.perf_counter()
    task_id = api.create_task(images, chunk_size=10)
    return task_id, time.perf_counter() - start


def _frames(api: Api, task_id: int, count: int) -> float:
    def fetch() -> None:
        for number in range(count):
            api.call("GET", f"/api/tasks/{task_id}/data/?type=frame&number={number}&quality=original")

    return count / _timed(fetch)


def _chunks(api: Api, task_id: int, count: int) -> float:
    def fetch() -> None:
        for number in range(count):
            api.call("GET", f"/api/tasks/{task_id}/data/?type=chunk&number={number}&quality=compressed")

    return count / _timed(fetch)


def _empty_cache(server: LiveServer, task_id: int) -> None:
    shutil.rmtree(server.data_dir / "media" / "tasks" / str(task_id), ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    chunks = (args.frames + 9) // 10

    s3 = S3Server().start()
    bucket = s3.bucket("bench-media")
    env = {"INKLAB_MEDIA_URL": f"s3://{bucket}/bench", "INKLAB_MEDIA_S3_ENDPOINT_URL": s3.url,
           "AWS_ACCESS_KEY_ID": s3.key, "AWS_SECRET_ACCESS_KEY": s3.secret, "AWS_DEFAULT_REGION": "us-east-1"}
    local = LiveServer().start()
    shared = LiveServer(env=env).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            images = make_images(Path(tmp), args.frames, size=(width, height), ext="jpg")
            size_mb = sum(p.stat().st_size for p in images) / 2**20
            print(f"{args.frames} JPEG frames of {width}x{height} ({size_mb:.1f} MiB), chunks of 10; "
                  "reference: the same server without a bucket, same run")
            api_local, api_shared = Api(local), Api(shared)
            local_task, local_create = _create(api_local, images)
            shared_task, shared_create = _create(api_shared, images)
            print(f"task creation        local {local_create:6.2f} s   bucket {shared_create:6.2f} s   "
                  f"ratio {shared_create / local_create:5.2f}x")

            local_chunks = _chunks(api_local, local_task, chunks)  # made here, the first time
            _chunks(api_shared, shared_task, chunks)  # made and published by this "machine"
            _empty_cache(shared, shared_task)
            cold_frames = _frames(api_shared, shared_task, args.frames)
            warm_local = warm_shared = 0.0
            for _ in range(3):  # alternated, best of three: the machine's other load hits both alike
                warm_local = max(warm_local, _frames(api_local, local_task, args.frames))
                warm_shared = max(warm_shared, _frames(api_shared, shared_task, args.frames))
            _empty_cache(shared, shared_task)
            cold_chunks = _chunks(api_shared, shared_task, chunks)
            print(f"frames/s cached      local {warm_local:6.1f}     bucket {warm_shared:6.1f}     "
                  f"ratio {warm_shared / warm_local:5.2f}x")
            print(f"frames/s cold        local {warm_local:6.1f}     bucket {cold_frames:6.1f}     "
                  f"ratio {cold_frames / warm_local:5.2f}x  (downloaded from the bucket)")
            print(f"chunks/s first ask   made {local_chunks:6.2f}      downloaded {cold_chunks:6.2f}  "
                  f"ratio {cold_chunks / local_chunks:5.2f}x")
    finally:
        shared.destroy()
        local.destroy()
        s3.stop()


if __name__ == "__main__":
    main()
