from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "inklab.server.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from inklab.server.webhooks import jobs, receivers  # noqa: F401 - registers the handler and receivers
