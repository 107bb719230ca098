"""Repositories and entities of the server's resources."""

from inklab.sdk.client.resources._annotations import AnnotationUpdateAction
from inklab.sdk.client.resources.jobs import Job, JobsRepo
from inklab.sdk.client.resources.projects import Project, ProjectsRepo
from inklab.sdk.client.resources.tasks import ResourceType, Task, TasksRepo
from inklab.sdk.client.resources.users import User, UsersRepo

__all__ = [
    "AnnotationUpdateAction",
    "Job",
    "JobsRepo",
    "Project",
    "ProjectsRepo",
    "ResourceType",
    "Task",
    "TasksRepo",
    "User",
    "UsersRepo",
]
