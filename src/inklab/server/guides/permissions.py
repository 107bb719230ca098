"""Who may read and change guides and their assets, by the rules of
:mod:`inklab.server.projects.permissions`: whoever sees the project or task reads its guide
(a job's assignee included); its managers write it. An invisible guide or asset is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.errors import InvalidInput
from inklab.server.guides.models import AnnotationGuide
from inklab.server.projects import permissions as project_perms
from inklab.server.projects.models import Project, Task

__all__ = ["check_manage_guide", "guide_target", "visible_guides"]


def visible_guides(user: Any) -> QuerySet[AnnotationGuide]:
    return AnnotationGuide.objects.filter(
        Q(project__in=project_perms.visible_projects(user).values("pk"))
        | Q(task__in=project_perms.visible_tasks(user).values("pk")))


def guide_target(user: Any, project_id: int | None, task_id: int | None) -> Project | Task:
    """The project or task a new guide belongs to (exactly one id): visible (else 404) and
    managed by ``user`` (else 403)."""
    if (project_id is None) == (task_id is None):
        raise InvalidInput({"project_id": ["A guide belongs to a project or to a task: send exactly one of "
                                           "project_id and task_id."]})
    if project_id is not None:
        project = project_perms.visible_project(user, project_id)
        project_perms.check_manage_project(user, project)
        return project
    task = project_perms.visible_task(user, task_id)
    project_perms.check_manage_task(user, task)
    return task


def check_manage_guide(user: Any, guide: AnnotationGuide) -> None:
    if guide.project is not None:
        project_perms.check_manage_project(user, guide.project)
    else:
        project_perms.check_manage_task(user, guide.task)
