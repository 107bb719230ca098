from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "inklab.server.review"
    label = "review"
    verbose_name = "Review: issues and comments"
