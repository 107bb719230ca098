"""Who may see and change projects, tasks, jobs and labels.

Rules (admins – staff or superusers – may do everything):

* a **project** is managed by its owner and assignee; it is visible to them and to anyone who
  can see one of its tasks;
* a **task** is managed by its owner and assignee and by its project's managers; it is
  visible to them and to the assignees of its jobs;
* a **job** is visible to its task's managers and to its assignee, who may annotate it and
  change its state; only managers reassign it;
* only owners (of the task, or of its project) and admins delete;
* users create projects and tasks they own; only admins create them for another owner.

List endpoints filter with the ``visible_*`` querysets, so nothing leaks into list results;
a request for an invisible object is answered 404 (:func:`visible_task` and its kin raise
:class:`NotFound`), a forbidden change on a visible one 403.

Other apps may let a user *read* more tasks (never change them) through
:func:`grant_task_reading`: e.g. the functions app lets an agent read the task it annotates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.errors import Forbidden, NotFound
from inklab.server.iam.permissions import is_admin
from inklab.server.projects.models import Job, Label, Project, Task

__all__ = [
    "check_annotate_job",
    "check_create_for",
    "check_delete_project",
    "check_delete_task",
    "check_manage_project",
    "check_manage_task",
    "grant_task_reading",
    "is_task_manager",
    "visible_job",
    "visible_jobs",
    "visible_labels",
    "visible_project",
    "visible_projects",
    "visible_task",
    "visible_tasks",
]


def _task_manager_q(user: Any, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}assignee": user})
            | Q(**{f"{prefix}project__owner": user}) | Q(**{f"{prefix}project__assignee": user}))


TaskGrant = Callable[[Any], QuerySet[Any]]
_GRANTS: dict[str, TaskGrant] = {}


def grant_task_reading(name: str) -> Callable[[TaskGrant], TaskGrant]:
    """Register ``provider(user)``: a queryset of ``task_id`` values the user may also read.

    A second registration under the same name is an error.
    """

    def register(provider: TaskGrant) -> TaskGrant:
        if name in _GRANTS:
            raise ValueError(f"A task reading grant named '{name}' is already registered.")
        _GRANTS[name] = provider
        return provider

    return register


def _granted_q(user: Any, field: str) -> Q:
    query = Q()
    for provider in _GRANTS.values():
        query |= Q(**{f"{field}__in": provider(user)})
    return query


def visible_tasks(user: Any) -> QuerySet[Task]:
    if is_admin(user):
        return Task.objects.all()
    job_tasks = Job.objects.filter(assignee=user).values("task_id")
    return Task.objects.filter(_task_manager_q(user) | Q(pk__in=job_tasks) | _granted_q(user, "pk"))


def visible_projects(user: Any) -> QuerySet[Project]:
    if is_admin(user):
        return Project.objects.all()
    task_projects = visible_tasks(user).filter(project__isnull=False).values("project_id")
    return Project.objects.filter(Q(owner=user) | Q(assignee=user) | Q(pk__in=task_projects))


def visible_jobs(user: Any) -> QuerySet[Job]:
    if is_admin(user):
        return Job.objects.all()
    return Job.objects.filter(_task_manager_q(user, "task__") | Q(assignee=user) | _granted_q(user, "task_id"))


def visible_labels(user: Any) -> QuerySet[Label]:
    if is_admin(user):
        return Label.objects.all()
    return Label.objects.filter(
        Q(project__in=visible_projects(user).values("pk")) | Q(task__in=visible_tasks(user).values("pk"))
    )


def visible_task(user: Any, pk: Any) -> Task:
    """The task ``pk`` (its project loaded too); :class:`NotFound` if the user may not see it."""
    task = visible_tasks(user).filter(pk=pk).select_related("project").first()
    if task is None:
        raise NotFound(f"Task {pk} does not exist or is not visible to you.")
    return task


def visible_job(user: Any, pk: Any) -> Job:
    """The job ``pk`` (its task and project loaded too); :class:`NotFound` if the user may not see it."""
    job = visible_jobs(user).filter(pk=pk).select_related("task", "task__project").first()
    if job is None:
        raise NotFound(f"Job {pk} does not exist or is not visible to you.")
    return job


def visible_project(user: Any, pk: Any) -> Project:
    """The project ``pk``; :class:`NotFound` if the user may not see it."""
    project = visible_projects(user).filter(pk=pk).first()
    if project is None:
        raise NotFound(f"Project {pk} does not exist or is not visible to you.")
    return project


def is_project_manager(user: Any, project: Project) -> bool:
    return is_admin(user) or user.pk in {project.owner_id, project.assignee_id}


def is_task_manager(user: Any, task: Task) -> bool:
    if is_admin(user) or user.pk in {task.owner_id, task.assignee_id}:
        return True
    return task.project is not None and is_project_manager(user, task.project)


def check_manage_project(user: Any, project: Project) -> None:
    if not is_project_manager(user, project):
        raise Forbidden("Only the project's owner, its assignee or an administrator may change it.")


def check_create_for(user: Any, owner_id: int | None) -> None:
    """Raise ``Forbidden`` when a non-admin names another user as the owner of a new object."""
    if owner_id is not None and owner_id != user.pk and not is_admin(user):
        raise Forbidden({"owner_id": ["Only an administrator may create an object owned by another user."]})


def check_delete_project(user: Any, project: Project) -> None:
    if not (is_admin(user) or project.owner_id == user.pk):
        raise Forbidden("Only the project's owner or an administrator may delete it.")


def check_manage_task(user: Any, task: Task) -> None:
    if not is_task_manager(user, task):
        raise Forbidden("Only the task's owner or assignee, its project's managers or an administrator "
                        "may change it.")


def check_delete_task(user: Any, task: Task) -> None:
    owners = {task.owner_id, task.project.owner_id if task.project else None}
    if not (is_admin(user) or user.pk in owners):
        raise Forbidden("Only the task's owner, its project's owner or an administrator may delete it.")


def check_annotate_job(user: Any, job: Job) -> None:
    if not (job.assignee_id == user.pk or is_task_manager(user, job.task)):
        raise Forbidden("Only the job's assignee or the task's managers may change this job.")
