"""Repositories and entities of the server's resources."""

from inklab.sdk.client.resources._annotations import AnnotationUpdateAction
from inklab.sdk.client.resources.jobs import Job, JobsRepo
from inklab.sdk.client.resources.organizations import (
    Invitation,
    InvitationsRepo,
    Membership,
    Organization,
    OrganizationsRepo,
)
from inklab.sdk.client.resources.projects import Project, ProjectsRepo
from inklab.sdk.client.resources.tasks import ResourceType, Task, TasksRepo
from inklab.sdk.client.resources.users import User, UsersRepo

__all__ = [
    "AnnotationUpdateAction",
    "Invitation",
    "InvitationsRepo",
    "Job",
    "JobsRepo",
    "Membership",
    "Organization",
    "OrganizationsRepo",
    "Project",
    "ProjectsRepo",
    "ResourceType",
    "Task",
    "TasksRepo",
    "User",
    "UsersRepo",
]
