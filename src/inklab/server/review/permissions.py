"""Who may see and change issues and comments.

Every decision is made by the job rules of :mod:`inklab.server.projects.permissions`, so a change
there (organizations, roles) flows into review:

* an issue (and its comments) is visible to whoever may see its job (``visible_jobs``);
* opening an issue, or commenting on one, is for those who may work on the job
  (``check_annotate_job``: its assignee, the task's managers, administrators);
* changing an issue (resolving, reopening, moving, reassigning) is for the issue's owner and
  assignee and for those who may work on the job;
* deleting an issue is for its owner and the task's managers;
* a comment is edited by its author only and deleted by its author or the task's managers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from inklab.server.errors import Forbidden, NotFound
from inklab.server.iam.permissions import is_admin
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job
from inklab.server.review.models import Comment, Issue

__all__ = [
    "check_change_issue",
    "check_comment",
    "check_delete_comment",
    "check_delete_issue",
    "check_edit_comment",
    "check_open_issue",
    "visible_comments",
    "visible_issues",
    "visible_job_for_issue",
]


def visible_issues(user: Any) -> QuerySet[Issue]:
    return Issue.objects.filter(job__in=perms.visible_jobs(user).values("pk"))


def visible_comments(user: Any) -> QuerySet[Comment]:
    return Comment.objects.filter(issue__job__in=perms.visible_jobs(user).values("pk"))


def visible_job_for_issue(user: Any, job_id: int, field: str = "job") -> Job:
    """The job an issue is opened on; a 404 naming ``field`` if the user may not see it."""
    try:
        return perms.visible_job(user, job_id)
    except NotFound:
        raise NotFound({field: [f"Job {job_id} does not exist or is not visible to you."]}) from None


def check_open_issue(user: Any, job: Job) -> None:
    try:
        perms.check_annotate_job(user, job)
    except Forbidden:
        raise Forbidden(f"Only the assignee of job {job.pk} or its task's managers may open issues on it.") from None


def check_change_issue(user: Any, issue: Issue) -> None:
    if user.pk in {issue.owner_id, issue.assignee_id}:
        return
    try:
        perms.check_annotate_job(user, issue.job)
    except Forbidden:
        raise Forbidden(f"Only the owner or assignee of issue {issue.pk}, the job's assignee or the task's "
                        "managers may change it.") from None


def check_delete_issue(user: Any, issue: Issue) -> None:
    if not (issue.owner_id == user.pk or perms.is_task_manager(user, issue.job.task)):
        raise Forbidden(f"Only the owner of issue {issue.pk} or the task's managers may delete it.")


def check_comment(user: Any, issue: Issue) -> None:
    if user.pk in {issue.owner_id, issue.assignee_id}:
        return
    try:
        perms.check_annotate_job(user, issue.job)
    except Forbidden:
        raise Forbidden(f"Only those who work on job {issue.job_id} may comment on its issues.") from None


def check_edit_comment(user: Any, comment: Comment) -> None:
    if not (comment.owner_id == user.pk or is_admin(user)):
        raise Forbidden(f"Only the author of comment {comment.pk} may edit it.")


def check_delete_comment(user: Any, comment: Comment) -> None:
    if not (comment.owner_id == user.pk or perms.is_task_manager(user, comment.issue.job.task)):
        raise Forbidden(f"Only the author of comment {comment.pk} or the task's managers may delete it.")
