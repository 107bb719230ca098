"""Request fields the server does not support are refused (400 naming them), never dropped.

:class:`StrictFields` is the one mechanism: mixed into every serializer that reads a request
body, it refuses

* any field the serializer does not declare as writable (DRF's default is to ignore it), and
* declared fields listed in ``unsupported`` (a CVAT field inklab accepts in its schema but does
  not implement) when they carry a value that asks for something: anything but ``None``,
  ``0``, ``""``, ``[]`` or ``{}``, which are what clients send to mean "nothing".

Bodies read without a serializer check their keys with :func:`refuse_unknown`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from rest_framework import serializers

__all__ = ["NOT_SUPPORTED", "NO_CONSENSUS", "NO_ORGANIZATIONS",
           "StrictFields", "asks_for_something", "refuse_unknown"]

NOT_SUPPORTED = "This field is not supported by this server."
NO_ORGANIZATIONS = ("An object's organization is not set in the body: send the request in the organization's "
                    "context (the X-Organization header or ?org=slug), or without one for the personal workspace.")
NO_CONSENSUS = "Consensus jobs are not supported by this server."


def asks_for_something(value: Any) -> bool:
    return value not in (None, 0, "", [], {})


def refuse_unknown(data: Mapping[str, Any], known: Iterable[str], unsupported: Mapping[str, str] | None = None) -> None:
    """:class:`~rest_framework.exceptions.ValidationError` naming the keys of ``data`` outside
    ``known``, and those of ``unsupported`` (name: reason) that carry a value."""
    known = set(known)
    errors = {key: [NOT_SUPPORTED] for key in data if key not in known}
    for key, reason in (unsupported or {}).items():
        if key in data and asks_for_something(data[key]):
            errors[key] = [reason]
    if errors:
        raise serializers.ValidationError(dict(sorted(errors.items())))


class StrictFields:
    """Mix into a (Model)Serializer, before the DRF base, to refuse fields it would drop."""

    #: declared fields that inklab does not implement: field name -> the message for a value
    unsupported: ClassVar[dict[str, str]] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            fields = self.fields  # type: ignore[attr-defined]
            refuse_unknown(data, (name for name, field in fields.items() if not field.read_only), self.unsupported)
        return super().to_internal_value(data)  # type: ignore[misc]
