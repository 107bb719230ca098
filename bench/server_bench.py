"""Server benchmark: annotation PUT/GET of 100,000 rectangles, and original frames served per second.

Run from the repository root:  .venv/bin/python bench/server_bench.py [--shapes 100000] [--frames 200]

It starts its own ``inklab serve`` (one web worker, so memory is measured for one process) in a
temporary data directory and prints, for the same data in the same run:

* annotations: seconds for PUT and GET of N rectangles, the server worker's peak RSS, and the
  bare cost of (de)serialising the same JSON in-process with orjson (a floor no server can beat);
* frames: original frames/s and MB/s through ``/api/tasks/{id}/data/?type=frame`` over loopback
  with keep-alive, beside Python's stdlib HTTP server (``socket.sendfile``) serving the same files
  from disk (the reference).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.images import make_images  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MiB."""
    total = 0
    pids = [pid]
    children_file = Path(f"/proc/{pid}/task/{pid}/children")
    if children_file.exists():
        pids += [int(c) for c in children_file.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]))
        except FileNotFoundError:
            pass
    return total / 1024


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(c) for c in children.read_text().split()] if children.exists() else []


class Api:
    def __init__(self, server: LiveServer) -> None:
        self.base = server.url
        self.http = urllib3.PoolManager(maxsize=8)
        # Log in once and send the token, as cvat-sdk does: HTTP Basic would hash the password
        # (PBKDF2, deliberately slow) on every request and measure that instead of the server.
        login = self.http.request("POST", f"{self.base}/api/auth/login", headers={"Content-Type": "application/json"},
                                  body=orjson.dumps({"username": server.admin[0], "password": server.admin[1]}))
        if login.status != 200:
            raise RuntimeError(f"login failed: {login.status} {login.data[:200]!r}")
        self.headers = {"Authorization": f"Token {orjson.loads(login.data)['key']}",
                        "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None, raw: bytes | None = None) -> urllib3.BaseHTTPResponse:
        data = raw if raw is not None else (orjson.dumps(body) if body is not None else None)
        response = self.http.request(method, self.base + path, body=data, headers=self.headers,
                                     timeout=urllib3.Timeout(total=600))
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {response.data[:300]!r}")
        return response

    def json(self, method: str, path: str, body: object = None) -> dict:  # type: ignore[type-arg]
        return orjson.loads(self.call(method, path, body).data)

    def create_task(self, images: list[Path], **params: object) -> int:
        task = self.json("POST", "/api/tasks", {"name": "bench", "labels": [{"name": "car"}]})
        fields = {f"client_files[{i}]": (p.name, p.read_bytes()) for i, p in enumerate(images)}
        headers = {k: v for k, v in self.headers.items() if k != "Content-Type"}
        self.http.request("POST", f"{self.base}/api/tasks/{task['id']}/data/", headers={**headers, "Upload-Start": ""})
        self.http.request("POST", f"{self.base}/api/tasks/{task['id']}/data/", fields=fields,
                          headers={**headers, "Upload-Multiple": ""})
        rq = self.json("POST", f"/api/tasks/{task['id']}/data/", {"image_quality": 70, **params})
        if "rq_id" not in rq:
            rq = orjson.loads(self.http.request(
                "POST", f"{self.base}/api/tasks/{task['id']}/data/", body=orjson.dumps({"image_quality": 70, **params}),
                headers={**self.headers, "Upload-Finish": ""}).data)
        while (status := self.json("GET", f"/api/requests/{rq['rq_id']}"))["status"] not in ("finished", "failed"):
            time.sleep(0.2)
        if status["status"] != "finished":
            raise RuntimeError(status["message"])
        return int(task["id"])


def bench_annotations(api: Api, server: LiveServer, shapes: int, tmp: Path) -> None:
    task_id = api.create_task(make_images(tmp / "ann", 10, size=(640, 480), ext="jpg"))
    label = api.json("GET", f"/api/labels?task_id={task_id}")["results"][0]["id"]
    payload = {"shapes": [{"type": "rectangle", "frame": i % 10, "label_id": label,
                           "points": [i % 600, i % 400, i % 600 + 30.5, i % 400 + 20.25]} for i in range(shapes)]}
    body = orjson.dumps(payload)
    workers = _worker_pids(server.process.pid)  # type: ignore[union-attr]
    before = max(_peak_rss_mb(w) for w in workers)

    start = time.perf_counter()
    api.call("PUT", f"/api/tasks/{task_id}/annotations/", raw=body)
    put_s = time.perf_counter() - start
    start = time.perf_counter()
    data = api.call("GET", f"/api/tasks/{task_id}/annotations/").data
    get_s = time.perf_counter() - start
    got = orjson.loads(data)
    assert len(got["shapes"]) == shapes, len(got["shapes"])
    peak = max(_peak_rss_mb(w) for w in workers)

    start = time.perf_counter()
    orjson.loads(orjson.dumps(orjson.loads(body)))
    floor_s = time.perf_counter() - start
    print(f"annotations: {shapes} rectangles, request {len(body) / 2**20:.1f} MiB, response {len(data) / 2**20:.1f} MiB")
    print(f"  PUT  {put_s:6.2f} s   ({shapes / put_s:,.0f} shapes/s)")
    print(f"  GET  {get_s:6.2f} s   ({shapes / get_s:,.0f} shapes/s)")
    print(f"  server worker peak RSS {peak:.0f} MiB (before: {before:.0f} MiB)")
    print(f"  reference: orjson parse+dump+parse of the same JSON in-process {floor_s:.3f} s "
          f"-> PUT is {put_s / floor_s:.1f}x, GET {get_s / floor_s:.1f}x that floor")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The reference: the stdlib file server, sending each body with ``socket.sendfile``."""

    protocol_version = "HTTP/1.1"

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def, override]
        outputfile.flush()
        self.request.sendfile(source)

    def log_message(self, *args: object) -> None:
        pass


def bench_frames(api: Api, frames: int, tmp: Path) -> None:
    images = make_images(tmp / "frames", frames, size=(1920, 1080), ext="jpg")
    task_id = api.create_task(images)
    size_mb = sum(p.stat().st_size for p in images) / 1e6

    def run(fetch: object, rounds: int = 3) -> float:
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            for i in range(frames):
                fetch(i)  # type: ignore[operator]
            best = min(best, time.perf_counter() - start)
        return best

    def inklab(i: int) -> None:
        r = api.http.request("GET", f"{api.base}/api/tasks/{task_id}/data/?type=frame&number={i}&quality=original",
                             headers=api.headers)
        assert r.status == 200 and len(r.data) > 0

    handler = functools.partial(_QuietHandler, directory=str(images[0].parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    plain = urllib3.PoolManager()

    def stdlib(i: int) -> None:
        r = plain.request("GET", f"http://127.0.0.1:{port}/{images[i].name}")
        assert r.status == 200 and len(r.data) > 0

    t_inklab = run(inklab)
    t_std = run(stdlib)
    httpd.shutdown()
    print(f"original frames: {frames} JPEGs 1920x1080 ({size_mb / frames:.2f} MB each), one client, keep-alive")
    print(f"  inklab        {frames / t_inklab:7.0f} frames/s  {size_mb / t_inklab:7.0f} MB/s")
    print(f"  stdlib server {frames / t_std:7.0f} frames/s  {size_mb / t_std:7.0f} MB/s  (reference)")
    print(f"  ratio inklab/stdlib: {t_std / t_inklab:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="run the server on PostgreSQL")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(workers=1, postgres=args.postgres).start()
        try:
            api = Api(server)
            print(f"server: inklab serve, 1 worker, {'PostgreSQL' if args.postgres else 'SQLite'}")
            bench_annotations(api, server, args.shapes, Path(tmp))
            bench_frames(api, args.frames, Path(tmp))
        finally:
            server.destroy()


if __name__ == "__main__":
    main()
