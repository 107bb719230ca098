from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "inklab.server.datasets"
    label = "datasets"
    verbose_name = "Datasets and backups"

    def ready(self) -> None:
        from inklab.server.datasets import jobs  # noqa: F401 - registers the background handlers
