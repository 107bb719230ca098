"""Interactive calls benchmark: the round trip of a click and of a tracker step through the server
and an agent, with functions that answer at once (the plumbing alone).

Run from the repository root:  .venv/bin/python bench/interactive_bench.py [--calls 200] [--workers 2]

It starts its own ``inklab serve`` (``--workers`` web processes, so the call and the agent's
answer may land on different processes), creates a task of one 640x480 frame, registers an
interactor and a tracker whose functions return at once, and serves each with an agent in a
subprocess (``inklab function run-agent``, or ``cvat-cli function run-agent`` with ``--cvat``).
Then it times, from this process, ``--calls`` calls of each kind (``POST
/api/lambda/functions/{id}``, one keep-alive connection, like a browser tab):

* **click**: an interactor call on the same frame (the agent's preprocessed-image cache hit);
* **tracker step**: a ``track`` call with one state, on the same frame (the agent fetches the
  frame each time, as it would on a new frame);
* **reference**: ``GET /api/functions/{id}`` on the same connection, an API request with no
  agent involved: the floor of any round trip on this machine, measured in the same run.

It prints the median and p95 of each (after 10 warm-up calls). Goal (issue 14): a click's
median round trip under 50 ms on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import urllib3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.images import make_images  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.rest import Rest  # noqa: E402

FUNCTIONS = '''
import {module} as aa


class Click:
    spec = aa.InteractionFunctionSpec(min_pos_points=1, min_neg_points=0)

    def preprocess_image(self, context, image):
        return image.size

    def detect(self, context, pp_image, prompts):
        (x, y), = prompts.pos_points[:1]
        return [aa.InteractionResultShape(type="polygon", points=[x, y, x + 10, y, x, y + 10])]


class Follow:
    spec = aa.TrackingFunctionSpec(supported_shape_types={{"rectangle"}})

    def preprocess_image(self, context, image):
        return image.size

    def init_tracking_state(self, context, pp_image, shape):
        return list(shape.points)

    def track(self, context, pp_image, state):
        return aa.TrackableShape(type="rectangle", points=state)


def create(kind="click"):
    return Click() if kind == "click" else Follow()
'''


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _time(http: urllib3.PoolManager, method: str, url: str, body: Any, calls: int, headers: dict[str, str]) -> list[float]:
    times = []
    for i in range(calls + 10):
        started = time.perf_counter()
        response = http.request(method, url, json=body, headers=headers)
        took = (time.perf_counter() - started) * 1000
        assert response.status == 200, (response.status, response.data[:300])
        if i >= 10:
            times.append(took)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cvat", action="store_true", help="serve with cvat-cli's agent instead of inklab's")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inklab-interactive-bench-"))
    tool = "cvat-cli" if args.cvat else "inklab"
    function_file = work / "instant.py"
    function_file.write_text(FUNCTIONS.format(module="cvat_sdk.auto_annotation" if args.cvat
                                              else "inklab.sdk.auto_annotation"))
    server = LiveServer(workers=args.workers).start()
    agents: list[subprocess.Popen[bytes]] = []
    try:
        rest = Rest(server)
        task = rest.create_task("bench", [{"name": "thing"}], make_images(work / "frames", 1, size=(640, 480)))
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        auth = ["--server-host", server.url, "--auth", ":".join(server.admin)]
        ids = {}
        for kind, registration in (("click", {"kind": "interactor", "min_pos_points": 1, "min_neg_points": 0}),
                                   ("follow", {"kind": "tracker", "supported_shape_types": ["rectangle"]})):
            ids[kind] = int(rest.call("POST", "/api/functions", {"provider": "native", "name": kind, **registration})["id"])
            command = ([sys.executable, "-m", "cvat_cli", *auth, "function", "run-agent", str(ids[kind])] if args.cvat
                       else [sys.executable, "-m", "inklab", "function", "run-agent", *auth, str(ids[kind])])
            agents.append(subprocess.Popen([*command, "--function-file", str(function_file), "-p", f"kind=str:{kind}"],
                                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           start_new_session=True))
            rest.until(f"/api/functions/{ids[kind]}", lambda f: f["agents_online"] >= 1, timeout=60)
        http = urllib3.PoolManager(maxsize=1)
        headers = {**rest.headers, "Content-Type": "application/json"}
        base = f"{server.url}/api/lambda/functions"
        click = {"task": task["id"], "frame": 0, "pos_points": [[100, 100]], "neg_points": []}
        started = http.request("POST", f"{base}/{ids['follow']}", json={
            "task": task["id"], "frame": 0, "shapes": [{"type": "rectangle", "points": [10, 10, 50, 50]}]},
            headers=headers).json()
        step = {"task": task["id"], "frame": 0, "states": started["states"]}
        results = {
            "reference (GET /api/functions/{id})": _time(http, "GET", f"{server.url}/api/functions/{ids['click']}",
                                                          None, args.calls, headers),
            "interactor click": _time(http, "POST", f"{base}/{ids['click']}", click, args.calls, headers),
            "tracker step": _time(http, "POST", f"{base}/{ids['follow']}", step, args.calls, headers),
        }
    finally:
        for agent in agents:
            os.killpg(agent.pid, signal.SIGTERM)
            agent.wait(10)
        server.destroy()
    print(f"{tool} agent, {args.workers} web processes, {args.calls} calls each, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {time.strftime('%d %B %Y')}")
    print(f"| {'round trip':<40} | median ms | p95 ms |")
    print(f"|{'-' * 42}|-----------|--------|")
    for name, times in results.items():
        print(f"| {name:<40} | {statistics.median(times):9.1f} | {_percentile(times, 0.95):6.1f} |")


if __name__ == "__main__":
    main()
