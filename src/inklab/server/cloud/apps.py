from django.apps import AppConfig


class CloudConfig(AppConfig):
    name = "inklab.server.cloud"
    label = "cloud"
    verbose_name = "Cloud storages"
