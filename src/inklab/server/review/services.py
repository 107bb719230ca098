"""Opening, changing and deleting issues and comments (no HTTP here).

Functions take the acting user and validated serializer data, check the rules of
:mod:`inklab.server.review.permissions` and raise :mod:`inklab.server.errors` exceptions. A
change to a job's issues bumps the job's ``updated_date``: its payload counts them.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from inklab.server.errors import InvalidInput
from inklab.server.projects.models import Job, touch
from inklab.server.projects.signals import changed, changing
from inklab.server.review import permissions as rperms
from inklab.server.review.models import Comment, Issue
from inklab.vocabulary import JobType

__all__ = ["MAX_POSITION", "add_comment", "check_position", "delete_comment", "delete_issue", "edit_comment", "open_issue", "update_issue"]

#: the most coordinates an issue's region may have (500 points)
MAX_POSITION = 1000


def _assignee(user_id: int | None) -> Any:
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidInput({"assignee": [f"There is no active user with id {user_id}."]})
    return user


def check_position(position: list[float]) -> list[float]:
    """A region: an even number (4 to :data:`MAX_POSITION`) of finite coordinates."""
    if len(position) < 4 or len(position) % 2 or len(position) > MAX_POSITION:
        raise InvalidInput({"position": [f"A region needs 2 to {MAX_POSITION // 2} points: an even number of "
                                         f"coordinates [x1, y1, x2, y2, ...], got {len(position)}."]})
    values = [float(value) for value in position]
    if not all(math.isfinite(value) for value in values):
        raise InvalidInput({"position": ["Coordinates must be finite numbers."]})
    return values


def _check_frame(job: Job, frame: int) -> None:
    if job.type == JobType.GROUND_TRUTH and frame not in job.frames:
        raise InvalidInput({"frame": [f"Frame {frame} is not a frame of ground-truth job {job.pk}."]})
    if not job.start_frame <= frame <= job.stop_frame:
        raise InvalidInput({"frame": [f"Frame {frame} is not a frame of job {job.pk} "
                                      f"({job.start_frame}-{job.stop_frame})."]})


@transaction.atomic
def open_issue(user: Any, data: dict[str, Any]) -> Issue:
    """Open an issue on ``data['job']`` with ``data['message']`` as its first comment."""
    job = rperms.visible_job_for_issue(user, data["job"])
    rperms.check_open_issue(user, job)
    _check_frame(job, data["frame"])
    now = timezone.now()
    issue = Issue.objects.create(job=job, frame=data["frame"], position=check_position(data["position"]),
                                 owner=user, assignee=_assignee(data.get("assignee")),
                                 resolved=data.get("resolved", False), created_date=now, updated_date=now)
    Comment.objects.create(issue=issue, owner=user, message=data["message"], created_date=now, updated_date=now)
    touch(job)
    changed.send(sender=Issue, instance=issue, user=user, action="create")
    return issue


@transaction.atomic
def update_issue(user: Any, issue: Issue, data: dict[str, Any]) -> Issue:
    rperms.check_change_issue(user, issue)
    changing.send(sender=Issue, instance=issue)
    if "position" in data:
        issue.position = check_position(data["position"])
    if "assignee" in data:
        issue.assignee = _assignee(data["assignee"])
    if "resolved" in data:
        issue.resolved = data["resolved"]
    issue.save()
    touch(issue, issue.job)
    changed.send(sender=Issue, instance=issue, user=user, action="update")
    return issue


@transaction.atomic
def delete_issue(user: Any, issue: Issue) -> None:
    rperms.check_delete_issue(user, issue)
    job = issue.job
    changed.send(sender=Issue, instance=issue, user=user, action="delete")
    issue.delete()
    touch(job)


@transaction.atomic
def add_comment(user: Any, issue: Issue, message: str) -> Comment:
    rperms.check_comment(user, issue)
    now = timezone.now()
    comment = Comment.objects.create(issue=issue, owner=user, message=message, created_date=now, updated_date=now)
    touch(issue)
    changed.send(sender=Comment, instance=comment, user=user, action="create")
    return comment


@transaction.atomic
def edit_comment(user: Any, comment: Comment, message: str) -> Comment:
    rperms.check_edit_comment(user, comment)
    changing.send(sender=Comment, instance=comment)
    comment.message = message
    comment.save(update_fields=["message"])
    touch(comment, comment.issue)
    changed.send(sender=Comment, instance=comment, user=user, action="update")
    return comment


@transaction.atomic
def delete_comment(user: Any, comment: Comment) -> None:
    rperms.check_delete_comment(user, comment)
    issue = comment.issue
    changed.send(sender=Comment, instance=comment, user=user, action="delete")
    comment.delete()
    touch(issue)
