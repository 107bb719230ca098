"""Who may do what: the one rules table, and its evaluator.

A rule names, for a resource and an action, the **relations** a user must hold to the object
(any one of them suffices). A relation is a fact such as "owns it", "is assigned one of its
jobs" or "is at least a maintainer of its organization". Apps compute the relations a user holds
to one object (for object checks) and express each relation as a database filter (for lists),
both from this table, so a list never shows what a retrieve would refuse.

In an organization, only its active members hold relations to its objects (a removed member
loses every access at once); administrators hold :attr:`Who.ADMIN` everywhere.

==================  ===========  ==========================================================
resource            action       who (any of)
==================  ===========  ==========================================================
organization        create       any user
organization        view         member (any role), invitee
organization        change       maintainer+
organization        delete       owner (of the organization)
membership          view         member
membership          change       maintainer+ (never the owner's; see the services' rank rules)
membership          delete       maintainer+, the member themself (leaving)
invitation          view         maintainer+, its sender, its invitee
invitation          create       maintainer+
invitation          accept       its invitee
invitation          resend       maintainer+, its sender
invitation          delete       maintainer+, its sender
project             create       personal workspace: any user; organization: supervisor+
project             view         owner, assignee, who sees one of its tasks, maintainer+
project             change       owner, assignee, maintainer+
project             delete       owner, maintainer+
task                create       personal workspace: any user; organization: supervisor+
task                view         owner, assignee, project owner/assignee, job assignee, maintainer+
task                change       owner, assignee, project owner/assignee, maintainer+
task                delete       owner, project owner, maintainer+
job                 view         task manager (task change), job assignee, maintainer+
job                 annotate     task manager, job assignee, maintainer+
job                 set state    task manager, job assignee, maintainer+
job                 set stage    task manager, maintainer+
job                 assign       task manager, maintainer+
function            create       personal workspace: any user; organization: maintainer+
function            view         owner, any member of its organization (public ones: everyone)
user                view         the user themself, a fellow member (see below)
user                change       the user themself
user                delete       administrators only
==================  ===========  ==========================================================

Serving a function's queue and deleting it stay with its owner (and administrators).
Administrators may do everything (not repeated above). "maintainer+" means the role maintainer
or owner in the object's organization; a worker or supervisor acts through the object relations
(owner, assignee) only, as CVAT's roles describe.

A **fellow member** is a user seen from an organization's context (``X-Organization``) that both
the requester and they are active members of (an invitee who has not accepted is not one yet); in
the personal workspace nobody is, so a user lists only themself there; without a context, any
organization both are active members of counts. This is CVAT's ``users`` policy (list: oneself
in the sandbox, the organization's members in its context), except that CVAT lets a member of the
context's organization read any user by id: here, a user outside it is not found, like every
other object one may not see. A list in an organization's context shows its members only, to
administrators too (CVAT's filter); administrators read any user.

A job's ``state`` (new, in progress, rejected, completed) is its annotator's to report; its
``stage`` (annotation, validation, acceptance) and its assignee are the task's managers' to
decide, as CVAT's ``update:state``, ``update:stage`` and ``update:assignee`` scopes are: a
change of a job names the action of each field it sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from inklab.vocabulary import OrganizationRole

__all__ = ["RULES", "Action", "Resource", "Who", "allowed", "role_relations", "who_may"]


class Resource(StrEnum):
    ORGANIZATION = "organization"
    MEMBERSHIP = "membership"
    INVITATION = "invitation"
    PROJECT = "project"
    TASK = "task"
    JOB = "job"
    FUNCTION = "function"
    WEBHOOK = "webhook"  # organization webhooks; a project webhook follows its project's change rule
    CLOUD_STORAGE = "cloud storage"
    USER = "user"


class Action(StrEnum):
    CREATE = "create"
    VIEW = "view"
    CHANGE = "change"
    DELETE = "delete"
    ACCEPT = "accept"
    RESEND = "resend"
    ANNOTATE = "annotate"
    ASSIGN = "assign"
    SET_STATE = "set state"
    SET_STAGE = "set stage"


class Who(StrEnum):
    """A relation of a user to an object (or, for ``create``, to the workspace)."""

    ADMIN = "admin"
    USER = "any user"
    PERSONAL = "personal workspace"
    OWNER = "owner"
    ASSIGNEE = "assignee"
    PROJECT_OWNER = "project owner"
    PROJECT_ASSIGNEE = "project assignee"
    TASK_MANAGER = "task manager"
    JOB_ASSIGNEE = "job assignee"
    TASK_VIEWER = "sees one of its tasks"
    SELF = "the member themself"
    INVITEE = "invitee"
    FELLOW_MEMBER = "fellow member"
    ORG_WORKER = "organization member"
    ORG_SUPERVISOR = "organization supervisor+"
    ORG_MAINTAINER = "organization maintainer+"
    ORG_OWNER = "organization owner"


_ROLE_RELATION = {
    OrganizationRole.WORKER: Who.ORG_WORKER,
    OrganizationRole.SUPERVISOR: Who.ORG_SUPERVISOR,
    OrganizationRole.MAINTAINER: Who.ORG_MAINTAINER,
    OrganizationRole.OWNER: Who.ORG_OWNER,
}

R, A, W = Resource, Action, Who

RULES: dict[tuple[Resource, Action], frozenset[Who]] = {key: frozenset(value) | {W.ADMIN} for key, value in {
    (R.ORGANIZATION, A.CREATE): {W.USER},
    (R.ORGANIZATION, A.VIEW): {W.ORG_WORKER, W.INVITEE},
    (R.ORGANIZATION, A.CHANGE): {W.ORG_MAINTAINER},
    (R.ORGANIZATION, A.DELETE): {W.ORG_OWNER},
    (R.MEMBERSHIP, A.VIEW): {W.ORG_WORKER},
    (R.MEMBERSHIP, A.CHANGE): {W.ORG_MAINTAINER},
    (R.MEMBERSHIP, A.DELETE): {W.ORG_MAINTAINER, W.SELF},
    (R.INVITATION, A.VIEW): {W.ORG_MAINTAINER, W.OWNER, W.INVITEE},
    (R.INVITATION, A.CREATE): {W.ORG_MAINTAINER},
    (R.INVITATION, A.ACCEPT): {W.INVITEE},
    (R.INVITATION, A.RESEND): {W.ORG_MAINTAINER, W.OWNER},
    (R.INVITATION, A.DELETE): {W.ORG_MAINTAINER, W.OWNER},
    (R.PROJECT, A.CREATE): {W.PERSONAL, W.ORG_SUPERVISOR},
    (R.PROJECT, A.VIEW): {W.OWNER, W.ASSIGNEE, W.TASK_VIEWER, W.ORG_MAINTAINER},
    (R.PROJECT, A.CHANGE): {W.OWNER, W.ASSIGNEE, W.ORG_MAINTAINER},
    (R.PROJECT, A.DELETE): {W.OWNER, W.ORG_MAINTAINER},
    (R.TASK, A.CREATE): {W.PERSONAL, W.ORG_SUPERVISOR},
    (R.TASK, A.VIEW): {W.OWNER, W.ASSIGNEE, W.PROJECT_OWNER, W.PROJECT_ASSIGNEE, W.JOB_ASSIGNEE,
                       W.ORG_MAINTAINER},
    (R.TASK, A.CHANGE): {W.OWNER, W.ASSIGNEE, W.PROJECT_OWNER, W.PROJECT_ASSIGNEE, W.ORG_MAINTAINER},
    (R.TASK, A.DELETE): {W.OWNER, W.PROJECT_OWNER, W.ORG_MAINTAINER},
    (R.JOB, A.VIEW): {W.TASK_MANAGER, W.ASSIGNEE, W.ORG_MAINTAINER},
    (R.JOB, A.ANNOTATE): {W.TASK_MANAGER, W.ASSIGNEE, W.ORG_MAINTAINER},
    (R.JOB, A.SET_STATE): {W.TASK_MANAGER, W.ASSIGNEE, W.ORG_MAINTAINER},
    (R.JOB, A.SET_STAGE): {W.TASK_MANAGER, W.ORG_MAINTAINER},
    (R.JOB, A.ASSIGN): {W.TASK_MANAGER, W.ORG_MAINTAINER},
    (R.FUNCTION, A.CREATE): {W.PERSONAL, W.ORG_MAINTAINER},
    (R.FUNCTION, A.VIEW): {W.OWNER, W.ORG_WORKER},
    (R.WEBHOOK, A.CHANGE): {W.ORG_MAINTAINER},
    (R.CLOUD_STORAGE, A.CREATE): {W.PERSONAL, W.ORG_MAINTAINER},
    (R.CLOUD_STORAGE, A.VIEW): {W.OWNER, W.ORG_SUPERVISOR},  # view includes using it: browse, import, export
    (R.CLOUD_STORAGE, A.CHANGE): {W.OWNER, W.ORG_MAINTAINER},  # change and delete
    (R.USER, A.VIEW): {W.SELF, W.FELLOW_MEMBER},
    (R.USER, A.CHANGE): {W.SELF},  # their names; is_active, is_staff and is_superuser: administrators
    (R.USER, A.DELETE): set(),
}.items()}


def role_relations(role: OrganizationRole | str | None) -> set[Who]:
    """The organization relations a member with ``role`` holds: each role includes those below it."""
    if role is None:
        return set()
    role = OrganizationRole(role)
    return {relation for other, relation in _ROLE_RELATION.items() if role.at_least(other)}


def who_may(resource: Resource, action: Action) -> frozenset[Who]:
    """The relations that allow ``action`` on ``resource``; ``KeyError`` for an unknown rule."""
    return RULES[(resource, action)]


def allowed(resource: Resource, action: Action, relations: Iterable[Who]) -> bool:
    """Whether a user holding ``relations`` may do ``action`` on ``resource``."""
    return not who_may(resource, action).isdisjoint(relations)
