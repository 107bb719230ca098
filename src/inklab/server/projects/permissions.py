"""Who may see and change projects, tasks, jobs and labels: the rules table of
:mod:`inklab.server.iam.rules` applied to these models.

For each resource, a user's relations to one object (owner, assignee, project owner, role in its
organization, ...) are computed for object checks, and the same relations are database filters
for lists (the ``visible_*`` querysets), both read from the one table. In an organization only
its active members (and administrators) hold any relation to its objects.

* reading or exporting a **whole task** (its annotations, dataset, backup) is for those who may
  change it (the task's managers), as in CVAT; a job's assignee reads and exports their job. The
  task's frames and frame meta are read through a :class:`FrameWindow`: all frames for managers,
  the frames of their jobs for job assignees (:func:`readable_frames`);
* users create projects and tasks they own (in an organization, supervisors and above); only
  admins create them for another owner.

List endpoints filter with the ``visible_*`` querysets, so nothing leaks into list results;
a request for an invisible object is answered 404 (:func:`visible_task` and its kin raise
:class:`NotFound`), a forbidden change on a visible one 403.

Other apps may let a user *read* more (never change anything) through
:func:`grant_task_reading`: e.g. the functions app lets an agent read the task, or only the
job, it annotates. A grant of one job shows that job and the task's record and labels, and
widens the user's frame window by the job's frames; it shows no other job of the task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.errors import Forbidden, NotFound
from inklab.server.iam.context import OrgContext
from inklab.server.iam.permissions import is_admin, member_q, object_relations, org_relations, role_q
from inklab.server.iam.permissions import org_role as org_role_of
from inklab.server.iam.rules import Action, Resource, Who, allowed, role_relations, who_may
from inklab.server.projects.models import Job, Label, Project, Task
from inklab.vocabulary import OrganizationRole

__all__ = [
    "JOB_FIELD_ACTIONS",
    "WHOLE_TASK",
    "FrameWindow",
    "check_annotate_job",
    "check_create",
    "check_create_for",
    "check_delete_project",
    "check_delete_task",
    "check_export",
    "check_job_fields",
    "check_manage_project",
    "check_manage_task",
    "check_read_task",
    "grant_task_reading",
    "is_project_manager",
    "is_task_manager",
    "job_relations",
    "managed_projects",
    "project_relations",
    "readable_frames",
    "task_relations",
    "visible_job",
    "visible_jobs",
    "visible_labels",
    "visible_project",
    "visible_projects",
    "visible_task",
    "visible_tasks",
]

_MAINTAINER = OrganizationRole.MAINTAINER


# --- relations of a user to one object --------------------------------------------------------

def project_relations(user: Any, project: Project) -> set[Who]:
    """The user's relations to ``project`` (without :attr:`Who.TASK_VIEWER`, a list-only one)."""
    return object_relations(user, project.organization_id, {
        Who.OWNER: project.owner_id == user.pk, Who.ASSIGNEE: project.assignee_id == user.pk})


def task_relations(user: Any, task: Task) -> set[Who]:
    """The user's relations to ``task`` (without :attr:`Who.JOB_ASSIGNEE`, a list-only one)."""
    project = task.project if task.project_id else None
    return object_relations(user, task.organization_id, {
        Who.OWNER: task.owner_id == user.pk, Who.ASSIGNEE: task.assignee_id == user.pk,
        Who.PROJECT_OWNER: project is not None and project.owner_id == user.pk,
        Who.PROJECT_ASSIGNEE: project is not None and project.assignee_id == user.pk})


def job_relations(user: Any, job: Job) -> set[Who]:
    relations = task_relations(user, job.task)
    if allowed(Resource.TASK, Action.CHANGE, relations):
        relations.add(Who.TASK_MANAGER)
    if job.assignee_id == user.pk and (relations or org_relations(user, job.task.organization_id)[0]):
        relations.add(Who.ASSIGNEE)
    return relations


# --- the same relations as filters ----------------------------------------------------------

def _project_q(user: Any) -> dict[Who, Callable[[], Q]]:
    return {
        Who.OWNER: lambda: Q(owner=user), Who.ASSIGNEE: lambda: Q(assignee=user),
        Who.TASK_VIEWER: lambda: Q(pk__in=visible_tasks(user).filter(project__isnull=False).values("project_id")),
        Who.ORG_MAINTAINER: lambda: role_q(user, _MAINTAINER),
    }


def _task_q(user: Any, prefix: str = "") -> dict[Who, Callable[[], Q]]:
    def q(**kwargs: Any) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in kwargs.items()})

    return {
        Who.OWNER: lambda: q(owner=user), Who.ASSIGNEE: lambda: q(assignee=user),
        Who.PROJECT_OWNER: lambda: q(project__owner=user), Who.PROJECT_ASSIGNEE: lambda: q(project__assignee=user),
        Who.JOB_ASSIGNEE: lambda: q(pk__in=Job.objects.filter(assignee=user).values("task_id")),
        Who.ORG_MAINTAINER: lambda: role_q(user, _MAINTAINER, f"{prefix}organization"),
    }


