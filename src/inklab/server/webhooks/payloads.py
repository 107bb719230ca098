"""The bodies webhooks send, in CVAT's shape.

An event's payload is ``{"event": "update:task", "task": {...}, "before_update": {...},
"webhook_id": 1, "sender": {...}}``: the resource as the API shows it (its read serializer), the
old values of the fields that changed (updates only), the webhook and the user who acted. A ping
carries ``{"event": "ping", "webhook": {...}, "sender": {...}}``.
"""

from __future__ import annotations

import json
from typing import Any

from inklab.server.iam.models import Invitation, Membership, Organization
from inklab.server.iam.organization_serializers import (
    InvitationReadSerializer,
    MembershipReadSerializer,
    OrganizationReadSerializer,
)
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.server.projects.models import Job, Project, Task
from inklab.server.projects.serializers import JobReadSerializer, ProjectReadSerializer, TaskReadSerializer
from inklab.server.review.models import Comment, Issue
from inklab.server.review.serializers import CommentReadSerializer, IssueReadSerializer

__all__ = ["Resource", "changes", "encode", "resource_name", "sender", "snapshot"]

_SERIALIZERS: dict[type, Any] = {Project: ProjectReadSerializer, Task: TaskReadSerializer, Job: JobReadSerializer,
                                 Issue: IssueReadSerializer, Comment: CommentReadSerializer,
                                 Organization: OrganizationReadSerializer, Membership: MembershipReadSerializer,
                                 Invitation: InvitationReadSerializer}
#: what an event may be about
Resource = Project | Task | Job | Issue | Comment | Organization | Membership | Invitation
#: fields whose change alone is no news (they move with every change)
_QUIET = frozenset({"updated_date"})


def resource_name(instance: Resource) -> str:
    """``project``, ``task``, ``job``, ``issue``, ``comment``, ``organization``, ``membership`` or
    ``invitation``: the resource part of an event name and the payload key."""
    return type(instance).__name__.lower()


def snapshot(instance: Resource) -> dict[str, Any]:
    """The resource as the API shows it (URLs relative to the server), made JSON-safe."""
    data = _SERIALIZERS[type(instance)](instance, context={}).data
    return json.loads(json.dumps(data, default=str))  # type: ignore[no-any-return]


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The old values of the fields whose value differs between two snapshots."""
    return {key: value for key, value in before.items()
            if key not in _QUIET and after.get(key) != value}


def sender(user: Any) -> dict[str, Any] | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return dict(BasicUserSerializer(user).data)


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed)."""
    return json.dumps(payload, separators=(",", ":"), default=str).encode("utf-8")
