"""The unmodified cvat-cli 2.80 in a subprocess: task create / ls / frames / delete, tokens, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.support.images import make_images
from tests.support.live import LiveServer

pytestmark = pytest.mark.live


def cli(server: LiveServer, *args: str, auth: bool = True, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cvat_cli", "--server-host", server.url]
    if auth:
        command += ["--auth", f"{server.admin[0]}:{server.admin[1]}"]
    result = subprocess.run(command + list(args), capture_output=True, text=True, timeout=120,
                            env={**os.environ, **(env or {})})
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_task_lifecycle(live_server: LiveServer, tmp_path: Path) -> None:
    images = make_images(tmp_path / "src", 4, ext="png")
    labels = json.dumps([{"name": "car"}, {"name": "bus"}])
    created = cli(live_server, "task", "create", "cli-task", "local", *map(str, images), "--labels", labels,
                  "--segment_size", "2", "--completion_verification_period", "0.1")
    task_id = int(created.stdout.strip().splitlines()[-1])

    listed = json.loads(cli(live_server, "task", "ls", "--json").stdout)
    mine = next(t for t in listed if t["id"] == task_id)
    assert mine["name"] == "cli-task" and mine["size"] == 4 and mine["jobs"]["count"] == 2

    outdir = tmp_path / "frames"
    cli(live_server, "task", "frames", str(task_id), "0", "3", "--outdir", str(outdir), "--quality", "original")
    for number in (0, 3):
        saved = outdir / f"task_{task_id}_frame_{number:06d}.png"
        assert np.array_equal(np.asarray(Image.open(saved)), np.asarray(Image.open(images[number])))

    cli(live_server, "task", "delete", str(task_id))
    ids = [t["id"] for t in json.loads(cli(live_server, "task", "ls", "--json").stdout)]
    assert task_id not in ids


def test_project_create_and_token_auth(live_server: LiveServer, sdk) -> None:  # type: ignore[no-untyped-def]
    import orjson
    from cvat_sdk.core.helpers import make_request_headers

    response = sdk.api_client.rest_client.POST(
        f"{live_server.url}/api/auth/access_tokens", body={"name": "cli"},
        headers={"Content-Type": "application/json", **make_request_headers(sdk.api_client)})
    token = orjson.loads(response.data)["value"]
    env = {"CVAT_ACCESS_TOKEN": token}
    created = cli(live_server, "project", "create", "cli-project", "--labels", '[{"name": "tree"}]', auth=False,
                  env=env)
    project_id = int(created.stdout.strip().splitlines()[-1])
    projects = json.loads(cli(live_server, "project", "ls", "--json", auth=False, env=env).stdout)
    assert any(p["id"] == project_id and p["name"] == "cli-project" for p in projects)
    cli(live_server, "project", "delete", str(project_id), auth=False, env=env)


def test_errors_exit_nonzero(live_server: LiveServer) -> None:
    wrong = subprocess.run([sys.executable, "-m", "cvat_cli", "--server-host", live_server.url, "--auth",
                            "admin:wrong-password", "task", "ls"], capture_output=True, text=True, timeout=60)
    assert wrong.returncode != 0
    missing = cli(live_server, "task", "frames", "999999", "0", check=False)
    assert missing.returncode != 0 and ("404" in missing.stderr or "Not Found" in missing.stderr)