def _job_q(user: Any) -> dict[Who, Callable[[], Q]]:
    task_managers = _task_q(user, "task__")
    manager = Q()
    for who in who_may(Resource.TASK, Action.CHANGE) - {Who.ADMIN}:
        manager |= task_managers[who]()
    return {Who.TASK_MANAGER: lambda: manager, Who.ASSIGNEE: lambda: Q(assignee=user),
            Who.ORG_MAINTAINER: lambda: role_q(user, _MAINTAINER, "task__organization")}


def _rule_q(resource: Resource, action: Action, builders: dict[Who, Callable[[], Q]]) -> Q:
    """The rows that some relation allowed by the rule selects (ADMIN is handled by callers)."""
    query = Q(pk__in=[])
    for who in who_may(resource, action) - {Who.ADMIN}:
        query |= builders[who]()
    return query


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


def _whole_organization(resource: Resource, context: OrgContext | None) -> int | None:
    """The organization of ``context`` when the user's role there alone lets them see every
    ``resource`` of it (a maintainer's tasks, say): then a list in that context needs no per-object
    rule, which keeps it as cheap as an administrator's. None otherwise."""
    if context is None or context.organization is None or context.role is None:
        return None
    return context.organization_id if allowed(resource, Action.VIEW, role_relations(context.role)) else None


def visible_tasks(user: Any, context: OrgContext | None = None) -> QuerySet[Task]:
    """The tasks ``user`` may see (in ``context``, when given, a list may take a shortcut)."""
    if is_admin(user):
        return Task.objects.all()
    organization_id = _whole_organization(Resource.TASK, context)
    if organization_id is not None:
        return Task.objects.filter(organization_id=organization_id)
    rule = _rule_q(Resource.TASK, Action.VIEW, _task_q(user)) & member_q(user)
    return Task.objects.filter(rule | _granted_q(user, "pk"))


def visible_projects(user: Any, context: OrgContext | None = None) -> QuerySet[Project]:
    if is_admin(user):
        return Project.objects.all()
    organization_id = _whole_organization(Resource.PROJECT, context)
    if organization_id is not None:
        return Project.objects.filter(organization_id=organization_id)
    return Project.objects.filter(_rule_q(Resource.PROJECT, Action.VIEW, _project_q(user)) & member_q(user))


def visible_jobs(user: Any, context: OrgContext | None = None) -> QuerySet[Job]:
    if is_admin(user):
        return Job.objects.all()
    organization_id = _whole_organization(Resource.JOB, context)
    if organization_id is not None:
        return Job.objects.filter(task__organization_id=organization_id)
    rule = _rule_q(Resource.JOB, Action.VIEW, _job_q(user)) & member_q(user, "task__organization")
    return Job.objects.filter(rule | _granted_q(user, "task_id", whole_tasks=True) | _granted_jobs_q(user))


def visible_labels(user: Any) -> QuerySet[Label]:
    if is_admin(user):
        return Label.objects.all()
    return Label.objects.filter(
        Q(project__in=visible_projects(user).values("pk")) | Q(task__in=visible_tasks(user).values("pk"))
    )


def visible_task(user: Any, pk: Any, context: OrgContext | None = None) -> Task:
    """The task ``pk`` (its project loaded too); :class:`NotFound` if the user may not see it, or
    if it is not of the request's organization ``context`` (as a retrieve of it would answer)."""
    task = _in(context, visible_tasks(user, context), "organization").filter(pk=pk).select_related("project").first()
    if task is None:
        raise NotFound(f"Task {pk} does not exist or is not visible to you.")
    return task


def visible_job(user: Any, pk: Any, context: OrgContext | None = None) -> Job:
    """The job ``pk`` (its task and project loaded too); :class:`NotFound` if the user may not see it
    or if it is not of the organization ``context``."""
    job = (_in(context, visible_jobs(user, context), "task__organization").filter(pk=pk)
           .select_related("task", "task__project").first())
    if job is None:
        raise NotFound(f"Job {pk} does not exist or is not visible to you.")
    return job


