from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "inklab.server.guides"
    label = "guides"
    verbose_name = "Annotation guides"

    def ready(self) -> None:
        from inklab.server.guides import receivers  # noqa: F401 - removes asset files with their rows
