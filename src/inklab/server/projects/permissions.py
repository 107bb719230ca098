"""Who may see and change projects, tasks, jobs and labels.

Rules (admins – staff or superusers – may do everything):

* a **project** is managed by its owner and assignee; it is visible to them and to anyone who
  can see one of its tasks;
* a **task** is managed by its owner and assignee and by its project's managers; it is
  visible to them and to the assignees of its jobs;
* a **job** is visible to its task's managers and to its assignee, who may annotate it and
  change its state; only managers reassign it;
* reading or exporting a **whole task** (its annotations, dataset, backup) is for the task's
  managers, as in CVAT; a job's assignee reads and exports their job. The task's frames and
  frame meta are read through a :class:`FrameWindow`: all frames for managers, the frames of
  their jobs for job assignees (:func:`readable_frames`);
* exporting a project is for its managers;
* only owners (of the task, or of its project) and admins delete;
* users create projects and tasks they own; only admins create them for another owner.

List endpoints filter with the ``visible_*`` querysets, so nothing leaks into list results;
a request for an invisible object is answered 404 (:func:`visible_task` and its kin raise
:class:`NotFound`), a forbidden change on a visible one 403.

Other apps may let a user *read* more (never change anything) through
:func:`grant_task_reading`: e.g. the functions app lets an agent read the task, or only the
job, it annotates. A grant of one job shows that job and the task's record and labels, and
widens the user's frame window by the job's frames; it shows no other job of the task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.errors import Forbidden, NotFound
from inklab.server.iam.permissions import is_admin
from inklab.server.projects.models import Job, Label, Project, Task

__all__ = [
    "WHOLE_TASK",
    "FrameWindow",
    "check_annotate_job",
    "check_create_for",
    "check_delete_project",
    "check_delete_task",
    "check_export",
    "check_manage_project",
    "check_manage_task",
    "check_read_task",
    "grant_task_reading",
    "is_project_manager",
    "is_task_manager",
    "managed_projects",
    "readable_frames",
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
    """Register ``provider(user)``: a queryset of rows with ``task_id`` and ``job_id`` that the
    user may also read: the whole task where ``job_id`` is null, else that job of it only.

    A second registration under the same name is an error.
    """

    def register(provider: TaskGrant) -> TaskGrant:
        if name in _GRANTS:
            raise ValueError(f"A task reading grant named '{name}' is already registered.")
        _GRANTS[name] = provider
        return provider

    return register


def _granted_q(user: Any, field: str, *, whole_tasks: bool = False) -> Q:
    """``field`` among the granted task ids (only those granted whole, with ``whole_tasks``)."""
    query = Q()
    for provider in _GRANTS.values():
        rows = provider(user)
        if whole_tasks:
            rows = rows.filter(job_id__isnull=True)
        query |= Q(**{f"{field}__in": rows.values("task_id")})
    return query


def _granted_jobs_q(user: Any) -> Q:
    query = Q()
    for provider in _GRANTS.values():
        query |= Q(pk__in=provider(user).filter(job_id__isnull=False).values("job_id"))
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
    return Job.objects.filter(_task_manager_q(user, "task__") | Q(assignee=user)
                              | _granted_q(user, "task_id", whole_tasks=True) | _granted_jobs_q(user))


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


def managed_projects(user: Any) -> QuerySet[Project]:
    """The projects ``user`` manages (owns or is assigned to; every project for admins)."""
    if is_admin(user):
        return Project.objects.all()
    return Project.objects.filter(Q(owner=user) | Q(assignee=user))


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


def check_read_task(user: Any, task: Task) -> None:
    """Reading or exporting all of a task's annotations (or its backup) is for its managers."""
    if not is_task_manager(user, task):
        raise Forbidden(f"Only the managers of task {task.pk} (its owner or assignee, its project's owner or "
                        "assignee) or an administrator may read or export the whole task; a job's assignee "
                        "reads and exports their job (/api/jobs/{id}/...).")


def check_export(user: Any, target: Project | Task | Job) -> None:
    """Exporting a dataset: a project's or task's managers, or a job's assignee for that job."""
    if isinstance(target, Project):
        if not is_project_manager(user, target):
            raise Forbidden(f"Only the owner or assignee of project {target.pk} or an administrator may "
                            "export it.")
    elif isinstance(target, Task):
        check_read_task(user, target)
    elif not (target.assignee_id == user.pk or is_task_manager(user, target.task)):
        raise Forbidden(f"Only the assignee of job {target.pk} or its task's managers may export it.")


@dataclass(frozen=True)
class FrameWindow:
    """The frames of one task a user may read: every frame (``ranges`` is None), or those in
    ``ranges`` (inclusive ``(start, stop)`` pairs, one per job)."""

    ranges: tuple[tuple[int, int], ...] | None = None

    @property
    def is_whole(self) -> bool:
        return self.ranges is None

    def __contains__(self, number: object) -> bool:
        if self.ranges is None:
            return True
        return isinstance(number, int) and any(start <= number <= stop for start, stop in self.ranges)


WHOLE_TASK = FrameWindow()


def readable_frames(user: Any, task: Task) -> FrameWindow:
    """Which frames of a visible ``task`` the user may read; :class:`Forbidden` if none."""
    if is_task_manager(user, task):
        return WHOLE_TASK
    granted: set[int | None] = set()
    for provider in _GRANTS.values():
        granted.update(provider(user).filter(task_id=task.pk).values_list("job_id", flat=True))
    if None in granted:
        return WHOLE_TASK
    jobs = Job.objects.filter(Q(task=task) & (Q(assignee=user) | Q(pk__in=granted))).order_by("start_frame")
    ranges = tuple(jobs.values_list("start_frame", "stop_frame"))
    if not ranges:
        raise Forbidden(f"You may not read the frames of task {task.pk}.")
    return FrameWindow(ranges)
