"""Server benchmark: annotations, frames and chunks, requests/s, slow clients, write contention.

Run from the repository root:  .venv/bin/python bench/server_bench.py [--shapes 100000] [--frames 200]
                               [--compare-src DIR]   (e.g. DIR from ``git archive <commit> src | tar -x``)

It starts its own ``inklab serve`` (one web worker, so memory is measured for one process) in a
temporary data directory and prints, for the same data in the same run:

* annotations: seconds for PUT and GET of N rectangles, the server worker's peak RSS, and the
  bare cost of (de)serialising the same JSON in-process with orjson (a floor no server can beat);
* frames: original frames/s and MB/s through ``/api/tasks/{id}/data/?type=frame`` over loopback
  with keep-alive, beside Python's stdlib HTTP server (``socket.sendfile``) serving the same files
  from disk (the reference);
* serving: ``GET /api/server/about`` requests/s from 4 keep-alive clients with the server's CPU
  time per request (steadier than requests/s on a shared machine), original chunks in MB/s, and
  the p95 latency of ``about`` and of a frame for one client while ``--slow`` connections trickle
  request bodies; with ``--compare-src`` the same figures for a server run from that source tree
  (the reference: e.g. the previous release), side by side;
* write contention (SQLite only): the latency of small annotation PATCHes on another task while
  a PUT of N shapes runs, and the longest time the PUT held SQLite's write lock;
* import contention (SQLite only): the same while an annotations import of ``--import-shapes``
  boxes (CVAT 1.1 XML) runs, for this tree and, with ``--compare-src``, for the reference.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import platform
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.images import make_images  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.slow_clients import SlowClients  # noqa: E402


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
    # gunicorn serves from a worker process; uvicorn with one worker from the process itself.
    workers = _worker_pids(server.process.pid) or [server.process.pid]  # type: ignore[union-attr]
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


def _cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process and its children (gunicorn's workers), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *_worker_pids(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def _requests_per_second(server: LiveServer, url: str, *, clients: int = 4, per_client: int = 500) -> tuple[float, float]:
    """Requests/s of ``clients`` keep-alive clients, and the server's CPU milliseconds per request."""
    def run() -> None:
        http = urllib3.PoolManager(maxsize=1)
        for _ in range(per_client):
            assert http.request("GET", url).status == 200

    cpu = _cpu_seconds(server.process.pid)  # type: ignore[union-attr]
    start = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    cpu = _cpu_seconds(server.process.pid) - cpu  # type: ignore[union-attr]
    count = clients * per_client
    return count / elapsed, cpu / count * 1000


def _latencies_under_slow_clients(api: Api, server: LiveServer, urls: dict[str, str], slow: int,
                                  samples: int = 100) -> dict[str, tuple[float, int]]:
    """p95 (ms) and failures of one client's GETs while ``slow`` connections trickle bodies."""
    results = {}
    with SlowClients(server.port, slow, announced=100_000) as clients:
        time.sleep(1)
        http = urllib3.PoolManager(maxsize=1)
        for name, url in urls.items():
            times, failures = [], 0
            for _ in range(samples):
                start = time.perf_counter()
                try:
                    r = http.request("GET", api.base + url, headers=api.headers, retries=False,
                                     timeout=urllib3.Timeout(total=10))
                    if r.status != 200:
                        raise RuntimeError(r.status)
                    times.append(time.perf_counter() - start)
                except Exception:  # noqa: BLE001 - a timeout is the figure here
                    failures += 1
                    if failures == 3:  # the server is not answering: do not wait out every sample
                        break
            results[name] = (_p95(times) if times else float("nan"), failures)
        results["held"] = (float(clients.open_count()), 0)
    return results


