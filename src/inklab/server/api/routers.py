"""A router whose routes match with and without a trailing slash (CVAT's clients use both)."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import SimpleRouter

__all__ = ["Router"]


class Router(SimpleRouter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trailing_slash = "/?"
