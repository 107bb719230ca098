from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "inklab.ui"
    label = "ui"
    verbose_name = "Web UI"
