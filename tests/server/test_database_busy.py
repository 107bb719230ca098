"""A busy database answers 503 with Retry-After, never 500, and nothing is half-written (issue 16, item 8).

Another connection holds the lock a small annotation PATCH needs — SQLite's write lock
(``BEGIN IMMEDIATE``), or on PostgreSQL the task's row — longer than the server's short busy
timeout (``INKLAB_DB_BUSY_TIMEOUT``, set small here).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import django.db
import orjson
import pytest
from django.test import RequestFactory

from inklab.server import busy
from inklab.server.api.errors import server_error
from inklab.server.projects.models import Task
from tests.support.live import LiveServer
from tests.support.rest import Rest

pytestmark = pytest.mark.live


@contextmanager
def _lock_held(server: LiveServer, task_id: int) -> Iterator[None]:
    if server.database_url is None:
        db = sqlite3.connect(server.data_dir / "db.sqlite3", isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            db.execute("ROLLBACK")
            db.close()
        return
    import psycopg

    with psycopg.connect(server.database_url) as db:
        db.execute(f'SELECT id FROM "{Task._meta.db_table}" WHERE id = %s FOR UPDATE', [task_id])
        yield
        db.rollback()


def test_a_patch_waiting_too_long_for_a_lock_is_503_and_writes_nothing(
        server_factory: Callable[..., LiveServer], images: list[Path]) -> None:
    server = server_factory(env={"INKLAB_DB_BUSY_TIMEOUT": "0.5"})
    rest = Rest(server)
    task = rest.create_task("busy", [{"name": "car"}], images)
    label = rest.labels(task_id=task["id"])[0]["id"]
    shape = {"type": "rectangle", "frame": 0, "label_id": label, "points": [1, 2, 30, 40]}
    path = f"/api/tasks/{task['id']}/annotations"
    before = rest.call("PUT", path, {"shapes": [shape]})

    with _lock_held(server, task["id"]):
        response = rest.http.request("PATCH", f"{server.url}{path}?action=create",
                                     body=orjson.dumps({"shapes": [shape, shape]}),
                                     headers={**rest.headers, "Content-Type": "application/json"})
    assert response.status == 503, response.data[:300]
    assert response.headers["Retry-After"] == str(busy.RETRY_AFTER_SECONDS)
    assert orjson.loads(response.data) == {"detail": busy.MESSAGE}

    after = rest.get(path)
    assert after["version"] == before["version"]
    assert [s["id"] for s in after["shapes"]] == [s["id"] for s in before["shapes"]]
    # Sent again once the lock is gone, the same PATCH succeeds.
    assert len(rest.call("PATCH", f"{path}?action=create", {"shapes": [shape, shape]})["shapes"]) == 2


def test_views_outside_the_api_answer_a_busy_database_with_503(tmp_path: Path) -> None:
    """Django's handler500 turns a real "database is locked" into a 503 for every other view."""
    holder = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(tmp_path / "db.sqlite3", timeout=0, isolation_level=None)
    request = RequestFactory().post("/admin/login/")
    try:
        try:
            waiter.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # wrapped as Django's database wrapper does
            raise django.db.OperationalError(*exc.args) from exc
    except django.db.OperationalError:
        response = server_error(request)
    finally:
        holder.close()
        waiter.close()
    assert response.status_code == 503
    assert response["Retry-After"] == str(busy.RETRY_AFTER_SECONDS)
    assert orjson.loads(response.content) == {"detail": busy.MESSAGE}


def test_other_server_errors_stay_500() -> None:
    request = RequestFactory().get("/")
    try:
        raise django.db.IntegrityError("UNIQUE constraint failed")
    except django.db.IntegrityError:
        response = server_error(request)
    assert response.status_code == 500
