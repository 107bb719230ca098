"""Who may see, use, serve and delete functions and their annotation requests.

* a **function** is visible to its owner, to everyone when it is ``public``, and to admins;
* its owner (or an admin) deletes it and serves its queue (runs agents for it);
* anyone who can see a function may request annotation of a task they manage, or of a job
  they annotate;
* an **annotation request** is visible to whoever created it and to the function's owner;
* while an agent holds a request, the function's owner may read what the request covers even
  when it is someone else's: the whole task (frames, labels, metadata) for a task request; for
  a job request the task's record and labels and that job's frames only, never the task's
  other jobs. :func:`requests_served_by` feeds the projects app's visibility rules. It grants
  reading only, never writing. Whenever a request starts or stops being held, what its
  function's owner may read of the task changes: :func:`reading_changed` moves the task's
  ``updated_date``, the key of the clients' caches, so no agent reuses a view it lost or
  that was narrower than its new one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.errors import Forbidden
from inklab.server.functions.models import AnnotationRequest, Function
from inklab.server.iam.models import Membership
from inklab.server.iam.permissions import is_admin
from inklab.server.projects.models import Task, touch
from inklab.vocabulary import FunctionVisibility, RequestStatus

__all__ = ["check_serve_function", "reading_changed", "requests_served_by", "visible_functions", "visible_requests"]


def visible_functions(user: Any) -> QuerySet[Function]:
    if is_admin(user):
        return Function.objects.all()
    members = Membership.objects.filter(user_id=user.pk, is_active=True).values("organization_id")
    return Function.objects.filter(Q(owner=user) | Q(visibility=FunctionVisibility.PUBLIC)
                                   | Q(organization_id__in=members))


def check_serve_function(user: Any, function: Function) -> None:
    """Serving a queue and deleting a function are for its owner and admins."""
    if not (is_admin(user) or function.owner_id == user.pk):
        raise Forbidden(f"Only the owner of function #{function.pk} or an administrator may do this.")


def visible_requests(user: Any) -> QuerySet[AnnotationRequest]:
    if is_admin(user):
        return AnnotationRequest.objects.all()
    return AnnotationRequest.objects.filter(Q(owner=user) | Q(function__owner=user))


def requests_served_by(user: Any) -> QuerySet[AnnotationRequest]:
    """The requests (``task_id``, and ``job_id`` for a job request) ``user``'s agents hold now."""
    return AnnotationRequest.objects.filter(function__owner=user, status=RequestStatus.STARTED)


def reading_changed(task_id: int) -> None:
    """A request on task ``task_id`` started or stopped being held (see the module docstring)."""
    touch(*Task.objects.filter(pk=task_id).only("pk", "updated_date"))
