from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "inklab.server.annotations"
    label = "annotations"
    verbose_name = "Annotations"

    def ready(self) -> None:
        from inklab.server.annotations import receivers  # noqa: F401 - connects signal handlers
