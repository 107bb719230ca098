"""Helpers shared by the resource command groups (tasks, projects)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inklab.sdk import NotFoundError

__all__ = ["add_option", "delete_ids", "labels_argument", "print_table", "retrieve"]


def add_option(parser: argparse.ArgumentParser, name: str, **kwargs: Any) -> None:
    """``--a-b`` and its cvat-cli spelling ``--a_b``."""
    spellings = [f"--{name}"] + ([f"--{name.replace('-', '_')}"] if "-" in name else [])
    parser.add_argument(*spellings, dest=name.replace("-", "_"), **kwargs)


def labels_argument(value: str) -> list[Any]:
    """``--labels``: JSON text, or the path of a JSON file; a list of label objects."""
    path = Path(value)
    text = path.read_text() if not value.lstrip().startswith(("[", "{")) and path.is_file() else value
    try:
        labels = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON and not a JSON file: {exc}") from exc
    if not isinstance(labels, list) or not all(isinstance(x, dict) and x.get("name") for x in labels):
        raise argparse.ArgumentTypeError('expected a list of labels like [{"name": "car"}]')
    return labels


def retrieve(repo: Any, kind: str, obj_id: int) -> Any:
    """The object, or a :class:`NotFoundError` that names it plainly."""
    try:
        return repo.retrieve(obj_id)
    except NotFoundError as exc:
        raise NotFoundError(f"There is no {kind} {obj_id} on the server (or you may not see it).",
                            request=exc.request, response=exc.response) from None


def delete_ids(repo: Any, kind: str, ids: Sequence[int]) -> int:
    """Delete each id; report what was deleted; status 1 if an id did not exist."""
    missing = set(repo.remove_by_ids(ids))
    for obj_id in ids:
        if obj_id in missing:
            print(f"error: there is no {kind} {obj_id}", file=sys.stderr)
        else:
            print(f"deleted {kind} {obj_id}")
    return 1 if missing else 0


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    table = [headers] + [[str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
