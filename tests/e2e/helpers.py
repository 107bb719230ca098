"""Driving the annotation workspace with the mouse and keyboard, in image coordinates."""

from __future__ import annotations

from typing import Any


class Workspace:
    """The workspace of one job in a Playwright page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.canvas = page.locator("canvas.annotation-canvas")

    def open(self, job_id: int, frame: int | None = None) -> Workspace:
        self.page.goto(f"/jobs/{job_id}" + (f"?frame={frame}" if frame is not None else ""))
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        self.page.wait_for_selector(".workspace[data-ready=true]")
        self.page.wait_for_function("() => !document.querySelector('.workspace.frame-loading')")

    def next_frame(self) -> None:
        """Wait until the page has drawn (two animation frames: input handled, then painted)."""
        self.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")

    @property
    def view(self) -> tuple[float, float, float]:
        """(scale, x, y) of the image on the canvas, after any pending redraw."""
        self.next_frame()
        scale, x, y = (float(v) for v in self.canvas.get_attribute("data-view").split(","))
        return scale, x, y

    def screen(self, x: float, y: float) -> tuple[float, float]:
        """Page coordinates of image pixel (x, y)."""
        box = self.canvas.bounding_box()
        scale, vx, vy = self.view
        return box["x"] + vx + x * scale, box["y"] + vy + y * scale

    def tool(self, name: str) -> None:
        self.page.click(f"button[data-tool={name}]")

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 6) -> None:
        self.page.mouse.move(*self.screen(*start))
        self.page.mouse.down()
        self.page.mouse.move(*self.screen(*end), steps=steps)
        self.page.mouse.up()

    def click(self, x: float, y: float, **kwargs: Any) -> None:
        self.page.mouse.click(*self.screen(x, y), **kwargs)

    def draw_box(self, tool: str, start: tuple[float, float], end: tuple[float, float]) -> None:
        self.tool(tool)
        self.drag(start, end)

    def draw_vertices(self, tool: str, points: list[tuple[float, float]], finish: str = "n") -> None:
        self.tool(tool)
        for point in points:
            self.click(*point)
        self.page.keyboard.press(finish)

    def save(self) -> None:
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function("() => document.querySelector('.workspace').dataset.dirty === 'false'"
                                    " && !document.querySelector('.save-button').disabled")

    @property
    def dirty(self) -> bool:
        return self.page.locator(".workspace").get_attribute("data-dirty") == "true"

    def rows(self) -> Any:
        return self.page.locator(".object-row")

    def frame_number(self) -> int:
        return int(self.page.locator(".frame-number").input_value())

    def card(self) -> Any:
        return self.page.locator(".object-card")