def bench_serving(server: LiveServer, images: list[Path], slow: int) -> dict[str, float]:
    """The serving figures of one server: requests/s, CPU per request, frames, chunks, slow clients."""
    api = Api(server)
    task_id = api.create_task(images, chunk_size=36)
    size_mb = sum(p.stat().st_size for p in images) / 1e6
    figures: dict[str, float] = {}
    figures["about_rps"], figures["about_cpu_ms"] = _requests_per_second(server, f"{api.base}/api/server/about")

    def timed(fetch: Callable[[int], int], count: int, rounds: int = 3) -> tuple[float, float]:
        best, cpu_best = float("inf"), float("inf")
        for _ in range(rounds):
            cpu = _cpu_seconds(server.process.pid)  # type: ignore[union-attr]
            start = time.perf_counter()
            for i in range(count):
                fetch(i)
            best = min(best, time.perf_counter() - start)
            cpu_best = min(cpu_best, _cpu_seconds(server.process.pid) - cpu)  # type: ignore[union-attr]
        return best, cpu_best

    def frame(i: int) -> int:
        r = api.call("GET", f"/api/tasks/{task_id}/data/?type=frame&number={i}&quality=original")
        return len(r.data)

    elapsed, cpu = timed(frame, len(images))
    figures["frames_per_s"] = len(images) / elapsed
    figures["frames_mb_s"] = size_mb / elapsed
    figures["frame_cpu_ms"] = cpu / len(images) * 1000

    chunks = (len(images) + 35) // 36
    chunk_bytes = sum(len(api.call("GET", f"/api/tasks/{task_id}/data/?type=chunk&number={i}&quality=original").data)
                      for i in range(chunks))  # the first request builds each chunk

    def chunk(i: int) -> int:
        return len(api.call("GET", f"/api/tasks/{task_id}/data/?type=chunk&number={i}&quality=original").data)

    elapsed, cpu = timed(chunk, chunks)
    figures["chunks_mb_s"] = chunk_bytes / 1e6 / elapsed
    figures["chunk_mb"] = chunk_bytes / 1e6 / chunks
    figures["chunk_cpu_ms_per_mb"] = cpu * 1000 / (chunk_bytes / 1e6)
    slow_results = _latencies_under_slow_clients(api, server, {
        "about": "/api/server/about",
        "frame": f"/api/tasks/{task_id}/data/?type=frame&number=1&quality=original"}, slow)
    for name in ("about", "frame"):
        figures[f"slow_{name}_p95_ms"], figures[f"slow_{name}_failures"] = slow_results[name]
    figures["slow_held"] = slow_results["held"][0]
    return figures


_SERVING_ROWS = [
    ("about_rps", "GET /api/server/about, 4 clients, req/s", "{:.0f}"),
    ("about_cpu_ms", "  server CPU per request, ms", "{:.2f}"),
    ("frames_per_s", "original frames, 1 client, frames/s", "{:.0f}"),
    ("frames_mb_s", "  MB/s", "{:.0f}"),
    ("frame_cpu_ms", "  server CPU per frame, ms", "{:.2f}"),
    ("chunks_mb_s", "original chunks, 1 client, MB/s", "{:.0f}"),
    ("chunk_mb", "  chunk size, MB", "{:.1f}"),
    ("chunk_cpu_ms_per_mb", "  server CPU per MB, ms", "{:.2f}"),
    ("slow_held", "slow connections still open", "{:.0f}"),
    ("slow_about_p95_ms", "  about p95 meanwhile, ms", "{:.1f}"),
    ("slow_about_failures", "  about failures (10 s timeout; stops at 3)", "{:.0f}"),
    ("slow_frame_p95_ms", "  frame p95 meanwhile, ms", "{:.1f}"),
    ("slow_frame_failures", "  frame failures (10 s timeout; stops at 3)", "{:.0f}"),
]


def print_serving(results: dict[str, dict[str, float]], slow: int) -> None:
    names = list(results)
    print(f"serving ({slow} slow connections trickle request bodies in the slow rows)")
    print(f"  {'':44s}" + "".join(f"{n:>16s}" for n in names))
    for key, label, fmt in _SERVING_ROWS:
        print(f"  {label:44s}" + "".join(f"{fmt.format(results[n][key]):>16s}" for n in names))
    if len(names) == 2:
        this, ref = (results[n] for n in names)
        print(f"  ratios {names[0]}/{names[1]}: about req/s {this['about_rps'] / ref['about_rps']:.2f}, "
              f"frames/s {this['frames_per_s'] / ref['frames_per_s']:.2f}, "
              f"chunks MB/s {this['chunks_mb_s'] / ref['chunks_mb_s']:.2f}; CPU per request "
              f"{this['about_cpu_ms'] / ref['about_cpu_ms']:.2f}, per frame {this['frame_cpu_ms'] / ref['frame_cpu_ms']:.2f}")


def _contention_task(api: Api, tmp: Path) -> tuple[list[Path], int, int]:
    """Frames, and a second task with its label for the small PATCHes of another user."""
    images = make_images(tmp / "contention", 10, size=(640, 480), ext="jpg")
    small = api.create_task(images)
    return images, small, api.json("GET", f"/api/labels?task_id={small}")["results"][0]["id"]


