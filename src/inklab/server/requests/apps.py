from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "inklab.server.requests"
    label = "bgrequests"
    verbose_name = "Background requests"
