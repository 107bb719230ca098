from django.urls import path, re_path

from inklab.server.datasets import views

_upload = views.ImportUploadView.as_view()

urlpatterns = [
    path("tasks/<int:pk>/dataset/export", views.ExportView.as_view(kind="task"), name="task-dataset-export"),
    path("jobs/<int:pk>/dataset/export", views.ExportView.as_view(kind="job"), name="job-dataset-export"),
    path("projects/<int:pk>/dataset/export", views.ExportView.as_view(kind="project"),
         name="project-dataset-export"),
    re_path(r"^tasks/(?P<pk>\d+)/annotations/?$", views.TaskAnnotationsImportView.as_view(),
            name="task-annotations"),
    re_path(r"^jobs/(?P<pk>\d+)/annotations/?$", views.JobAnnotationsImportView.as_view(), name="job-annotations"),
    path("tasks/<int:pk>/annotations/<uuid:upload>", _upload, name="task-annotations-upload"),
    path("jobs/<int:pk>/annotations/<uuid:upload>", _upload, name="job-annotations-upload"),
    re_path(r"^projects/(?P<pk>\d+)/dataset/?$", views.ProjectDatasetView.as_view(), name="project-dataset"),
    path("projects/<int:pk>/dataset/<uuid:upload>", _upload, name="project-dataset-upload"),
    path("tasks/<int:pk>/backup/export", views.BackupExportView.as_view(kind="task"), name="task-backup-export"),
    path("projects/<int:pk>/backup/export", views.BackupExportView.as_view(kind="project"),
         name="project-backup-export"),
    re_path(r"^tasks/backup/?$", views.BackupImportView.as_view(kind="task"), name="task-backup"),
    re_path(r"^projects/backup/?$", views.BackupImportView.as_view(kind="project"), name="project-backup"),
    path("tasks/backup/<uuid:upload>", _upload, name="task-backup-upload"),
    path("projects/backup/<uuid:upload>", _upload, name="project-backup-upload"),
]
