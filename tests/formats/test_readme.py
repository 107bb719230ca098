"""The README's format-library parts: the fidelity table is the registry's declarations
(regenerate with scripts/update-fidelity-table), and its example runs as written and writes
a dataset that imports back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from inklab.formats import ImportOptions, get_importer, open_input
from inklab.formats.registry import fidelity_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_fidelity_table_is_current() -> None:
    text = README.read_text()
    assert fidelity_table() in text, "README.md is out of date: run scripts/update-fidelity-table"


def _library_example() -> str:
    text = README.read_text()
    found = re.search(r"The format library works without the server.*?```python\n(.*?)```", text, re.S)
    assert found, "README.md lost its format-library example"
    return found.group(1)


COCO = {
    "images": [{"id": 7, "file_name": "street/a.jpg", "width": 64, "height": 48},
               {"id": 3, "file_name": "b.jpg", "width": 32, "height": 24},
               {"id": 12, "file_name": "c.jpg", "width": 64, "height": 48}],
    "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}],
    "annotations": [
        {"id": 1, "image_id": 7, "category_id": 1, "bbox": [1, 2, 10, 20], "area": 200, "iscrowd": 0,
         "segmentation": []},
        {"id": 2, "image_id": 12, "category_id": 2, "bbox": [0, 0, 4, 4], "area": 8, "iscrowd": 0,
         "segmentation": [[0, 0, 4, 0, 4, 4]]},
    ],
}


def test_readme_example_converts_coco_into_cvat_that_imports_back(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "instances_default.json").write_text(json.dumps(COCO))
    monkeypatch.chdir(tmp_path)
    exec(compile(_library_example(), "README.md", "exec"), {})  # noqa: S102 - the README's own code, as a user runs it
    with open_input(tmp_path / "cvat.zip") as source:
        dataset = get_importer("CVAT 1.1").load(source, ImportOptions())
        frames = sorted(dataset.frames, key=lambda f: f.index if f.index is not None else -1)
    assert [(f.index, f.name, f.width, f.height) for f in frames] == [
        (0, "street/a.jpg", 64, 48), (1, "b.jpg", 32, 24), (2, "c.jpg", 64, 48)]
    assert [(s.type, s.label, s.points) for s in frames[0].shapes] == [("rectangle", "car", (1.0, 2.0, 11.0, 22.0))]
    assert [(s.type, s.label, s.points) for s in frames[2].shapes] == [
        ("polygon", "person", (0.0, 0.0, 4.0, 0.0, 4.0, 4.0))]
    assert frames[1].shapes == ()
    assert [label.name for label in dataset.labels] == ["car", "person"]
