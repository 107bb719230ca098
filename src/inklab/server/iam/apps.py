from django.apps import AppConfig


class IamConfig(AppConfig):
    name = "inklab.server.iam"
    label = "iam"
    verbose_name = "Identity and access"
