from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "inklab.server.media"
    label = "media"
    verbose_name = "Media"

    def ready(self) -> None:
        from inklab.server.media import jobs, receivers  # noqa: F401 - registers handlers and signals
