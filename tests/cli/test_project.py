"""``inklab project …`` against a live server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.live


def test_project_lifecycle(inklab: Callable[..., Any], tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps([{"name": "cat"}, {"name": "dog", "attributes": [
        {"name": "size", "mutable": False, "input_type": "select", "values": ["small", "big"]}]}]))
    created = inklab("project", "create", "pets", "--labels", str(labels), "--bug_tracker", "https://bugs.example/1")
    assert created.status == 0, created.err
    project_id = int(created.out)
    listed = json.loads(inklab("project", "ls", "--json").out)
    entry = next(p for p in listed if p["id"] == project_id)
    assert entry["name"] == "pets" and entry["bug_tracker"] == "https://bugs.example/1"
    table = inklab("project", "ls").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "TASKS", "STATUS"]
    assert any(line.split()[:3] == [str(project_id), "pets", "0"] for line in table[1:])
    deleted = inklab("project", "delete", str(project_id), "987654")
    assert deleted.status == 1
    assert deleted.out.strip() == f"deleted project {project_id}"
    assert deleted.err.strip() == "error: there is no project 987654"
    assert project_id not in [p["id"] for p in json.loads(inklab("project", "ls", "--json").out)]


def test_bad_labels_file(inklab: Callable[..., Any], tmp_path: Path) -> None:
    bad = tmp_path / "labels.json"
    bad.write_text('{"name": "not a list"}')
    result = inklab("project", "create", "x", "--labels", str(bad))
    assert result.status == 2 and "expected a list of labels" in result.err
