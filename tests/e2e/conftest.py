"""Browser tests: Debian's Chromium driven by Playwright against a live ``inklab serve``.

* ``browser`` – one Chromium for the browser tests (``/usr/bin/chromium``; ``scripts/ensure-services``
  installs it). Without it the tests fail, unless ``INKLAB_SKIP_BROWSER_TESTS=1`` says to skip them.
* ``page`` – a fresh browser context per test (own cookies); uncaught JavaScript errors fail
  the test; ``shot(page, name)`` saves a screenshot to ``artifacts/e2e/<name>.png``.
* ``rest`` – a REST client (token auth, urllib3) to set up data and check what the UI saved.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, launch
from tests.support.live import LiveServer
from tests.support.rest import Rest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.live)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    # Package scope, not session: while Playwright's sync API is open, its event loop counts as
    # running in this thread, so Django refuses database access (SynchronousOnlyOperation) in
    # every test that runs after the browser tests in the same session.
    for stale in ARTIFACTS.glob("FAILED-*.png"):
        stale.unlink()
    if not CHROMIUM.exists():
        if os.environ.get("INKLAB_SKIP_BROWSER_TESTS") == "1":
            pytest.skip("no /usr/bin/chromium and INKLAB_SKIP_BROWSER_TESTS=1")
        pytest.fail("The browser tests need Debian's Chromium: run scripts/ensure-services (or apt-get install "
                    "chromium); set INKLAB_SKIP_BROWSER_TESTS=1 to skip them.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
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


def scene_images(directory: Path, count: int, size: tuple[int, int] = (320, 240)) -> list[Path]:
    """Simple street-like pictures (sky, road, a few cars), so screenshots show something readable."""
    from PIL import Image, ImageDraw

    directory.mkdir(parents=True, exist_ok=True)
    width, height = size
    paths = []
    for index in range(count):
        image = Image.new("RGB", size)
        draw = ImageDraw.Draw(image)
        horizon = int(height * 0.45)
        for y in range(horizon):
            shade = 150 + int(90 * y / horizon)
            draw.line([(0, y), (width, y)], fill=(shade - 60, shade - 20, 255))
        draw.rectangle([0, horizon, width, height], fill=(92, 96, 104))
        draw.polygon([(width * 0.42, horizon), (width * 0.58, horizon), (width * 0.9, height), (width * 0.1, height)],
                     fill=(70, 72, 80))
        for k in range(4):
            x = (index * 23 + k * width // 4) % (width - 50)
            y = horizon + 15 + (k * 37) % (height - horizon - 40)
            draw.rectangle([x, y, x + 44, y + 22], fill=((k * 80 + 60) % 256, 40 + k * 30, 200 - k * 40))
            draw.ellipse([x + 5, y + 17, x + 15, y + 27], fill=(20, 20, 20))
            draw.ellipse([x + 29, y + 17, x + 39, y + 27], fill=(20, 20, 20))
        draw.ellipse([width - 60, 12, width - 30, 42], fill=(255, 230, 120))
        path = directory / f"img_{index:03d}.png"
        image.save(path)
        paths.append(path)
    return paths


def scene_video(path: Path, images: list[Path]) -> Path:
    """An MPEG-4 video of the pictures (320×240), one frame each."""
    import av
    from PIL import Image

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.options = {"qscale": "2"}
        for image in images:
            frame = av.VideoFrame.from_image(Image.open(image).convert("RGB"))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture
def annotation_task(rest: Rest, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """A task with the LABELS above and five 320×240 frames, one job."""
    images = scene_images(tmp_path / "frames", 5)
    task = rest.create_task(f"e2e {request.node.name}", LABELS, images)
    task["job"] = rest.jobs(task["id"])[0]
    task["labels"] = {label["name"]: label for label in rest.labels(task_id=task["id"])}
    return task


@pytest.fixture
def js(page: Any) -> Any:
    """Evaluate an async function body in the page, with the UI modules named in ``modules``
    imported under their keys (``{"g": "annotation/geometry.js"}``) and ``arg`` passed as ``arg``."""
    page.goto("/login")

    def run(modules: dict[str, str], body: str, arg: Any = None) -> Any:
        imports = "".join(f"const {name} = await import('/static/ui/{path}');" for name, path in modules.items())
        return page.evaluate(f"async (arg) => {{ {imports} {body} }}", arg)

    return run

