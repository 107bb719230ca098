from django.urls import path, re_path

from inklab.server.media import views

urlpatterns = [
    re_path(r"^tasks/(?P<pk>\d+)/data/?$", views.TaskDataView.as_view(), name="task-data"),
    path("tasks/<int:pk>/data/meta", views.TaskMetaView.as_view(), name="task-data-meta"),
    path("tasks/<int:pk>/data/<uuid:upload>", views.TaskUploadView.as_view(), name="task-data-upload"),
    re_path(r"^jobs/(?P<pk>\d+)/data/?$", views.JobDataView.as_view(), name="job-data"),
    path("jobs/<int:pk>/data/meta", views.JobMetaView.as_view(), name="job-data-meta"),
    path("tasks/<int:pk>/preview", views.PreviewView.as_view(kind="task"), name="task-preview"),
    path("jobs/<int:pk>/preview", views.PreviewView.as_view(kind="job"), name="job-preview"),
    path("projects/<int:pk>/preview", views.PreviewView.as_view(kind="project"), name="project-preview"),
]