def _under_contention(server: LiveServer, small: int, small_label: int, write: Callable[[], None]) -> dict[str, object]:
    """Run ``write`` while another client sends small PATCHes to task ``small`` and a third
    connection probes SQLite's write lock; the PATCH latencies and the longest lock hold."""
    one = {"shapes": [{"type": "rectangle", "frame": 0, "label_id": small_label, "points": [1, 2, 30, 40]}]}
    done = threading.Event()
    lock_waits: list[float] = []

    def probe_lock() -> None:
        """The longest stretch during which another connection could not take the write lock."""
        db = sqlite3.connect(server.data_dir / "db.sqlite3", timeout=0, isolation_level=None)
        blocked_since = None
        while not done.is_set():
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute("ROLLBACK")
                if blocked_since is not None:
                    lock_waits.append(time.perf_counter() - blocked_since)
                    blocked_since = None
            except sqlite3.OperationalError:
                blocked_since = blocked_since or time.perf_counter()
            time.sleep(0.005)
        if blocked_since is not None:
            lock_waits.append(time.perf_counter() - blocked_since)
        db.close()

    seconds: list[float] = []

    def timed_write() -> None:
        start = time.perf_counter()
        try:
            write()
        finally:
            seconds.append(time.perf_counter() - start)
            done.set()

    patch = Api(server)
    prober = threading.Thread(target=probe_lock)
    prober.start()
    writer = threading.Thread(target=timed_write)
    writer.start()
    latencies: list[float] = []
    failures: list[int] = []
    while not done.is_set():
        start = time.perf_counter()
        r = patch.http.request("PATCH", f"{patch.base}/api/tasks/{small}/annotations/?action=create",
                               body=orjson.dumps(one), headers=patch.headers, timeout=urllib3.Timeout(total=120))
        if r.status == 200:
            latencies.append(time.perf_counter() - start)
        else:
            failures.append(r.status)
        time.sleep(0.05)
    writer.join()
    prober.join()
    return {"seconds": seconds[0], "latencies": latencies, "failures": failures,
            "lock_ms": max(lock_waits, default=0) * 1000}


def _print_contention(result: dict[str, object]) -> None:
    latencies = sorted(result["latencies"])  # type: ignore[type-var]
    failures = result["failures"]
    assert isinstance(latencies, list) and isinstance(failures, list)
    if latencies:
        print(f"  PATCH: {len(latencies)} answered 200, p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
              f"p95 {_p95(latencies):.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
              f"{len(failures)} failed {sorted(set(failures))}")
    else:
        print(f"  PATCH: none answered 200; {len(failures)} failed {sorted(set(failures))}")
    print(f"  longest hold of the write lock seen by another connection: {result['lock_ms']:.0f} ms")


def bench_write_contention(api: Api, server: LiveServer, shapes: int, tmp: Path) -> None:
    """Small PATCHes on one task while a PUT of ``shapes`` rectangles runs on another (SQLite)."""
    images, small, small_label = _contention_task(api, tmp)
    big = api.create_task(images)
    big_label = api.json("GET", f"/api/labels?task_id={big}")["results"][0]["id"]
    body = orjson.dumps({"shapes": [{"type": "rectangle", "frame": i % 10, "label_id": big_label,
                                     "points": [i % 600, i % 400, i % 600 + 30.5, i % 400 + 20.25]}
                                    for i in range(shapes)]})

    def put() -> None:
        api.call("PUT", f"/api/tasks/{big}/annotations/", raw=body)

    put()  # the timed PUT replaces these
    result = _under_contention(server, small, small_label, put)
    print(f"write contention (SQLite): small PATCHes on one task while a PUT of {shapes} rectangles "
          f"({result['seconds']:.1f} s) runs on another")
    _print_contention(result)


