"""REST views of projects, tasks, jobs and labels, one module per resource."""

from inklab.server.projects.views.jobs import JobViewSet
from inklab.server.projects.views.labels import LabelViewSet
from inklab.server.projects.views.projects import ProjectViewSet
from inklab.server.projects.views.tasks import TaskViewSet

__all__ = ["JobViewSet", "LabelViewSet", "ProjectViewSet", "TaskViewSet"]
