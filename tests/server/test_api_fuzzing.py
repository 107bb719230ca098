"""A bounded schemathesis run over our own schema, against a live ``inklab serve``.

schemathesis reads ``/api/schema/`` and sends each operation requests made from it, valid and
invalid (its coverage phase: boundary and wrong-typed values of every parameter and field; then
a few generated cases per operation). The run is deterministic (``--generation-deterministic``:
no random seed, no example database) and bounded by a fixed number of cases per operation, one
worker; the server is fresh, with a user and a little data, so every run sends the same requests.

What it enforces, on every answer:

* ``not_a_server_error`` – no 5xx;
* ``status_code_conformance`` – the status code is one the schema documents for the operation;
* ``content_type_conformance`` and ``response_schema_conformance`` – the body is of a documented
  media type and matches the documented schema; ``response_headers_conformance`` likewise;
* ``ignored_auth`` – the operations that need credentials refuse requests without them;
* ``unsupported_method``, ``missing_required_header``, ``allow_header_conformance``.

Not enforced, with reasons: ``negative_data_rejection`` (DRF reads ``0`` as false and numbers as
text, as CVAT's server does) and ``positive_data_acceptance`` (rules a schema cannot state: a
``filter`` must be JSON Logic, passwords must be strong, credentials must be right).

Left out of the run: ``POST /api/auth/logout`` (it revokes the run's token) and the agents'
``watch`` stream (an event stream that stays open). One answer is a 5xx by design: calling a
function on a frame (``POST /api/lambda/functions/{id}``) when no agent serves it is a 503
(documented), which the run accepts for that operation only (:data:`CONFIG`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer
from tests.support.rest import Rest
from tests.support.s3 import S3Server

pytestmark = [pytest.mark.live, pytest.mark.slow]

CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance", "ignored_auth", "unsupported_method",
          "missing_required_header", "allow_header_conformance"]
EXAMPLES_PER_OPERATION = 10
LEFT_OUT = ["--exclude-path", "/api/auth/logout", "--exclude-path-regex", r"/watch$"]
CONFIG = """
[[operations]]
include-operation-id = "lambda_create_functions"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]
"""


def _seed(server: LiveServer, tmp_path: Path, s3: S3Server) -> Rest:
    """A user with a project (a box label and a skeleton), a task of three frames and a few objects."""
    user = Rest.register(server, "fuzzer", "Fuzz-passw0rd-1")
    project = user.call("POST", "/api/projects", {"name": "streets", "labels": [
        {"name": "car", "attributes": [{"name": "color", "mutable": False, "input_type": "select",
                                        "values": ["red", "blue"]}]},
        {"name": "person", "type": "skeleton", "sublabels": [{"name": "head"}, {"name": "foot"}]}]})
    task = user.create_task("crossing", [], make_images(tmp_path / "images", 3), project_id=project["id"])
    car, person = user.labels(project_id=project["id"])
    head, foot = person["sublabels"]
    user.call("PUT", f"/api/tasks/{task['id']}/annotations/", {
        "shapes": [{"type": "rectangle", "frame": 0, "label_id": car["id"], "points": [1, 2, 10, 20]},
                   {"type": "skeleton", "frame": 1, "label_id": person["id"], "elements": [
                       {"type": "points", "frame": 1, "label_id": head["id"], "points": [3, 3]},
                       {"type": "points", "frame": 1, "label_id": foot["id"], "points": [3, 9]}]}],
        "tracks": [{"frame": 0, "label_id": car["id"], "shapes": [
            {"type": "rectangle", "frame": 0, "points": [0, 0, 5, 5]},
            {"type": "rectangle", "frame": 2, "points": [1, 1, 6, 6], "outside": True}]}]})
    # A webhook with a delivery (to a closed port on this machine: the server allows private targets).
    hook = user.call("POST", "/api/webhooks", {"target_url": "http://127.0.0.1:9/", "type": "project",
                                               "project_id": project["id"], "events": ["update:task"]})
    user.call("POST", f"/api/webhooks/{hook['id']}/ping")
    guide = user.call("POST", "/api/guides", {"task_id": task["id"], "markdown": "# Rules"})
    image = make_images(tmp_path / "guide", 1)[0]
    user.call("POST", "/api/assets", fields={"guide_id": str(guide["id"]),
                                             "file": (image.name, image.read_bytes(), "image/png")})
    # A cloud storage on the local S3 server (the server allows loopback endpoints here).
    bucket = s3.bucket("inklab-fuzzing", {"photos/a.png": image.read_bytes()})
    user.call("POST", "/api/cloudstorages", {
        "provider_type": "AWS_S3_BUCKET", "resource": bucket, "display_name": "photos",
        "credentials_type": "KEY_SECRET_KEY_PAIR", "key": s3.key, "secret_key": s3.secret,
        "specific_attributes": f"endpoint_url={s3.url}"})
    return user


@pytest.mark.timeout(1500)  # its own limit (the run's subprocess stops at 1,200 s), not the suite's 600 s
def test_schemathesis_finds_no_server_errors_and_no_schema_mismatches(
        server_factory: Callable[..., LiveServer], s3_server: S3Server, tmp_path: Path) -> None:
    # Its own server: the run creates, changes and deletes things. It also sends hundreds of wrong
    # credentials on purpose, which the login throttle would answer 429 after ten (that limit is
    # tested in tests/server/iam); here the schema's 401/403 answers are what is checked.
    server = server_factory(env={"INKLAB_LOGIN_MAX_FAILURES": "0", "INKLAB_WEBHOOKS_ALLOW_PRIVATE": "1",
                                 "INKLAB_WEBHOOKS_ATTEMPTS": "1", "INKLAB_WEBHOOKS_TIMEOUT": "2",
                                 "INKLAB_CLOUD_ALLOW_PRIVATE": "1"})
    user = _seed(server, tmp_path, s3_server)
    reports = tmp_path / "report"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{server.url}/api/schema/",
               "--header", user.headers["Authorization"].join(("Authorization: ", "")),
               "--checks", ",".join(CHECKS), "--phases", "examples,coverage,fuzzing",
               "--max-examples", str(EXAMPLES_PER_OPERATION), "--generation-deterministic", "--workers", "1",
               "--request-timeout", "60", "--report", "json", "--report-dir", str(reports), "--no-color", *LEFT_OUT]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    found = list(reports.glob("json-*.json"))
    assert found, f"schemathesis wrote no report:\n{run.stdout[-5000:]}\n{run.stderr[-3000:]}"
    report = json.loads(found[0].read_text())
    summary = run.stdout[run.stdout.find("=== FAILURES") if "=== FAILURES" in run.stdout else -3000:]
    assert report["failures"] == [] and report["errors"] == [], summary[:20000]
    assert run.returncode == 0, summary[-5000:]
    assert report["operations"]["tested"] >= 80 and report["test_cases"]["generated"] > 5000
