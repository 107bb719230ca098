"""Scale-out load benchmark: concurrent annotators against one and against two web processes.

Run from the repository root:  .venv/bin/python bench/scaleout_bench.py [--seconds 60] [--clients 20]

It needs PostgreSQL (``$INKLAB_TEST_PG``, default ``postgresql://postgres@127.0.0.1:5432``), as
``INKLAB_TEST_POSTGRES=1`` tests do. For each deployment in turn, in the same run, it starts
``inklab worker`` (which processes the task upload) and web-only ``inklab serve`` processes of one
web worker each, sharing a fresh database (:class:`tests.support.cluster.Cluster`):

* one server process (the reference), then
* two server processes, the clients split between them.

It creates one task with a job per client (two 640×480 JPEG frames each; ``--task-each``: a
task per client), each job assigned to its own annotator (a signed-up user, not an
administrator). Every client works on its own job for ``--seconds``, in a loop: PUT three
rectangles (replacing the job's annotations), GET a frame of the job, PATCH one more rectangle in
(``action=create``), GET the other frame. It prints requests/s, p50/p95 latency per kind, the
errors (which must be none) and whether anything was lost: each job's final annotations, read
through the other server where there are two, must equal what its client last saved.

Clients and servers share this machine's CPUs over loopback, so the clients' own work is part of
what is measured; the ratio between the two deployments is the figure to read, and the servers'
CPU time per request (user + system, all server processes) is steadier than requests/s on a
shared machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server_bench import _cpu_seconds  # noqa: E402
from tests.support.cluster import Cluster  # noqa: E402
from tests.support.images import make_images  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.rest import Rest  # noqa: E402

KINDS = ("PUT annotations", "PATCH annotations", "GET frame")


@dataclass
class Client:
    """One annotator: its server, its job, what it last saved, and its measurements."""

    server: LiveServer
    token: str
    job: int
    frames: tuple[int, int]
    label: int
    index: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    errors: list[str] = field(default_factory=list)
    #: the job's shapes as this client last saved them: (frame, points)
    saved: list[tuple[int, list[float]]] = field(default_factory=list)

    def _shape(self, frame: int, x: float) -> dict[str, Any]:
        return {"type": "rectangle", "frame": frame, "label_id": self.label, "points": [x, 1.0, x + 10.5, 20.25],
                "attributes": [], "group": 0, "source": "manual", "occluded": False, "z_order": 0}

    def run(self, until: float) -> None:
        http = urllib3.PoolManager(maxsize=1)
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        base = f"{self.server.url}/api/jobs/{self.job}"
        step = 0
        while time.monotonic() < until:
            # Coordinates name the client and the step, so a lost or crossed write shows.
            x = float(self.index * 1000 + step % 1000)
            if step % 4 == 0:
                shapes = [self._shape(self.frames[i % 2], x + i) for i in range(3)]
                kind, method, url, body = KINDS[0], "PUT", f"{base}/annotations/", {"shapes": shapes, "tags": [],
                                                                                  "tracks": []}
            elif step % 4 == 2:
                shapes = [self._shape(self.frames[1], x)]
                kind, method, url = KINDS[1], "PATCH", f"{base}/annotations/?action=create"
                body = {"shapes": shapes, "tags": [], "tracks": []}
            else:
                frame = self.frames[(step // 2) % 2]
                kind, method, url, body = KINDS[2], "GET", f"{base}/data/?type=frame&number={frame}&quality=original", None
            start = time.perf_counter()
            try:
                response = http.request(method, url, headers=headers, body=None if body is None else orjson.dumps(body),
                                        retries=False, timeout=urllib3.Timeout(total=60))
                ok = response.status < 400 and len(response.data) > 0
                if not ok:
                    self.errors.append(f"{kind}: HTTP {response.status} {response.data[:120]!r}")
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                ok = False
                self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            self.latencies[kind].append(time.perf_counter() - start)
            if ok and method == "PUT":
                self.saved = [(s["frame"], s["points"]) for s in shapes]
            elif ok and method == "PATCH":
                self.saved += [(s["frame"], s["points"]) for s in shapes]
            step += 1


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))] * 1000 if ordered else float("nan")


def _setup(cluster: Cluster, clients: int, tmp: Path, task_each: bool) -> tuple[list[str], list[dict[str, Any]],
                                                                                list[int]]:
    """A two-frame job per client, all of one task (or each of its own task with ``task_each``),
    each assigned to its own annotator (a user who signed up, so every request goes through the
    per-object permission checks); returns the annotators' tokens, the jobs and their label ids."""
    admin = Rest(cluster.web[0])
    images = make_images(tmp / "frames", 2 * clients, size=(640, 480), ext="jpg")
    if task_each:
        tasks = [admin.create_task(f"scale-out bench {i}", [{"name": "car"}], images[2 * i:2 * i + 2])
                 for i in range(clients)]
    else:
        tasks = [admin.create_task("scale-out bench", [{"name": "car"}], images, segment_size=2)]
    jobs = sorted((job for task in tasks for job in admin.jobs(task["id"])), key=lambda j: (j["task_id"], j["start_frame"]))
    assert len(jobs) == clients, f"expected {clients} jobs, got {len(jobs)}"
    labels = {task["id"]: admin.labels(task_id=task["id"])[0]["id"] for task in tasks}
    tokens = []
    for i, job in enumerate(jobs):
        annotator = Rest.register(cluster.web[0], f"annotator{i}", "Annotator-passw0rd!")
        admin.call("PATCH", f"/api/jobs/{job['id']}", {"assignee": annotator.get("/api/users/self")["id"]})
        tokens.append(annotator.headers["Authorization"].split()[1])
    return tokens, jobs, [labels[job["task_id"]] for job in jobs]


