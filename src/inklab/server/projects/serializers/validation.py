"""``JobWriteRequest`` (a ground-truth job), ``ValidationParamsRequest`` and the validation
layouts of tasks and jobs (``TaskValidationLayoutRead``/``PatchedTaskValidationLayoutWriteRequest``,
``JobValidationLayoutRead``/``PatchedJobValidationLayoutWriteRequest``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.server.api.integers import UINT32, id_field, int_field
from inklab.server.api.strict import StrictFields
from inklab.server.errors import InvalidInput
from inklab.server.projects.validation import NO_HONEYPOTS, FrameSelection
from inklab.vocabulary import FrameSelectionMethod, JobStage, JobState, JobType, ValidationMode

__all__ = [
    "JobCreateSerializer",
    "JobLayoutSerializer",
    "JobLayoutWriteSerializer",
    "TaskLayoutSerializer",
    "TaskLayoutWriteSerializer",
    "ValidationParamsSerializer",
]

_METHODS = [m.value for m in FrameSelectionMethod]


def _frames(child: serializers.Field) -> serializers.ListField:
    return serializers.ListField(child=child, required=False, max_length=1_000_000)


def _share() -> serializers.FloatField:
    return serializers.FloatField(required=False, min_value=0.0, max_value=1.0)


def _check_selection(attrs: dict[str, Any], *, by_name: bool = False) -> None:
    """The method's fields, checked now: a 400 naming those that do not fit."""
    try:
        FrameSelection.from_data(attrs, by_name=by_name)
    except InvalidInput as exc:
        raise serializers.ValidationError(exc.detail) from None


class JobCreateSerializer(StrictFields, serializers.Serializer):
    """``JobWriteRequest``: a ground-truth job of a task, its frames chosen by a method."""

    task_id = id_field()
    type = serializers.ChoiceField(choices=[t.value for t in JobType])
    assignee = id_field(required=False, allow_null=True)
    stage = serializers.ChoiceField(choices=[s.value for s in JobStage], required=False)
    state = serializers.ChoiceField(choices=[s.value for s in JobState], required=False)
    frame_selection_method = serializers.ChoiceField(choices=_METHODS, required=False)
    frame_count = int_field((1, UINT32[1]), required=False)
    frame_share = _share()
    frames_per_job_count = int_field((1, UINT32[1]), required=False)
    frames_per_job_share = _share()
    random_seed = int_field((0, UINT32[1]), required=False)
    seed = int_field((0, UINT32[1]), required=False)
    frames = _frames(int_field(UINT32))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("type") == JobType.GROUND_TRUTH:
            _check_selection(attrs)
        return attrs


class ValidationParamsSerializer(StrictFields, serializers.Serializer):
    """``ValidationParamsRequest`` of a task's data: ``mode`` ``gt`` makes a ground-truth job."""

    mode = serializers.ChoiceField(choices=[m.value for m in ValidationMode])
    frame_selection_method = serializers.ChoiceField(choices=_METHODS)
    random_seed = int_field((0, UINT32[1]), required=False)
    frames = _frames(serializers.CharField(min_length=1, max_length=1024))
    frame_count = int_field((1, UINT32[1]), required=False)
    frame_share = _share()
    frames_per_job_count = int_field((1, UINT32[1]), required=False)
    frames_per_job_share = _share()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["mode"] != ValidationMode.GT:
            raise serializers.ValidationError({"mode": [NO_HONEYPOTS]})
        _check_selection(attrs, by_name=True)
        return attrs


class TaskLayoutSerializer(serializers.Serializer):
    """``TaskValidationLayoutRead``."""

    mode = serializers.ChoiceField(choices=[m.value for m in ValidationMode], allow_null=True, read_only=True)
    frames_per_job_count = serializers.IntegerField(allow_null=True, read_only=True)
    validation_frames = serializers.ListField(child=serializers.IntegerField(min_value=0))
    disabled_frames = serializers.ListField(child=serializers.IntegerField(min_value=0))
    honeypot_count = serializers.IntegerField(min_value=0)
    honeypot_frames = serializers.ListField(child=serializers.IntegerField(min_value=0))
    honeypot_real_frames = serializers.ListField(child=serializers.IntegerField(min_value=0))


class TaskLayoutWriteSerializer(StrictFields, serializers.Serializer):
    """``PatchedTaskValidationLayoutWriteRequest``: ``disabled_frames``; honeypot fields refused."""

    unsupported = {"frame_selection_method": NO_HONEYPOTS, "honeypot_real_frames": NO_HONEYPOTS}

    disabled_frames = _frames(int_field(UINT32))
    frame_selection_method = serializers.ChoiceField(choices=_METHODS, required=False)
    honeypot_real_frames = _frames(int_field(UINT32))


class JobLayoutSerializer(serializers.Serializer):
    """``JobValidationLayoutRead``."""

    honeypot_count = serializers.IntegerField(min_value=0)
    honeypot_frames = serializers.ListField(child=serializers.IntegerField(min_value=0))
    honeypot_real_frames = serializers.ListField(child=serializers.IntegerField(min_value=0))


class JobLayoutWriteSerializer(StrictFields, serializers.Serializer):
    """``PatchedJobValidationLayoutWriteRequest``: only honeypot fields, all refused here."""

    unsupported = {"frame_selection_method": NO_HONEYPOTS, "honeypot_real_frames": NO_HONEYPOTS}

    frame_selection_method = serializers.ChoiceField(choices=_METHODS, required=False)
    honeypot_real_frames = _frames(int_field(UINT32))
