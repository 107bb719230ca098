"""Creating and changing projects, tasks and jobs (no HTTP here).

Every function takes the acting user and validated data (serializer output), enforces
the permission rules of :mod:`~inklab.server.projects.permissions`, and raises
:mod:`inklab.server.errors` exceptions.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from inklab.server.cloud.defaults import set_storages
from inklab.server.errors import Conflict, InvalidInput
from inklab.server.iam.context import NO_CONTEXT, OrgContext
from inklab.server.iam.models import Membership
from inklab.server.iam.rules import Resource
from inklab.server.projects import permissions as perms
from inklab.server.projects.labels import apply_label_specs, labels_of
from inklab.server.projects.models import Job, Label, Project, Task, touch
from inklab.server.projects.signals import changed, changing, labels_remapped
from inklab.vocabulary import JobType

__all__ = [
    "create_jobs",
    "create_project",
    "create_replicas",
    "create_task",
    "delete_project",
    "delete_task",
    "segment_ranges",
    "update_job",
    "update_project",
    "update_task",
]

User = get_user_model()


def _user(user_id: int | None, field: str, organization_id: int | None = None) -> Any:
    """The active user ``user_id`` (None for None); in an organization, one of its active members."""
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidInput({field: [f"There is no active user with id {user_id}."]})
    if organization_id is not None and not Membership.objects.filter(
            user=user, organization_id=organization_id, is_active=True).exists():
        raise InvalidInput({field: [f"User {user_id} is not a member of the organization this object belongs to."]})
    return user


def _workspace(context: OrgContext, project: Project | None) -> int | None:
    """The organization a new task belongs to: its project's, which must be the context's."""
    if project is None:
        return context.organization_id
    if not context.contains(project.organization_id):
        raise InvalidInput({"project_id": [f"Project {project.pk} belongs to another workspace than the one "
                                           "this request works in (X-Organization, org, org_id)."]})
    return project.organization_id


def _check_storage(data: dict[str, Any]) -> dict[str, Any]:
    """Take ``source_storage``/``target_storage`` out of ``data`` (they are stored by the cloud app)."""
    return {key: data.pop(key) for key in ("target_storage", "source_storage") if key in data}


@transaction.atomic
def create_project(user: Any, data: dict[str, Any], context: OrgContext = NO_CONTEXT) -> Project:
    """A project in the request's workspace (an organization's, or the personal one)."""
    org = context.organization_id
    perms.check_create(user, Resource.PROJECT, org, context.organization.slug if context.organization else "")
    perms.check_create_for(user, data.get("owner_id"))
    storages = _check_storage(data)
    project = Project.objects.create(
        name=data["name"],
        organization_id=org,
        owner=_user(data.get("owner_id"), "owner_id", org) or user,
        assignee=_user(data.get("assignee_id"), "assignee_id", org),
        bug_tracker=data.get("bug_tracker", ""),
    )
    if project.assignee_id:
        project.assignee_updated_date = timezone.now()
        project.save(update_fields=["assignee_updated_date"])
    apply_label_specs(project, data.get("labels") or [])
    set_storages(user, project, storages)
    changed.send(sender=Project, instance=project, user=user, action="create")
    return project


@transaction.atomic
def update_project(user: Any, project: Project, data: dict[str, Any]) -> Project:
    perms.check_manage_project(user, project)
    set_storages(user, project, _check_storage(data))
    changing.send(sender=Project, instance=project)
    before = (project.owner_id, project.assignee_id)
    for field in ("name", "bug_tracker"):
        if field in data:
            setattr(project, field, data[field])
    if "owner_id" in data:
        perms.check_delete_project(user, project)  # only the owner hands a project over
        project.owner = _user(data["owner_id"], "owner_id", project.organization_id)
    if "assignee_id" in data and data["assignee_id"] != project.assignee_id:
        project.assignee = _user(data["assignee_id"], "assignee_id", project.organization_id)
        project.assignee_updated_date = timezone.now()
    managers = (project.owner_id, project.assignee_id)
    project.save()
    apply_label_specs(project, data.get("labels") or [])
    touch(project)
    if managers != before:
        # Who reads the tasks' frames whole changed: clients' caches of them must refresh.
        touch(*project.tasks.only("pk", "updated_date"))
    changed.send(sender=Project, instance=project, user=user, action="update")
    return project


@transaction.atomic
def delete_project(user: Any, project: Project) -> None:
    """Delete a project with its tasks (its owner or an administrator)."""
    perms.check_delete_project(user, project)
    changed.send(sender=Project, instance=project, user=user, action="delete")
    project.delete()


def _project_for_task(user: Any, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = perms.visible_project(user, project_id)
    perms.check_manage_project(user, project)
    return project


@transaction.atomic
def create_task(user: Any, data: dict[str, Any], context: OrgContext = NO_CONTEXT) -> Task:
    """A task in the request's workspace, or in its project's (which must be the same)."""
    project = _project_for_task(user, data.get("project_id"))
    org = _workspace(context, project)
    slug = project.organization.slug if project and project.organization_id else (
        context.organization.slug if context.organization else "")
    perms.check_create(user, Resource.TASK, org, slug)
    perms.check_create_for(user, data.get("owner_id"))
    storages = _check_storage(data)
    labels = data.get("labels") or []
    if project is not None and labels:
        raise InvalidInput({"labels": ["A task inside a project uses the project's labels; "
                                       "do not send labels together with project_id."]})
    task = Task.objects.create(
        name=data["name"],
        project=project,
        organization_id=org,
        owner=_user(data.get("owner_id"), "owner_id", org) or user,
        assignee=_user(data.get("assignee_id"), "assignee_id", org),
        bug_tracker=data.get("bug_tracker", ""),
        overlap=data.get("overlap"),
        segment_size=data.get("segment_size") or 0,
        subset=data.get("subset", ""),
        consensus_replicas=data.get("consensus_replicas") or 0,
    )
    if task.assignee_id:
        task.assignee_updated_date = timezone.now()
        task.save(update_fields=["assignee_updated_date"])
    if project is None:
        apply_label_specs(task, labels)
    else:
        touch(project)
    set_storages(user, task, storages)
    changed.send(sender=Task, instance=task, user=user, action="create")
    return task


@transaction.atomic
def delete_task(user: Any, task: Task) -> None:
    """Delete a task (its owner, its project's owner or an administrator)."""
    perms.check_delete_task(user, task)
    changed.send(sender=Task, instance=task, user=user, action="delete")
    task.delete()


class _Mapping:
    """Old → new ids of labels (and sublabels) and of attributes."""

    def __init__(self) -> None:
        self.labels: dict[int, int] = {}
        self.attributes: dict[int, int] = {}

    def add(self, old: Label, new: Label) -> None:
        self.labels[old.pk] = new.pk
        new_attrs = {a.name: a.pk for a in new.attributes.all()}
        for attr in old.attributes.all():
            if attr.name in new_attrs:
                self.attributes[attr.pk] = new_attrs[attr.name]
        new_subs = {sub.name: sub for sub in new.sublabels.all()}
        for sub in old.sublabels.all():
            if sub.name in new_subs:
                self.add(sub, new_subs[sub.name])


def _copy_label(label: Label, task: Task, parent: Label | None = None) -> Label:
    copy = Label.objects.create(task=task, parent=parent, name=label.name, type=label.type,
                                color=label.color, svg=label.svg)
    for attr in label.attributes.all():
        copy.attributes.create(name=attr.name, mutable=attr.mutable, input_type=attr.input_type,
                               default_value=attr.default_value, values=attr.values)
    for sub in label.sublabels.all():
        _copy_label(sub, task, parent=copy)
    return copy


def _move_task(task: Task, target: Project | None) -> None:
    """Move a task into a project, out of one, or between projects, mapping labels by name.

    A task with data may only move where every label it uses exists under the same name.
    """
    source_labels = list(labels_of(task).prefetch_related("attributes", "sublabels__attributes"))
    mapping = _Mapping()
    if target is None:
        task.project = None
        task.save(update_fields=["project"])
        for label in source_labels:
            mapping.add(label, _copy_label(label, task))
    else:
        if target.organization_id != task.organization_id:
            raise InvalidInput({"project_id": [f"Project {target.pk} belongs to another workspace than task "
                                               f"{task.pk}; a task moves only between projects of its own."]})
        target_labels = {label.name: label for label in labels_of(target)}
        missing = sorted(label.name for label in source_labels if label.name not in target_labels)
        if missing and task.has_data:
            raise Conflict(f"Project '{target.name}' lacks labels this task uses: {', '.join(missing)}.")
        task.project = target
        task.save(update_fields=["project"])
        for label in source_labels:
            if label.name in target_labels:
                mapping.add(label, target_labels[label.name])
    labels_remapped.send(sender=Task, task=task, labels=mapping.labels, attributes=mapping.attributes)
    if target is not None:
        Label.objects.filter(task=task).delete()


@transaction.atomic
def update_task(user: Any, task: Task, data: dict[str, Any]) -> Task:
    perms.check_manage_task(user, task)
    set_storages(user, task, _check_storage(data))
    changing.send(sender=Task, instance=task)
    for field in ("name", "bug_tracker", "subset"):
        if field in data:
            setattr(task, field, data[field])
    if "owner_id" in data:
        perms.check_delete_task(user, task)
        task.owner = _user(data["owner_id"], "owner_id", task.organization_id)
    if "assignee_id" in data and data["assignee_id"] != task.assignee_id:
        task.assignee = _user(data["assignee_id"], "assignee_id", task.organization_id)
        task.assignee_updated_date = timezone.now()
    for field in ("overlap", "segment_size", "consensus_replicas"):
        if field in data and data[field] != getattr(task, field):
            if task.has_data:
                raise Conflict(f"'{field}' cannot change after the task's data was uploaded.")
            setattr(task, field, data[field] or (None if field == "overlap" else 0))
    task.save()
    if "project_id" in data and data["project_id"] != task.project_id:
        _move_task(task, _project_for_task(user, data["project_id"]))
    if data.get("labels"):
        apply_label_specs(task, data["labels"])
    touch(task, task.project)
    changed.send(sender=Task, instance=task, user=user, action="update")
    return task


def segment_ranges(size: int, segment_size: int, overlap: int) -> list[tuple[int, int]]:
    """Inclusive frame ranges of the jobs of a task of ``size`` frames."""
    if size <= 0:
        return []
    if segment_size <= 0 or segment_size >= size:
        return [(0, size - 1)]
    overlap = min(overlap, segment_size - 1)
    step = segment_size - overlap
    ranges = []
    start = 0
    while True:
        stop = min(start + segment_size - 1, size - 1)
        ranges.append((start, stop))
        if stop >= size - 1:
            return ranges
        start += step


def create_jobs(task: Task) -> list[Job]:
    """Split a task with data into jobs (call once, when data is attached)."""
    overlap = task.overlap if task.overlap is not None else 0
    ranges = segment_ranges(task.size, task.segment_size, overlap)
    jobs = Job.objects.bulk_create([Job(task=task, start_frame=a, stop_frame=b) for a, b in ranges])
    create_replicas(task, jobs)
    return jobs


def create_replicas(task: Task, jobs: list[Job]) -> None:
    """``task.consensus_replicas`` replica jobs for each annotation job (none when 0)."""
    if task.consensus_replicas:
        Job.objects.bulk_create([Job(task=task, start_frame=job.start_frame, stop_frame=job.stop_frame,
                                     type=JobType.REPLICA, parent_job=job)
                                 for job in jobs for _ in range(task.consensus_replicas)])


@transaction.atomic
def update_job(user: Any, job: Job, data: dict[str, Any]) -> Job:
    perms.check_annotate_job(user, job)
    perms.check_job_fields(user, job, data)
    changing.send(sender=Job, instance=job)
    reassigned = "assignee" in data and data["assignee"] != job.assignee_id
    if reassigned:
        job.assignee = _user(data["assignee"], "assignee", job.task.organization_id)
        job.assignee_updated_date = timezone.now()
    for field in ("stage", "state"):
        if field in data:
            setattr(job, field, data[field])
    job.save()
    # A new assignee changes which frames of the task its old and new assignees may read.
    touch(job, job.task if reassigned else None)
    changed.send(sender=Job, instance=job, user=user, action="update")
    return job
