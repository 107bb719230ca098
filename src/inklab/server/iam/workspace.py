"""The workspace of a request: inklab has only the personal one (no organizations yet).

The official clients name an organization with the ``X-Organization`` header (cvat-sdk's
``client.organization_slug``, cvat-cli's ``--org``) or the ``org`` / ``org_id`` query
parameters. An empty value means the personal workspace and is accepted; any other value is
refused with a 400 naming where it came from, rather than ignored: a task created "in an
organization" must not silently land in someone's personal workspace.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.server.api.strict import NO_ORGANIZATIONS

__all__ = ["check_personal_workspace"]


def check_personal_workspace(request: Any) -> None:
    """:class:`~rest_framework.exceptions.ValidationError` if ``request`` names an organization."""
    named = {}
    header = request.headers.get("X-Organization", "").strip()
    if header:
        named["X-Organization"] = header
    for param in ("org", "org_id"):
        value = request.query_params.get(param, "").strip()
        if value:
            named[param] = value
    if named:
        raise serializers.ValidationError({
            where: [f"{NO_ORGANIZATIONS} Got '{value[:64]}'."] for where, value in sorted(named.items())})
