from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "inklab.server.quality"
    label = "quality"
    verbose_name = "Quality reports"

    def ready(self) -> None:
        from inklab.server.quality import jobs, receivers  # noqa: F401 - registers the handler and receivers
