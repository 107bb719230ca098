"""A cloud storage: a bucket or container the server reads task data from and writes results to.

A storage belongs to its owner's personal workspace or to an organization, whose supervisors and
up use it (the rules live in :mod:`inklab.server.iam.rules`, applied in :mod:`.permissions`). The secrets are in ``credentials``, encrypted (:mod:`.credentials`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from inklab.vocabulary import CloudCredentialsType, CloudProviderType, choices

__all__ = ["CloudStorage", "StorageDefault", "TaskCloudData"]


class CloudStorage(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="cloud_storages")
    organization = models.ForeignKey("iam.Organization", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="cloud_storages")
    provider_type = models.CharField(max_length=32, choices=choices(CloudProviderType))
    resource = models.CharField(max_length=222)
    display_name = models.CharField(max_length=63)
    credentials_type = models.CharField(max_length=32, choices=choices(CloudCredentialsType))
    #: encrypted JSON of the secrets (key, secret_key, session_token, account_name, connection_string)
    credentials = models.TextField(blank=True, default="")
    #: CVAT's form: ``name=value&name=value`` (endpoint_url, region, prefix)
    specific_attributes = models.CharField(max_length=1024, blank=True, default="")
    manifests = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True, default="")
    created_date = models.DateTimeField(auto_now_add=True)
    updated_date = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.provider_type} {self.resource})"


class StorageDefault(models.Model):
    """The cloud storage a project's or task's imports (``source``) or results (``target``) use."""

    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    task = models.ForeignKey("projects.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=[("source", "source"), ("target", "target")])
    cloud_storage = models.ForeignKey("cloud.CloudStorage", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="cloud_default_project_kind"),
            models.UniqueConstraint(fields=["task", "kind"], name="cloud_default_task_kind"),
        ]


class TaskCloudData(models.Model):
    """The cloud storage a task's frames were copied from (``data_cloud_storage_id``)."""

    task = models.OneToOneField("projects.Task", primary_key=True, on_delete=models.CASCADE, related_name="+")
    cloud_storage = models.ForeignKey(CloudStorage, null=True, on_delete=models.SET_NULL, related_name="+")
