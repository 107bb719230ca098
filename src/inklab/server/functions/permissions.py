"""Who may see, use, serve and delete functions and their annotation requests.

* a **function** is visible to its owner, to everyone when it is ``public``, and to admins;
* its owner (or an admin) deletes it and serves its queue (runs agents for it);
* anyone who can see a function may request annotation of a task they manage, or of a job
  they annotate;
* an **annotation request** is visible to whoever created it and to the function's owner;
* while an agent holds a request, the function's owner may read that task (frames, labels,
  metadata) even when it is someone else's: :func:`tasks_served_by` feeds the projects app's
  visibility rules. It grants reading only, never writing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from inklab.server.errors import Forbidden
from inklab.server.functions.models import AnnotationRequest, Function
from inklab.server.iam.permissions import is_admin
from inklab.vocabulary import FunctionVisibility, RequestStatus

__all__ = ["check_serve_function", "tasks_served_by", "visible_functions", "visible_requests"]


def visible_functions(user: Any) -> QuerySet[Function]:
    if is_admin(user):
        return Function.objects.all()
    return Function.objects.filter(Q(owner=user) | Q(visibility=FunctionVisibility.PUBLIC))


def check_serve_function(user: Any, function: Function) -> None:
    """Serving a queue and deleting a function are for its owner and admins."""
    if not (is_admin(user) or function.owner_id == user.pk):
        raise Forbidden(f"Only the owner of function #{function.pk} or an administrator may do this.")


def visible_requests(user: Any) -> QuerySet[AnnotationRequest]:
    if is_admin(user):
        return AnnotationRequest.objects.all()
    return AnnotationRequest.objects.filter(Q(owner=user) | Q(function__owner=user))


def tasks_served_by(user: Any) -> QuerySet[Any]:
    """Ids of the tasks that ``user``'s agents are annotating right now."""
    return AnnotationRequest.objects.filter(function__owner=user, status=RequestStatus.STARTED).values("task_id")
