from django.apps import AppConfig
from django.conf import settings


class MediaConfig(AppConfig):
    name = "inklab.server.media"
    label = "media"
    verbose_name = "Media"

    def ready(self) -> None:
        from inklab.formats.pixels import set_max_pixels
        from inklab.server.media import jobs, receivers  # noqa: F401 - registers handlers and signals

        set_max_pixels(settings.MAX_IMAGE_PIXELS)
