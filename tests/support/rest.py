"""A small REST client for setting up data and checking results in live-server tests and benchmarks.

It authenticates with the token from ``/api/auth/login`` (as cvat-sdk does after a password login)
and logs in again when a 401 says the token was revoked (a browser signing the same user out).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import urllib3

from tests.support.live import LiveServer

__all__ = ["Rest"]


class Rest:
    """A small REST client for test set-up and checks (token auth, as the SDK does)."""

    def __init__(self, server: LiveServer, username: str | None = None, password: str | None = None) -> None:
        self.base = server.url
        self.http = urllib3.PoolManager(maxsize=4)
        self.credentials = (username or server.admin[0], password or server.admin[1])
        self.login()

    @classmethod
    def register(cls, server: LiveServer, username: str, password: str) -> Rest:
        """Sign a new user up through ``/api/auth/register`` and return a client acting as them."""
        response = urllib3.PoolManager().request("POST", f"{server.url}/api/auth/register", body=orjson.dumps(
            {"username": username, "email": f"{username}@example.org", "password1": password, "password2": password}),
            headers={"Content-Type": "application/json"})
        assert response.status == 201, response.data
        return cls(server, username, password)

    def login(self) -> None:
        response = self.http.request("POST", f"{self.base}/api/auth/login", body=orjson.dumps(
            {"username": self.credentials[0], "password": self.credentials[1]}), headers={"Content-Type": "application/json"})
        assert response.status == 200, response.data
        self.headers = {"Authorization": f"Token {orjson.loads(response.data)['key']}"}

    def call(self, method: str, path: str, body: Any = None, *, fields: Any = None, headers: dict[str, str] | None = None,
             expect: int | tuple[int, ...] = (200, 201, 202, 204)) -> Any:
        """The JSON answer of a request (None for an empty one); asserts its status is one of ``expect``."""
        data = self.fetch(method, path, body, fields=fields, headers=headers, expect=expect).data
        return orjson.loads(data) if data else None

    def fetch(self, method: str, path: str, body: Any = None, *, fields: Any = None,
              headers: dict[str, str] | None = None, expect: int | tuple[int, ...] = (200, 201, 202, 204)) -> Any:
        """The response of a request (``.data`` its bytes); asserts its status is one of ``expect``."""
        for attempt in range(2):
            extra = {**self.headers, **(headers or {})}
            if fields is not None:
                response = self.http.request(method, self.base + path, fields=fields, headers=extra)
            else:
                response = self.http.request(method, self.base + path, body=None if body is None else orjson.dumps(body),
                                             headers={**extra, "Content-Type": "application/json"})
            if response.status == 401 and attempt == 0:
                self.login()  # the browser signed this user out, which revokes the token
                continue
            break
        codes = (expect,) if isinstance(expect, int) else expect
        assert response.status in codes, f"{method} {path}: {response.status} {response.data[:500]!r}"
        return response

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def until(self, path: str, predicate: Any, timeout: float = 10) -> Any:
        """GET ``path`` until ``predicate(body)`` holds (a browser's request may still be on its way)."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.get(path)
            if predicate(body) or time.monotonic() > deadline:
                return body
            time.sleep(0.1)

    def wait(self, rq_id: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rq = self.get(f"/api/requests/{rq_id}")
            if rq["status"] in {"finished", "failed"}:
                assert rq["status"] == "finished", rq["message"]
                return rq
            time.sleep(0.2)
        raise AssertionError(f"request {rq_id} did not finish")

    def create_task(self, name: str, labels: list[dict[str, Any]], images: list[Path], **spec: Any) -> dict[str, Any]:
        """A task with labels and frames (multipart upload, processed), as the SDK would create it."""
        task = self.call("POST", "/api/tasks", {"name": name, "labels": labels, **spec})
        self.call("POST", f"/api/tasks/{task['id']}/data/", {}, headers={"Upload-Start": ""})
        fields = {f"client_files[{i}]": (p.name, p.read_bytes(), "image/png") for i, p in enumerate(images)}
        self.call("POST", f"/api/tasks/{task['id']}/data/", fields={**fields, "image_quality": "95"},
                  headers={"Upload-Multiple": ""})
        rq = self.call("POST", f"/api/tasks/{task['id']}/data/", {"image_quality": 95}, headers={"Upload-Finish": ""})
        self.wait(rq["rq_id"])
        return self.get(f"/api/tasks/{task['id']}")

    def jobs(self, task_id: int) -> list[dict[str, Any]]:
        return self.get(f"/api/jobs?task_id={task_id}&page_size=100")["results"]

    def labels(self, **query: Any) -> list[dict[str, Any]]:
        params = "&".join(f"{k}={v}" for k, v in query.items())
        return self.get(f"/api/labels?{params}&page_size=100")["results"]
