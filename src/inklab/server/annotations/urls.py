from django.urls import re_path

from inklab.server.annotations import views

urlpatterns = [
    re_path(r"^tasks/(?P<pk>\d+)/annotations/?$", views.TaskAnnotationsView.as_view(), name="task-annotations"),
    re_path(r"^jobs/(?P<pk>\d+)/annotations/?$", views.JobAnnotationsView.as_view(), name="job-annotations"),
]
