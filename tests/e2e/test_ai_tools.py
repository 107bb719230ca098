"""The workspace's AI tools and the Models page, with agents (inklab's, in threads) serving
a synthetic interactor and the predefined weights-free tracker.

* click-to-segment: a click inside a generated disc; the interactor answers a mask, the page
  traces it and shows a polygon whose IoU with the disc is over 0.9; N keeps it;
* tracking: a box drawn on frame 0 follows a square moving across 31 frames as the annotator
  steps forward, and the saved track's keyframes are where the square is;
* the Models page lists both functions with their agents online, and deletes one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.live import LiveServer
from tests.support.rest import Rest

SIZE = (320, 240)
DISC = (150, 110, 52)  # centre x, y and radius
SQUARE = 30
STEPS = 30


def square_at(frame: int) -> tuple[int, int]:
    return 20 + 6 * frame, 40 + 3 * frame


class DiscInteractor:
    """A synthetic interactor: the flat-coloured region under the click, as a mask."""

    def __init__(self) -> None:
        from inklab.sdk.auto_annotation import InteractionFunctionSpec

        self.spec = InteractionFunctionSpec(min_pos_points=1, min_neg_points=0)

    def preprocess_image(self, context: Any, image: Any) -> np.ndarray:
        return np.asarray(image.convert("RGB"), dtype=np.int16)

    def detect(self, context: Any, pp_image: np.ndarray, prompts: Any) -> list[Any]:
        from scipy import ndimage

        from inklab.sdk.auto_annotation import InteractionResultShape, encode_mask

        x, y = (int(v) for v in prompts.pos_points[0])
        regions, _ = ndimage.label(np.abs(pp_image - pp_image[y, x]).max(axis=2) <= 40)
        return [InteractionResultShape(type="mask", points=encode_mask(regions == regions[y, x]))]


def _disc_mask() -> np.ndarray:
    ys, xs = np.mgrid[0:SIZE[1], 0:SIZE[0]]
    cx, cy, r = DISC
    return (xs + 0.5 - cx) ** 2 + (ys + 0.5 - cy) ** 2 <= r ** 2


def _polygon_mask(points: list[float]) -> np.ndarray:
    canvas = Image.new("1", SIZE, 0)
    ImageDraw.Draw(canvas).polygon(list(zip(points[0::2], points[1::2], strict=True)), fill=1)
    return np.asarray(canvas, dtype=bool)


@pytest.fixture
def agents(live_server: LiveServer, rest: Rest) -> Iterator[Callable[[str, dict[str, Any], Any], int]]:
    """``serve(name, registration, function)``: register a function and serve it in a thread."""
    from inklab.sdk import make_client
    from inklab.sdk.auto_annotation.agent import run_agent

    stop = threading.Event()
    threads: list[threading.Thread] = []
    ids: list[int] = []

    def serve(name: str, registration: dict[str, Any], function: Any) -> int:
        function_id = int(rest.call("POST", "/api/functions", {"provider": "native", "name": name, **registration})["id"])
        ids.append(function_id)
        client = make_client(live_server.url, credentials=live_server.admin)
        thread = threading.Thread(target=run_agent, args=(client, function, function_id), kwargs={"stop": stop},
                                  daemon=True)
        thread.start()
        threads.append(thread)
        rest.until(f"/api/functions/{function_id}", lambda f: f["agents_online"] >= 1, timeout=30)
        return function_id

    yield serve
    stop.set()
    for function_id in ids:
        rest.call("DELETE", f"/api/functions/{function_id}", expect=(204, 404))
    for thread in threads:
        thread.join(15)


def _disc_image(directory: Path) -> Path:
    image = Image.new("RGB", SIZE, (215, 215, 205))
    cx, cy, r = DISC
    ImageDraw.Draw(image).ellipse([cx - r, cy - r, cx + r, cy + r], fill=(40, 90, 200))
    path = directory / "disc.png"
    image.save(path)
    return path


def _square_images(directory: Path) -> list[Path]:
    paths = []
    for frame in range(STEPS + 1):
        image = Image.new("RGB", SIZE, (200, 200, 200))
        draw = ImageDraw.Draw(image)
        draw.rectangle([250, 150, 300, 220], fill=(40, 140, 60))  # something else, still
        x, y = square_at(frame)
        draw.rectangle([x, y, x + SQUARE - 1, y + SQUARE - 1], fill=(190, 40, 40))
        draw.line([x + 5, y + 15, x + 25, y + 15], fill=(250, 230, 60), width=3)  # a mark inside
        paths.append(directory / f"square_{frame:03d}.png")
        image.save(paths[-1])
    return paths


def test_click_to_segment_gives_the_objects_outline(admin_page: Any, rest: Rest, agents: Any, tmp_path: Path) -> None:
    agents("discs", {"kind": "interactor", "min_pos_points": 1, "min_neg_points": 0}, DiscInteractor())
    task = rest.create_task("disc", [{"name": "blob", "type": "polygon", "color": "#ff2266"}], [_disc_image(tmp_path)])
    job = rest.jobs(task["id"])[0]
    ws = Workspace(admin_page).open(job["id"])
    ws.tool("ai")
    panel = admin_page.locator(".ai-tools")
    panel.locator("button:has-text('Start clicking')").click()
    cx, cy, _ = DISC
    ws.click(cx + 10, cy - 5)
    admin_page.wait_for_function("() => document.querySelector('.ai-tools').dataset.latencyMs"
                                 " && !document.querySelector('.ai-tools').dataset.busy")
    assert "vertices" in panel.locator(".ai-status").inner_text()
    assert float(panel.get_attribute("data-latency-ms")) > 0
    assert "ms" in panel.locator(".ai-latency").inner_text()
    panel.locator(".ai-vertices").fill("24")  # fewer vertices, still the disc
    shot(admin_page, "ai-tools-interactor")
    admin_page.keyboard.press("n")
    ws.save()
    [shape] = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    assert shape["type"] == "polygon" and shape["source"] == "semi-auto"
    assert 3 <= len(shape["points"]) // 2 <= 24
    drawn, disc = _polygon_mask(shape["points"]), _disc_mask()
    iou = (drawn & disc).sum() / (drawn | disc).sum()
    assert iou > 0.9, iou


def test_a_tracked_box_follows_the_object(admin_page: Any, rest: Rest, agents: Any, tmp_path: Path) -> None:
    from inklab.sdk.auto_annotation.functions import template_tracker

    agents("follow", {"kind": "tracker", "supported_shape_types": ["rectangle", "points"]}, template_tracker.create())
    task = rest.create_task("square", [{"name": "box", "type": "rectangle", "color": "#22ccff"}],
                            _square_images(tmp_path), segment_size=STEPS + 1)
    job = rest.jobs(task["id"])[0]
    ws = Workspace(admin_page).open(job["id"])
    ws.tool("ai")
    panel = admin_page.locator(".ai-tools")
    panel.locator("button[data-kind=tracker]").click()
    panel.locator("button:has-text('Draw a box to track')").click()
    x, y = square_at(0)
    ws.drag((x, y), (x + SQUARE, y + SQUARE))
    admin_page.wait_for_function("() => document.querySelector('.ai-tools .ai-status').textContent.includes('Following')")
    for frame in range(1, STEPS + 1):
        admin_page.keyboard.press("f")
        admin_page.wait_for_function(f"() => document.querySelector('.ai-tools').dataset.trackedFrame === '{frame}'")
    shot(admin_page, "ai-tools-tracker")
    ws.save()
    [track] = rest.get(f"/api/jobs/{job['id']}/annotations")["tracks"]
    keyframes = {s["frame"]: s for s in track["shapes"]}
    assert sorted(keyframes) == list(range(STEPS + 1))
    for frame, shape in keyframes.items():
        x, y = square_at(frame)
        assert not shape["outside"]
        assert np.abs(np.array(shape["points"]) - [x, y, x + SQUARE, y + SQUARE]).max() <= 3, (frame, shape["points"])


def test_the_models_page_lists_functions_and_deletes_them(admin_page: Any, rest: Rest, agents: Any) -> None:
    from inklab.sdk.auto_annotation.functions import template_tracker

    served = agents("served tracker", {"kind": "tracker", "supported_shape_types": ["rectangle"]},
                    template_tracker.create())
    idle = int(rest.call("POST", "/api/functions", {"provider": "native", "name": "idle clicks", "kind": "interactor",
                                                    "min_pos_points": 1})["id"])
    admin_page.goto("/models")
    served_row = admin_page.locator(f"tr[data-function-id='{served}']")
    idle_row = admin_page.locator(f"tr[data-function-id='{idle}']")
    assert "tracker" in served_row.inner_text() and "follows rectangle" in served_row.inner_text()
    assert served_row.locator(".agents-online").inner_text() == "1"
    assert idle_row.locator(".agents-online").inner_text() == "none"
    assert "1+ positive points" in idle_row.inner_text() and "never" in idle_row.inner_text()
    shot(admin_page, "models")
    admin_page.once("dialog", lambda dialog: dialog.accept())
    idle_row.locator("button:has-text('Delete')").click()
    idle_row.wait_for(state="detached")
    rest.call("GET", f"/api/functions/{idle}", expect=404)
    assert served_row.is_visible()
