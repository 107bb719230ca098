"""The signature of a payload: ``X-Signature-256: sha256=<hex HMAC-SHA256 of the body>``.

The key is the webhook's secret; a receiver recomputes the HMAC over the raw body it got and
compares in constant time (:func:`verify`).
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["HEADER", "signature", "verify"]

HEADER = "X-Signature-256"


def signature(secret: str, body: bytes) -> str:
    """The header value for ``body`` signed with ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` with ``secret``."""
    return hmac.compare_digest(signature(secret, body), header)
