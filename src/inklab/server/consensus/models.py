"""A task's consensus settings: the similarity two replicas' objects need to agree, and the share
of replicas that must agree for an object to be kept."""

from __future__ import annotations

from django.db import models

from inklab.server.projects.models import Task

__all__ = ["ConsensusSettings"]


class ConsensusSettings(models.Model):
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="consensus_settings")
    iou_threshold = models.FloatField(default=0.4)
    quorum = models.FloatField(default=0.5)

    class Meta:
        ordering = ["id"]
