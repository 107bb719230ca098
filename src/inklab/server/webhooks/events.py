"""The vocabulary of webhooks: their types, content types and events (CVAT's names).

An event is ``<action>:<resource>``. A project webhook hears what happens inside its project
(the project itself, its tasks and jobs, their issues and comments); an organization webhook
hears everything in its organization, including the organization's memberships and invitations.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EVENTS", "PING", "WebhookContentType", "WebhookType", "events_for"]


class WebhookType(StrEnum):
    ORGANIZATION = "organization"
    PROJECT = "project"


class WebhookContentType(StrEnum):
    JSON = "application/json"


#: the event of a ping (``POST /api/webhooks/{id}/ping``), never subscribed to
PING = "ping"

#: every event a webhook may subscribe to, in CVAT's spelling
EVENTS: tuple[str, ...] = tuple(sorted(
    [f"{action}:{resource}" for resource in ("project", "task", "job", "issue", "comment", "membership")
     for action in ("create", "update", "delete")]
    # No delete:organization: an organization's webhooks are deleted with it.
    + ["create:invitation", "delete:invitation", "update:organization"]
))

_PROJECT_RESOURCES = ("project", "task", "job", "issue", "comment")
_PROJECT_LIFETIME = frozenset({"create:project", "delete:project"})


def events_for(webhook_type: WebhookType) -> tuple[str, ...]:
    """The events a webhook of ``webhook_type`` may subscribe to, sorted.

    A project webhook exists only while its project does, so it hears neither ``create:project``
    nor ``delete:project`` (it is deleted with its project; an organization webhook hears both).
    """
    if webhook_type == WebhookType.ORGANIZATION:
        return EVENTS
    return tuple(event for event in EVENTS
                 if event.split(":")[1] in _PROJECT_RESOURCES and event not in _PROJECT_LIFETIME)
