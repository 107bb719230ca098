"""Browser tests: Debian's Chromium driven by Playwright against a live ``inklab serve``.

* ``browser`` – one Chromium for the session (``/usr/bin/chromium``; ``scripts/ensure-services``
  installs it). Without it the tests fail, unless ``INKLAB_SKIP_BROWSER_TESTS=1`` says to skip them.
* ``page`` – a fresh browser context per test (own cookies); uncaught JavaScript errors fail
  the test; ``shot(page, name)`` saves a screenshot to ``artifacts/e2e/<name>.png``.
* ``rest`` – a REST client (token auth, urllib3) to set up data and check what the UI saved.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import urllib3

from tests.support.images import make_images
from tests.support.live import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.live)


class Rest:
    """A small REST client for test set-up and checks (token auth, as the SDK does)."""

    def __init__(self, server: LiveServer, username: str | None = None, password: str | None = None) -> None:
        self.base = server.url
        self.http = urllib3.PoolManager(maxsize=4)
        self.credentials = (username or server.admin[0], password or server.admin[1])
        self.login()

    def login(self) -> None:
        response = self.http.request("POST", f"{self.base}/api/auth/login", body=orjson.dumps(
            {"username": self.credentials[0], "password": self.credentials[1]}), headers={"Content-Type": "application/json"})
        assert response.status == 200, response.data
        self.headers = {"Authorization": f"Token {orjson.loads(response.data)['key']}"}

    def call(self, method: str, path: str, body: Any = None, *, fields: Any = None, headers: dict[str, str] | None = None,
             expect: int | tuple[int, ...] = (200, 201, 202, 204)) -> Any:
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
        return orjson.loads(response.data) if response.data else None

    def get(self, path: str) -> Any:
        return self.call("GET", path)

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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    for stale in ARTIFACTS.glob("FAILED-*.png"):
        stale.unlink()
    if not CHROMIUM.exists():
        if os.environ.get("INKLAB_SKIP_BROWSER_TESTS") == "1":
            pytest.skip("no /usr/bin/chromium and INKLAB_SKIP_BROWSER_TESTS=1")
        pytest.fail("The browser tests need Debian's Chromium: run scripts/ensure-services (or apt-get install "
                    "chromium); set INKLAB_SKIP_BROWSER_TESTS=1 to skip them.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def rest(live_server: LiveServer) -> Rest:
    return Rest(live_server)


class PageErrors(list):  # type: ignore[type-arg]
    """Uncaught errors and console errors of a page (failed requests the test expects excluded)."""


@pytest.fixture
def page(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900},
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors = PageErrors()
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    tab.errors = errors
    yield tab
    failed = request.node.stash.get(_FAILED, False)
    if failed:
        shot(tab, f"FAILED-{request.node.name}")
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


def shot(page: Any, name: str) -> Path:
    """Save a screenshot of the page as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path))
    return path


def sign_in(page: Any, username: str, password: str) -> None:
    """Sign in through the sign-in form and wait for the tasks page."""
    page.goto("/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/tasks.*"))


@pytest.fixture
def admin_page(page: Any, live_server: LiveServer) -> Any:
    """A page signed in as the administrator (through the API, sharing the browser's cookies)."""
    response = page.request.post("/api/auth/login", data={"username": live_server.admin[0],
                                                          "password": live_server.admin[1]})
    assert response.ok, response.text()
    return page


LABELS = [
    {"name": "car", "color": "#ff6a00", "attributes": [
        {"name": "color", "mutable": False, "input_type": "select", "values": ["red", "green", "blue"]},
        {"name": "parked", "mutable": True, "input_type": "checkbox", "values": ["false"]},
        {"name": "doors", "mutable": False, "input_type": "number", "values": ["2", "5", "1"]},
        {"name": "plate", "mutable": False, "input_type": "text", "values": [""]},
        {"name": "size", "mutable": False, "input_type": "radio", "values": ["small", "large"]},
    ]},
    {"name": "road", "color": "#3b6ef5", "type": "polygon"},
    {"name": "person", "color": "#22aa55", "type": "skeleton", "sublabels": [
        {"name": "head", "type": "points"}, {"name": "left hand", "type": "points"}, {"name": "right hand", "type": "points"}],
     "svg": '<line x1="50" y1="10" x2="20" y2="60" data-node-from="1" data-node-to="2"></line>'
            '<line x1="50" y1="10" x2="80" y2="60" data-node-from="1" data-node-to="3"></line>'
            '<circle r="1.5" cx="50" cy="10" data-node-id="1" data-label-name="head"></circle>'
            '<circle r="1.5" cx="20" cy="60" data-node-id="2" data-label-name="left hand"></circle>'
            '<circle r="1.5" cx="80" cy="60" data-node-id="3" data-label-name="right hand"></circle>'},
    {"name": "weather", "color": "#aa44cc", "type": "tag", "attributes": [
        {"name": "kind", "mutable": False, "input_type": "select", "values": ["sunny", "rainy"]}]},
]


@pytest.fixture
def annotation_task(rest: Rest, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """A task with the LABELS above and five 320×240 frames, one job."""
    images = make_images(tmp_path / "frames", 5, size=(320, 240))
    task = rest.create_task(f"e2e {request.node.name}", LABELS, images)
    task["job"] = rest.jobs(task["id"])[0]
    task["labels"] = {label["name"]: label for label in rest.labels(task_id=task["id"])}
    return task
