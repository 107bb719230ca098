from django.urls import path, re_path

from inklab.ui import views

urlpatterns = [
    path("", views.index, name="ui-index"),
    # Client-side routes (#/tasks/1 style routing needs none, but deep links are kind).
    re_path(r"^(?P<route>(projects|tasks|jobs|models|login|register)(/.*)?)$", views.index),
]
