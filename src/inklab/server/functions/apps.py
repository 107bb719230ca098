from django.apps import AppConfig


class FunctionsConfig(AppConfig):
    name = "inklab.server.functions"
    label = "functions"
    verbose_name = "Auto-annotation functions"

    def ready(self) -> None:
        from inklab.server.functions.permissions import requests_served_by
        from inklab.server.projects.permissions import grant_task_reading

        # An agent reads the task (or the job) it is annotating, whoever owns that task.
        grant_task_reading("functions:agents")(requests_served_by)
