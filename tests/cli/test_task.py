"""``inklab task …`` against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer, free_port

pytestmark = pytest.mark.live

LABELS = '[{"name": "car"}, {"name": "bus"}]'


def _error_line(result: Any) -> str:
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_create_ls_frames_delete(inklab: Callable[..., Any], tmp_path: Path) -> None:
    images = make_images(tmp_path / "src", 5, size=(30, 20))
    created = inklab("task", "create", "cli-task", "local", *map(str, images), "--labels", LABELS,
                     "--segment_size", "2", "--chunk-size", "2", "--subset", "Train")
    assert created.status == 0, created.err
    task_id = int(created.out.strip())
    assert "Uploading data" in created.err  # the progress bar

    listed = inklab("task", "ls", "--json")
    assert listed.status == 0
    entry = next(t for t in json.loads(listed.out) if t["id"] == task_id)
    assert entry["name"] == "cli-task" and entry["size"] == 5 and entry["subset"] == "Train"
    table = inklab("task", "ls").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "FRAMES", "PROJECT", "SUBSET", "STATUS"]
    assert any(line.split()[:3] == [str(task_id), "cli-task", "5"] for line in table[1:])

    frames = inklab("task", "frames", str(task_id), "0", "4", "--outdir", str(tmp_path / "out"))
    assert frames.status == 0, frames.err
    saved = [Path(p) for p in frames.out.split()]
    assert [p.name for p in saved] == [f"task_{task_id}_frame_000000.png", f"task_{task_id}_frame_000004.png"]
    assert saved[1].read_bytes() == images[4].read_bytes()
    compressed = inklab("task", "frames", str(task_id), "1", "--outdir", str(tmp_path / "c"), "--quality", "compressed")
    assert Path(compressed.out.strip()).suffix == ".jpg"

    deleted = inklab("task", "delete", str(task_id))
    assert deleted.status == 0 and deleted.out.strip() == f"deleted task {task_id}"
    assert task_id not in [t["id"] for t in json.loads(inklab("task", "ls", "--json").out)]


def test_task_in_a_project_with_a_token(inklab: Callable[..., Any], live_server: LiveServer, tmp_path: Path,
                                        monkeypatch: Any) -> None:
    from inklab.sdk import make_client

    with make_client(live_server.url, credentials=live_server.admin) as client:
        token = client.send_json("POST", "/api/auth/access_tokens", {"name": "cli"})["value"]
    monkeypatch.setenv("INKLAB_ACCESS_TOKEN", token)
    project = inklab("project", "create", "cli-project", "--labels", LABELS, auth=False)
    assert project.status == 0, project.err
    project_id = int(project.out)
    images = make_images(tmp_path / "src", 2)
    created = inklab("task", "create", "in-project", "local", *map(str, images), "--project_id", str(project_id),
                     auth=False)
    assert created.status == 0, created.err
    with make_client(live_server.url, access_token=token) as client:
        task = client.tasks.retrieve(int(created.out))
        assert task.project_id == project_id and [x.name for x in task.get_labels()] == ["car", "bus"]


def test_errors_are_one_line_with_status_1(inklab: Callable[..., Any], live_server: LiveServer,
                                           tmp_path: Path) -> None:
    unknown = inklab("task", "frames", "987654", "0")
    assert unknown.status == 1 and "no task 987654" in _error_line(unknown)
    missing = inklab("task", "delete", "987654")
    assert missing.status == 1 and "no task 987654" in _error_line(missing)
    wrong = inklab("task", "ls", auth=False, host=live_server.url)  # no credentials at all
    assert wrong.status == 1 and "No credentials" in _error_line(wrong)
    refused = inklab("task", "ls", auth="admin:wrong-password")
    assert refused.status == 1 and "refused the login of 'admin'" in _error_line(refused)
    port = free_port()
    unreachable = inklab("task", "ls", host=f"http://127.0.0.1:{port}")
    assert unreachable.status == 1 and f"Cannot reach the server at http://127.0.0.1:{port}" in _error_line(unreachable)
    no_file = inklab("task", "create", "x", "local", str(tmp_path / "nope.png"), "--labels", LABELS)
    assert no_file.status == 1 and "nope.png" in _error_line(no_file)
    bad_labels = inklab("task", "create", "x", "local", "a.png", "--labels", "{not json")
    assert bad_labels.status == 2 and "--labels" in bad_labels.err
    no_labels = inklab("task", "create", "x", "local", "a.png")
    assert no_labels.status == 2 and "--labels" in no_labels.err
    bad_frame = _task_with_frames(inklab, tmp_path)
    out_of_range = inklab("task", "frames", str(bad_frame), "7")
    assert out_of_range.status == 1 and "there is no frame 7" in _error_line(out_of_range)


def _task_with_frames(inklab: Callable[..., Any], tmp_path: Path) -> int:
    images = make_images(tmp_path / "two", 2)
    return int(inklab("task", "create", "two", "local", *map(str, images), "--labels", LABELS).out)


def test_the_real_entry_point(live_server: LiveServer) -> None:
    env = {**os.environ, "INKLAB_PASSWORD": live_server.admin[1]}
    env.pop("INKLAB_ACCESS_TOKEN", None)
    ok = subprocess.run([sys.executable, "-m", "inklab", "project", "ls", "--json", "--server-host", live_server.url,
                         "--auth", live_server.admin[0]], capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert isinstance(json.loads(ok.stdout), list)
    bad = subprocess.run([sys.executable, "-m", "inklab", "project", "delete", "987654", "--server-host",
                          live_server.url, "--auth", live_server.admin[0]], capture_output=True, text=True, env=env,
                         timeout=120)
    assert bad.returncode == 1 and bad.stderr.strip() == "error: there is no project 987654"
