"""A JSON parser backed by orjson that treats an empty body as ``{}``.

The SDK sends POST requests with ``Content-Type: application/json`` and no body
(upload control requests, export initiation, logout). Every JSON body of the API is an
object; anything else (a list, a number) is a 400 here, before a view reads it.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import parsers
from rest_framework.exceptions import ParseError

__all__ = ["JSONParser"]


class JSONParser(parsers.BaseParser):
    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"Malformed JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ParseError(f"The body must be a JSON object, not {type(data).__name__}.")
        return data
