"""Launching Debian's Chromium with Playwright the way the browser tests and the UI benchmark do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "launch"]

CHROMIUM = Path("/usr/bin/chromium")
#: No sandbox (containers run as root), no GPU, nothing that phones home or updates itself.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def launch(playwright: Any) -> Any:
    """A headless Chromium from ``/usr/bin/chromium`` (``playwright install`` cannot download browsers here)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
