"""Registering functions and queueing annotation requests for them (no HTTP here).

What agents do with the queued requests is in :mod:`inklab.server.functions.queue`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from inklab.server.errors import Forbidden, InvalidInput, NotFound
from inklab.server.functions import labels as function_labels
from inklab.server.functions.doorbell import ring_after_commit
from inklab.server.functions.models import AnnotationRequest, Function
from inklab.server.functions.permissions import check_serve_function, reading_changed, visible_functions
from inklab.server.functions.queue import function_topic
from inklab.server.iam.context import NO_CONTEXT, OrgContext
from inklab.server.iam.permissions import is_admin
from inklab.server.iam.rules import Resource
from inklab.server.projects import permissions as perms
from inklab.server.projects.labels import labels_of
from inklab.server.projects.permissions import check_create
from inklab.vocabulary import (
    FunctionKind,
    FunctionProvider,
    FunctionVisibility,
    RequestCategory,
    RequestStatus,
)

__all__ = ["cancel_request", "create_function", "create_request", "delete_function", "resolve_function"]

logger = logging.getLogger(__name__)


def create_function(user: Any, data: dict[str, Any], context: OrgContext = NO_CONTEXT) -> Function:
    """Register a native function from a ``POST /api/functions`` body, in the request's workspace."""
    check_create(user, Resource.FUNCTION, context.organization_id,
                 context.organization.slug if context.organization else "")
    if data.get("provider", FunctionProvider.NATIVE) != FunctionProvider.NATIVE:
        raise InvalidInput(f"provider: only 'native' functions can be registered here, got {data.get('provider')!r}.")
    kind = data.get("kind", FunctionKind.DETECTOR)
    labels = function_labels.normalize_labels(data.get("labels_v2", []))
    now = timezone.now()
    function = Function.objects.create(
        owner=user, organization_id=context.organization_id, name=data["name"], description=data.get("description") or "", kind=kind,
        visibility=data.get("visibility") or FunctionVisibility.PRIVATE, labels_v2=labels,
        min_pos_points=data.get("min_pos_points", 0), min_neg_points=data.get("min_neg_points", -1),
        startswith_box=bool(data.get("startswith_box")),
        startswith_box_optional=bool(data.get("startswith_box_optional")),
        supported_shape_types=sorted(set(data.get("supported_shape_types") or [])),
        created_date=now, updated_date=now,
    )
    logger.info("User %s registered function #%s '%s'", user.pk, function.pk, function.name)
    return function


def delete_function(user: Any, function: Function) -> None:
    """Delete a function with its requests; agents serving it stop at their next call (404)."""
    check_serve_function(user, function)
    function.delete()


def resolve_function(user: Any, reference: Any) -> Function:
    """A visible function from ``5``, ``"5"`` or ``"function:5"`` (how clients name functions)."""
    text = str(reference).strip()
    text = text.removeprefix("function:")
    if isinstance(reference, bool) or not text.isdigit():
        raise NotFound(f"There is no native function {reference!r}; name it by its id, e.g. 'function:5'.")
    function = visible_functions(user).filter(pk=int(text)).first()
    if function is None:
        raise NotFound(f"Function #{text} does not exist or is not visible to you.")
    return function


def _scope(user: Any, task_id: int, job_id: int | None) -> tuple[Any, Any]:
    task = perms.visible_task(user, task_id)
    job = None
    if job_id is not None:
        job = perms.visible_jobs(user).filter(pk=job_id, task=task).first()
        if job is None:
            raise NotFound(f"Job {job_id} does not exist in task {task_id} or is not visible to you.")
        perms.check_annotate_job(user, job)
    else:
        perms.check_manage_task(user, task)
    if not task.has_data:
        raise InvalidInput(f"Task {task_id} has no data yet; upload frames before annotating it.")
    return task, job


@transaction.atomic
def create_request(user: Any, function: Function, *, task_id: int, job_id: int | None = None,
                   threshold: float | None = None, mapping: dict[str, Any] | None = None,
                   cleanup: bool = False, conv_mask_to_poly: bool = False) -> AnnotationRequest:
    """Queue a whole-task (or one-job) annotation request for agents of ``function``.

    The mapping is checked against both label sets now, so that a mistake is a 400 here
    rather than a failed request later; without one, labels are matched by name.
    """
    if function.kind != FunctionKind.DETECTOR:
        raise InvalidInput(f"function: #{function.pk} is an {function.kind}; only detectors annotate whole tasks "
                           f"(call it on a frame: POST /api/lambda/functions/{function.pk}).")
    task, job = _scope(user, task_id, job_id)
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise InvalidInput(f"threshold: must be between 0 and 1, got {threshold}.")
    task_labels = list(labels_of(task).prefetch_related("attributes", "sublabels__attributes"))
    if mapping:
        mapping = function_labels.check_mapping(mapping, function.labels_v2, task_labels)
    else:
        mapping = function_labels.default_mapping(function.labels_v2, task_labels)
    if not mapping:
        names = ", ".join(label["name"] for label in function.labels_v2) or "none"
        raise InvalidInput(f"None of the function's labels ({names}) is a label of task {task.pk}; "
                           "give a mapping.")
    request = AnnotationRequest.objects.create(
        function=function, owner=user, task=task, job=job, category=RequestCategory.BATCH,
        threshold=threshold, mapping=mapping, cleanup=cleanup, conv_mask_to_poly=conv_mask_to_poly,
    )
    ring_after_commit(function_topic(function.pk))
    logger.info("Queued annotation request %s: function #%s on task %s", request.pk, function.pk, task.pk)
    return request


def cancel_request(user: Any, request: AnnotationRequest) -> None:
    """Cancel a queued or running request; an agent still working on it is refused later."""
    if not (request.owner_id == user.pk or is_admin(user) or request.function.owner_id == user.pk):
        raise Forbidden("Only whoever requested this annotation, the function's owner or an "
                              "administrator may cancel it.")
    cancelled = AnnotationRequest.objects.filter(
        pk=request.pk, status__in=[RequestStatus.QUEUED, RequestStatus.STARTED]
    ).update(status=RequestStatus.FAILED, message="The request was cancelled.", finished_date=timezone.now(),
             lease_until=None)
    if cancelled:
        reading_changed(request.task_id)
