"""JSON renderers backed by orjson.

The CVAT clients send ``Accept: application/vnd.cvat+json``; a stock DRF setup answers
406 to that, so the same renderer is registered under both media types.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import orjson
from rest_framework import renderers

__all__ = ["CvatJSONRenderer", "JSONRenderer", "dumps", "format_datetime"]

_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_datetime(value: datetime.datetime) -> str:
    """Format an aware datetime the one way the API uses everywhere (UTC, microseconds, Z)."""
    return value.astimezone(datetime.UTC).strftime(_DATETIME_FORMAT)


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return list(value)
    # Lazy translation strings and other str-like objects.
    return str(value)


def dumps(data: Any) -> bytes:
    """Serialize API data to JSON bytes, datetimes formatted by :func:`format_datetime`."""
    return orjson.dumps(data, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS)


class JSONRenderer(renderers.BaseRenderer):
    """Render JSON with orjson (several times faster than the standard library)."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if isinstance(data, bytes):
            # Pre-serialized bodies (annotation payloads assembled from stored JSON).
            return data
        return dumps(data)


class CvatJSONRenderer(JSONRenderer):
    """The same JSON under CVAT's vendor media type."""

    media_type = "application/vnd.cvat+json"