def run_deployment(servers: int, clients: int, seconds: float, tmp: Path, task_each: bool) -> dict[str, Any]:
    with Cluster(servers=servers, workers=1) as cluster:
        tokens, jobs, labels = _setup(cluster, clients, tmp / f"s{servers}", task_each)
        team = [Client(cluster.web[i % servers], tokens[i], job["id"], (job["start_frame"], job["stop_frame"]),
                       labels[i], i) for i, job in enumerate(jobs)]
        pids = [server.process.pid for server in cluster.web]  # type: ignore[union-attr]
        cpu = sum(_cpu_seconds(pid) for pid in pids)
        until = time.monotonic() + seconds
        start = time.perf_counter()
        threads = [threading.Thread(target=client.run, args=(until,)) for client in team]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu

        # Read every job back through another server than its client's (where there are two).
        lost = []
        readers = [Rest(server) for server in cluster.web]
        for client in team:
            stored = readers[(client.index + 1) % servers].get(f"/api/jobs/{client.job}/annotations/")["shapes"]
            if not client.saved or sorted((s["frame"], s["points"]) for s in stored) != sorted(client.saved):
                lost.append(client.job)
    load = os.getloadavg()[0]
    latencies = {kind: [t for c in team for t in c.latencies[kind]] for kind in KINDS}
    return {"servers": servers, "elapsed": elapsed, "cpu": cpu, "load": load, "requests": sum(len(v) for v in latencies.values()),
            "latencies": latencies, "errors": [e for c in team for e in c.errors], "lost": lost, "jobs": len(team)}


def print_results(results: list[dict[str, Any]], clients: int, seconds: float, task_each: bool) -> None:
    layout = "a task each" if task_each else "all jobs of one task"
    print(f"{clients} clients for {seconds:.0f} s each, every client on its own job ({layout}); PostgreSQL; "
          "each server process is one `inklab serve --workers 1`")
    header = f"{'':24}" + "".join(f"{label:>26}" for label in ("1 server (reference)", "2 servers"))
    print(header)
    rate = [r["requests"] / r["elapsed"] for r in results]
    print(f"{'requests/s':24}" + "".join(f"{value:>26.0f}" for value in rate))
    print(f"{'server CPU per request':24}" + "".join(f"{r['cpu'] / r['requests'] * 1000:>23.1f} ms" for r in results))
    for kind in KINDS:
        cells = [f"{len(r['latencies'][kind]):>6} p50 {_percentile(r['latencies'][kind], 0.5):5.0f} "
                 f"p95 {_percentile(r['latencies'][kind], 0.95):5.0f} ms" for r in results]
        print(f"{kind:24}" + "".join(f"{cell:>26}" for cell in cells))
    print(f"{'errors':24}" + "".join(f"{len(r['errors']):>26}" for r in results))
    print(f"{'jobs lost or changed':24}" + "".join(f"{len(r['lost']):>26}" for r in results))
    print(f"{'load average after':24}" + "".join(f"{r['load']:>26.1f}" for r in results))
    if len(rate) == 2:
        print(f"ratio two servers / one: {rate[1] / rate[0]:.2f}x requests/s")
    for r in results:
        for error in r["errors"][:5]:
            print(f"  error ({r['servers']} server(s)): {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="load duration per deployment (default 60)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--task-each", action="store_true",
                        help="give every client a job of its own task (default: all jobs of one task)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}, "
          f"load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_deployment(servers, args.clients, args.seconds, Path(tmp), args.task_each) for servers in (1, 2)]
    print_results(results, args.clients, args.seconds, args.task_each)
    if any(r["errors"] or r["lost"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