def _in(context: OrgContext | None, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
    return context.filter(queryset, field) if context is not None else queryset


def visible_project(user: Any, pk: Any, context: OrgContext | None = None) -> Project:
    """The project ``pk``; :class:`NotFound` if the user may not see it or if it is not of the
    organization ``context``."""
    project = _in(context, visible_projects(user, context), "organization").filter(pk=pk).first()
    if project is None:
        raise NotFound(f"Project {pk} does not exist or is not visible to you.")
    return project


def managed_projects(user: Any) -> QuerySet[Project]:
    """The projects ``user`` may change (the rules table's project change rule as a filter)."""
    if is_admin(user):
        return Project.objects.all()
    return Project.objects.filter(_rule_q(Resource.PROJECT, Action.CHANGE, _project_q(user)) & member_q(user))


def is_project_manager(user: Any, project: Project) -> bool:
    return allowed(Resource.PROJECT, Action.CHANGE, project_relations(user, project))


def is_task_manager(user: Any, task: Task) -> bool:
    return allowed(Resource.TASK, Action.CHANGE, task_relations(user, task))


def check_manage_project(user: Any, project: Project) -> None:
    if not is_project_manager(user, project):
        raise Forbidden("Only the project's owner, its assignee, a maintainer of its organization or an "
                        "administrator may change it.")


def check_create(user: Any, resource: Resource, organization_id: int | None, slug: str = "") -> None:
    """Raise ``Forbidden`` unless ``user`` may create a ``resource`` in the workspace: anyone in
    their personal workspace; in an organization, the roles the rules allow (supervisor and up)."""
    if is_admin(user):
        return
    relations = {Who.PERSONAL} if organization_id is None else role_relations(org_role_of(user, organization_id))
    if not allowed(resource, Action.CREATE, relations):
        roles = ", ".join(sorted(who.value for who in who_may(resource, Action.CREATE) - {Who.ADMIN, Who.PERSONAL}))
        raise Forbidden(f"Your role in organization '{slug}' does not allow creating a {resource} there; it is "
                        f"for: {roles}.")


def check_create_for(user: Any, owner_id: int | None) -> None:
    """Raise ``Forbidden`` when a non-admin names another user as the owner of a new object."""
    if owner_id is not None and owner_id != user.pk and not is_admin(user):
        raise Forbidden({"owner_id": ["Only an administrator may create an object owned by another user."]})


def check_delete_project(user: Any, project: Project) -> None:
    if not allowed(Resource.PROJECT, Action.DELETE, project_relations(user, project)):
        raise Forbidden("Only the project's owner, a maintainer of its organization or an administrator may "
                        "delete it.")


def check_manage_task(user: Any, task: Task) -> None:
    if not is_task_manager(user, task):
        raise Forbidden("Only the task's owner or assignee, its project's managers, a maintainer of its "
                        "organization or an administrator may change it.")


def check_delete_task(user: Any, task: Task) -> None:
    if not allowed(Resource.TASK, Action.DELETE, task_relations(user, task)):
        raise Forbidden("Only the task's owner, its project's owner, a maintainer of its organization or an "
                        "administrator may delete it.")


def check_annotate_job(user: Any, job: Job) -> None:
    if not allowed(Resource.JOB, Action.ANNOTATE, job_relations(user, job)):
        raise Forbidden("Only the job's assignee or the task's managers may change this job.")


_TASK_MANAGERS = ("the task's managers (its owner or assignee, its project's, a maintainer of its organization "
                  "or an administrator)")

#: The fields of a job whose change is an action of its own in the rules table (CVAT's
#: ``update:assignee``, ``update:stage`` and ``update:state`` scopes), and who may, in words.
JOB_FIELD_ACTIONS: dict[str, tuple[Action, str]] = {
    "assignee": (Action.ASSIGN, f"Only {_TASK_MANAGERS} may reassign this job."),
    "stage": (Action.SET_STAGE, f"Only {_TASK_MANAGERS} may change this job's stage; its assignee reports "
                                "progress with its state."),
    "state": (Action.SET_STATE, f"Only the job's assignee or {_TASK_MANAGERS} may change this job's state."),
}


def check_job_fields(user: Any, job: Job, fields: Iterable[str]) -> None:
    """Raise :class:`Forbidden` naming each of ``fields`` (of :data:`JOB_FIELD_ACTIONS`; others are
    ignored) that ``user`` may not set on ``job``, as CVAT does for each field a PATCH sends, changed
    or not. Call it before changing anything, so that a refusal leaves the job as it was."""
    relations = job_relations(user, job)
    refused = {field: [message] for field, (action, message) in JOB_FIELD_ACTIONS.items()
               if field in fields and not allowed(Resource.JOB, action, relations)}
    if refused:
        raise Forbidden(refused)


def check_read_task(user: Any, task: Task) -> None:
    """Reading or exporting all of a task's annotations (or its backup) is for its managers."""
    if not is_task_manager(user, task):
        raise Forbidden(f"Only the managers of task {task.pk} (its owner or assignee, its project's owner or "
                        "assignee, a maintainer of its organization) or an administrator may read or export "
                        "the whole task; a job's assignee reads and exports their job (/api/jobs/{id}/...).")


def check_export(user: Any, target: Project | Task | Job) -> None:
    """Exporting a dataset: a project's or task's managers, or a job's assignee for that job."""
    if isinstance(target, Project):
        if not is_project_manager(user, target):
            raise Forbidden(f"Only the owner or assignee of project {target.pk} or an administrator may "
                            "export it.")
    elif isinstance(target, Task):
        check_read_task(user, target)
    elif not allowed(Resource.JOB, Action.VIEW, job_relations(user, target)):
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
