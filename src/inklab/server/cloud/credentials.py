"""Cloud credentials encrypted at rest (Fernet: AES-128-CBC with an HMAC).

The key is ``INKLAB_CREDENTIALS_KEY`` (a Fernet key) when set, else derived from the server's
``SECRET_KEY``: rotating the secret key makes stored credentials unreadable (they must be
entered again), which :func:`decrypt` reports as :class:`UnreadableCredentials`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

__all__ = ["UnreadableCredentials", "decrypt", "encrypt"]


class UnreadableCredentials(Exception):
    """The stored credentials were encrypted with another key."""


def _fernet() -> Fernet:
    configured = os.environ.get("INKLAB_CREDENTIALS_KEY")
    if configured:
        return Fernet(configured.encode())
    digest = hashlib.sha256(b"inklab cloud credentials\x00" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(credentials: Mapping[str, str]) -> str:
    """The credentials (name: secret) as an encrypted token ("" when there are none)."""
    values = {k: v for k, v in credentials.items() if v}
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except InvalidToken as exc:
        raise UnreadableCredentials("the stored credentials cannot be decrypted with this server's key") from exc
