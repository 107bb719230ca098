from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "inklab.server.projects"
    label = "projects"
    verbose_name = "Projects, tasks and jobs"