def _cvat_xml(images: list[Path], shapes: int) -> bytes:
    per_frame = -(-shapes // len(images))
    lines = ["<annotations>", "<version>1.1</version>"]
    written = 0
    for index, image in enumerate(images):
        lines.append(f"<image id='{index}' name='{image.name}' width='640' height='480'>")
        for i in range(min(per_frame, shapes - written)):
            lines.append(f"<box label='car' xtl='{i % 600}' ytl='{i % 400}' xbr='{i % 600 + 30.5}' "
                         f"ybr='{i % 400 + 20.25}' occluded='0' z_order='0'/>")
        written += min(per_frame, shapes - written)
        lines.append("</image>")
    lines.append("</annotations>")
    return "\n".join(lines).encode()


def bench_import_contention(server: LiveServer, shapes: int, tmp: Path) -> dict[str, object]:
    """Small PATCHes on one task while an annotations import of ``shapes`` boxes (CVAT 1.1 XML,
    replacing as many) runs on another (SQLite): measured from the upload's end to the request's."""
    api = Api(server)
    images, small, small_label = _contention_task(api, tmp)
    big = api.create_task(images)
    data = _cvat_xml(images, shapes)
    headers = {k: v for k, v in api.headers.items() if k != "Content-Type"}

    def run_import() -> None:
        r = api.http.request("POST", f"{api.base}/api/tasks/{big}/annotations/?format=CVAT+1.1",
                             fields={"annotation_file": ("boxes.xml", data, "application/xml")}, headers=headers,
                             timeout=urllib3.Timeout(total=600))
        if r.status != 202:
            raise RuntimeError(f"import: {r.status} {r.data[:300]!r}")
        rq_id = orjson.loads(r.data)["rq_id"]
        while (status := api.json("GET", f"/api/requests/{rq_id}"))["status"] not in ("finished", "failed"):
            time.sleep(0.05)
        if status["status"] != "finished":
            raise RuntimeError(f"import failed: {status['message']}")

    run_import()  # the timed import replaces these
    result = _under_contention(server, small, small_label, run_import)
    count = len(api.json("GET", f"/api/tasks/{big}/annotations/")["shapes"])
    if count != shapes:
        raise RuntimeError(f"the import wrote {count} shapes, not {shapes}")
    return {**result, "mib": len(data) / 2**20}


def print_import_contention(results: dict[str, dict[str, object]], shapes: int) -> None:
    for name, result in results.items():
        print(f"import contention (SQLite, {name}): small PATCHes on one task while an import of {shapes} boxes "
              f"({result['mib']:.1f} MiB of CVAT 1.1 XML, replacing as many; {result['seconds']:.1f} s) runs on "
              "another")
        _print_contention(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--slow", type=int, default=200, help="slow connections held open (default 200)")
    parser.add_argument("--postgres", action="store_true", help="run the server on PostgreSQL")
    parser.add_argument("--compare-src", type=Path, default=None,
                        help="also measure the serving figures of a server run from this source tree")
    parser.add_argument("--import-shapes", type=int, default=200_000,
                        help="boxes in the file of the import-contention part (default 200000)")
    parser.add_argument("--only", choices=["annotations", "frames", "serving", "contention", "import"],
                        action="append", help="run only these parts (repeatable)")
    args = parser.parse_args()
    parts = set(args.only or ["annotations", "frames", "serving", "contention", "import"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer(workers=1, postgres=args.postgres).start()
        try:
            api = Api(server)
            print(f"server: inklab serve, 1 worker, {'PostgreSQL' if args.postgres else 'SQLite'}")
            if "annotations" in parts:
                bench_annotations(api, server, args.shapes, Path(tmp))
            if "frames" in parts:
                bench_frames(api, args.frames, Path(tmp))
            if "contention" in parts and not args.postgres:
                bench_write_contention(api, server, args.shapes, Path(tmp))
            if "import" in parts and not args.postgres:
                imports = {"this tree": bench_import_contention(server, args.import_shapes, Path(tmp))}
                if args.compare_src is not None:
                    reference = LiveServer(workers=1, src=args.compare_src.resolve()).start()
                    try:
                        imports["reference"] = bench_import_contention(reference, args.import_shapes, Path(tmp))
                    finally:
                        reference.destroy()
                print_import_contention(imports, args.import_shapes)
            if "serving" in parts:
                images = make_images(Path(tmp) / "serving", args.frames, size=(1920, 1080), ext="jpg")
                results = {"this tree": bench_serving(server, images, args.slow)}
                server.destroy()
                if args.compare_src is not None:
                    reference = LiveServer(workers=1, postgres=args.postgres, src=args.compare_src.resolve()).start()
                    try:
                        results["reference"] = bench_serving(reference, images, args.slow)
                    finally:
                        reference.destroy()
                print_serving(results, args.slow)
        finally:
            server.destroy()


if __name__ == "__main__":
    main()
