"""Webhooks benchmark: does a failing webhook target slow down the other background requests?

Run from the repository root:  .venv/bin/python bench/webhooks_bench.py [--exports 20] [--hooks 6]
                               [--backoff 0.5] [--attempts 4]

It starts its own ``inklab serve`` with ONE background worker thread, makes a task of 4 images
and times ``--exports`` annotation exports one after the other (queue to finished, as a client
sees it) twice: first with no webhook traffic (the reference), then right after an event sent to
``--hooks`` webhooks whose target answers 503, so that every delivery is retried
``--attempts - 1`` times with pauses of ``--backoff`` s doubling. It prints p50/p95/max of both
runs, their ratios, the second run's length, and how many attempts the target saw by its end. A
retry that sleeps in the worker holds the only worker for the whole backoff
(``backoff * (2**(attempts-1) - 1)`` s per delivery); a scheduled retry costs one quick attempt each. ``--compare-src OTHER/src`` measures
another checkout the same way, after this one (e.g. one whose retries sleep).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import orjson
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.images import make_images  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.receiver import Receiver  # noqa: E402


class Api:
    def __init__(self, server: LiveServer) -> None:
        self.url = server.url
        self.http = urllib3.PoolManager(maxsize=2)
        response = self.http.request("POST", f"{self.url}/api/auth/login", body=orjson.dumps(
            {"username": server.admin[0], "password": server.admin[1]}), headers={"Content-Type": "application/json"})
        assert response.status == 200, response.data
        self.headers = {"Authorization": f"Token {orjson.loads(response.data)['key']}"}

    def call(self, method: str, path: str, body: object = None) -> object:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        response = self.http.request(method, self.url + path, body=orjson.dumps(body) if body is not None else None,
                                     headers=headers)
        assert response.status < 300, (method, path, response.status, response.data[:300])
        return orjson.loads(response.data) if response.data else None

    def wait(self, rq_id: str, within: float = 120) -> None:
        deadline = time.monotonic() + within
        while True:
            status = self.call("GET", f"/api/requests/{rq_id}")
            assert isinstance(status, dict)
            if status["status"] == "finished":
                return
            assert status["status"] != "failed", status
            assert time.monotonic() < deadline, f"request {rq_id} did not finish"
            time.sleep(0.02)


def _exports(api: Api, task_id: int, count: int) -> list[float]:
    seconds = []
    for _ in range(count):
        started = time.monotonic()
        queued = api.call("POST", f"/api/tasks/{task_id}/dataset/export?format=COCO%201.0")
        assert isinstance(queued, dict)
        api.wait(queued["rq_id"])
        seconds.append(time.monotonic() - started)
    return seconds


def _summary(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(args: argparse.Namespace, src: Path | None) -> tuple[list[float], list[float], int, float]:
    """(reference export times, export times with retries pending, attempts seen, second run's length)."""
    extra = {"src": src} if src is not None else {}
    server = LiveServer(workers=1, env={
        "INKLAB_EMBEDDED_WORKERS": "1", "INKLAB_WEBHOOKS_ALLOW_PRIVATE": "1", "INKLAB_WEBHOOKS_TIMEOUT": "5",
        "INKLAB_WEBHOOKS_BACKOFF": str(args.backoff), "INKLAB_WEBHOOKS_ATTEMPTS": str(args.attempts)},
        **extra).start()
    failing = Receiver(statuses=[503]).start()
    try:
        api = Api(server)
        make_images(server.share_dir / "bench", 4)
        project = api.call("POST", "/api/projects", {"name": "bench", "labels": [{"name": "car"}]})
        assert isinstance(project, dict)
        task = api.call("POST", "/api/tasks", {"name": "t", "project_id": project["id"]})
        assert isinstance(task, dict)
        files = [f"bench/{p.name}" for p in sorted((server.share_dir / "bench").iterdir())]
        queued = api.call("POST", f"/api/tasks/{task['id']}/data", {"image_quality": 70, "server_files": files})
        assert isinstance(queued, dict)
        api.wait(queued["rq_id"])
        _exports(api, task["id"], 2)  # warm up

        reference = _exports(api, task["id"], args.exports)

        for _ in range(args.hooks):
            api.call("POST", "/api/webhooks", {"target_url": failing.url, "type": "project",
                                               "project_id": project["id"], "events": ["update:project"]})
        api.call("PATCH", f"/api/projects/{project['id']}", {"name": "bench-2"})
        deadline = time.monotonic() + 30
        while not failing.received:  # the deliveries have started
            assert time.monotonic() < deadline, "no attempt came"
            time.sleep(0.02)
        started = time.monotonic()
        loaded = _exports(api, task["id"], args.exports)
        return reference, loaded, len(failing.received), time.monotonic() - started
    finally:
        failing.stop()
        server.stop()


def _report(name: str, reference: list[float], loaded: list[float], seen: int, window: float) -> None:
    ref50, ref95 = _summary(reference)
    load50, load95 = _summary(loaded)
    print(f"[{name}] exports, no webhook traffic (reference): p50 {ref50 * 1000:.0f} ms, p95 {ref95 * 1000:.0f} ms")
    print(f"[{name}] exports, failing deliveries:             p50 {load50 * 1000:.0f} ms, p95 {load95 * 1000:.0f} ms"
          f", max {max(loaded) * 1000:.0f} ms (reference max {max(reference) * 1000:.0f} ms); ratio p50 "
          f"{load50 / ref50:.2f}, p95 {load95 / ref95:.2f}")
    print(f"[{name}] the {len(loaded)} exports took {window:.1f} s in all (reference {sum(reference):.1f} s); "
          f"target attempts by then: {seen}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exports", type=int, default=20)
    parser.add_argument("--hooks", type=int, default=6)
    parser.add_argument("--backoff", type=float, default=0.5)
    parser.add_argument("--attempts", type=int, default=4)
    parser.add_argument("--compare-src", type=Path, default=None,
                        help="another checkout's src directory, measured the same way after this one")
    args = parser.parse_args()
    sleeping = args.backoff * (2 ** (args.attempts - 1) - 1)
    print(f"one background worker thread; {args.exports} exports each run; {args.hooks} webhooks whose target "
          f"answers 503, {args.attempts} attempts ({args.hooks * args.attempts} in all), backoff {args.backoff:g} s "
          f"doubling ({sleeping:g} s of pauses per delivery)")
    _report("this checkout", *measure(args, None))
    if args.compare_src is not None:
        _report(str(args.compare_src), *measure(args, args.compare_src.resolve()))


if __name__ == "__main__":
    main()
