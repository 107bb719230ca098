"""Who may see and change quality settings and reports, decided by the task and job rules of
:mod:`inklab.server.projects.permissions`:

* a task's settings and task reports (with their conflicts) are for the task's managers
  (``is_task_manager``), who also change the settings and ask for reports;
* a job report (and its conflicts) is also visible to whoever sees the job (``visible_jobs``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.errors import Forbidden, NotFound
from inklab.server.iam.permissions import is_admin
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Task
from inklab.server.quality.models import AnnotationConflict, QualityReport, QualitySettings

__all__ = ["managed_task", "managed_tasks", "visible_conflicts", "visible_reports", "visible_settings"]


def managed_tasks(user: Any) -> QuerySet[Task]:
    """The visible tasks the user manages."""
    if is_admin(user):
        return Task.objects.all()
    visible = perms.visible_tasks(user).select_related("project")
    return Task.objects.filter(pk__in=[task.pk for task in visible if perms.is_task_manager(user, task)])


def managed_task(user: Any, task_id: int, field: str = "task_id") -> Task:
    """The task ``task_id``: a 404 naming ``field`` if invisible, a 403 unless the user manages it."""
    try:
        task = perms.visible_task(user, task_id)
    except NotFound:
        raise NotFound({field: [f"Task {task_id} does not exist or is not visible to you."]}) from None
    if not perms.is_task_manager(user, task):
        raise Forbidden(f"Only the managers of task {task_id} may see and change its quality settings and "
                        "reports.")
    return task


def visible_settings(user: Any) -> QuerySet[QualitySettings]:
    return QualitySettings.objects.filter(task__in=managed_tasks(user).values("pk"))


def visible_reports(user: Any) -> QuerySet[QualityReport]:
    return QualityReport.objects.filter(
        Q(task__in=managed_tasks(user).values("pk"))
        | Q(job__isnull=False, job__in=perms.visible_jobs(user).values("pk")))


def visible_conflicts(user: Any) -> QuerySet[AnnotationConflict]:
    return AnnotationConflict.objects.filter(report__in=visible_reports(user).values("pk"))
