"""``ConsensusSettings``/``PatchedConsensusSettingsRequest`` and ``ConsensusMergeCreateRequest``."""

from __future__ import annotations

from rest_framework import serializers

from inklab.server.api.integers import id_field
from inklab.server.api.strict import StrictFields
from inklab.server.consensus.models import ConsensusSettings

__all__ = ["ConsensusMergeSerializer", "ConsensusSettingsSerializer", "ConsensusSettingsWriteSerializer"]


class ConsensusSettingsSerializer(serializers.ModelSerializer):
    task_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = ConsensusSettings
        fields = ["id", "task_id", "iou_threshold", "quorum"]
        read_only_fields = fields


class ConsensusSettingsWriteSerializer(StrictFields, serializers.Serializer):
    iou_threshold = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    quorum = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)


class ConsensusMergeSerializer(StrictFields, serializers.Serializer):
    """``ConsensusMergeCreateRequest``: a task or one of its annotation jobs."""

    task_id = id_field(required=False)
    job_id = id_field(required=False)
