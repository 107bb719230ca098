from django.apps import AppConfig


class MetaConfig(AppConfig):
    name = "inklab.server.meta"
    label = "meta"
    verbose_name = "Server information"
