"""The documents of a backup, ``task.json`` and ``project.json``, checked before anything is restored.

A backup comes from outside like any upload: its documents are checked field by field – type,
range, and against each other – before a row or a file is made, and a wrong one is refused
naming the file and the field (``tasks/0/task.json: frames[3].mime_type: ...``). Where the API
has a rule it is the one applied: label specs go through the label serializer (and then the
rules of :func:`~inklab.server.projects.labels.apply_label_specs`), the frame parameters
through :meth:`~inklab.server.media.ingest.DataParams.from_request`, frame types through
:mod:`inklab.server.media.images`, a task's quality and consensus settings through the serializers
of ``PATCH /api/quality/settings/{id}`` and ``PATCH /api/consensus/settings/{id}``. Keys a
document may not have are refused, not ignored.

What is checked here is the document; the frames' bytes are checked as they are restored
(:mod:`.backups`: each must decode as the image type, width and height its entry claims) and
the annotations as any written through the API.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from inklab.server.consensus.serializers import ConsensusSettingsWriteSerializer
from inklab.server.errors import InvalidInput
from inklab.server.media.images import FRAME_TYPES, served_type
from inklab.server.media.ingest import DataParams
from inklab.server.media.sources import IMAGE_EXTENSIONS
from inklab.server.projects.serializers.labels import LabelWriteSerializer, SublabelWriteSerializer
from inklab.server.projects.serializers.tasks import MAX_REPLICAS
from inklab.server.quality.serializers import QualitySettingsWriteSerializer
from inklab.vocabulary import (
    ChunkType,
    JobStage,
    JobState,
    JobType,
    MediaType,
    SortingMethod,
    StatusChoice,
    TaskMode,
    ValidationMode,
)

__all__ = ["check_project_document", "check_task_document"]

#: the largest value of the database's integer columns (PostgreSQL ``integer``)
_MAX_INT = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FILE = re.compile(r"^[0-9]{1,10}\.[a-z0-9]{1,5}$")


def _count(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=_MAX_INT, **kwargs)


def _choice(values: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[v.value for v in values], **kwargs)


class _Strict(serializers.Serializer):
    """A serializer that refuses keys it does not know."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({unknown[0]: ["This key is not part of a backup."]})
        return super().to_internal_value(data)


class _Frame(_Strict):
    number = _count()
    name = serializers.CharField(max_length=1024, trim_whitespace=False)
    width = serializers.IntegerField(min_value=1, max_value=_MAX_INT)
    height = serializers.IntegerField(min_value=1, max_value=_MAX_INT)
    file = serializers.CharField(max_length=64, trim_whitespace=False)
    mime_type = serializers.CharField(max_length=32)

    def validate_name(self, value: str) -> str:
        parts = value.split("/")
        if _CONTROL.search(value) or value.startswith("/") or "\\" in value or ".." in parts or "" in parts:
            raise serializers.ValidationError(f"'{value}' is not a frame name (a relative path without '..').")
        return value

    def validate_file(self, value: str) -> str:
        if not _FILE.match(value) or "." + value.rsplit(".", 1)[1] not in IMAGE_EXTENSIONS:
            raise serializers.ValidationError(f"'{value}' is not the name of a stored frame (<number>.<image "
                                              "extension>).")
        return value

    def validate_mime_type(self, value: str) -> str:
        if served_type(value) is None:
            raise serializers.ValidationError(f"'{value}' is not the type of a frame (one of "
                                              f"{', '.join(sorted(set(FRAME_TYPES.values())))}).")
        return value


class _Job(_Strict):
    start_frame = _count()
    stop_frame = _count()
    stage = _choice(JobStage)
    state = _choice(JobState)
    type = _choice(JobType)
    #: a ground-truth job's frames (empty for the other types; absent from version 1 backups)
    frames = serializers.ListField(child=_count(), max_length=None, required=False, default=list)
    #: a replica's annotation job: its index in ``jobs`` (null for the other types)
    parent = _count(allow_null=True, required=False, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["stop_frame"] < attrs["start_frame"]:
            raise serializers.ValidationError({"stop_frame": ["A job's stop_frame comes before its start_frame."]})
        frames = attrs["frames"]
        if attrs["type"] == JobType.GROUND_TRUTH:
            if not frames or len(set(frames)) != len(frames):
                raise serializers.ValidationError({"frames": ["A ground-truth job lists its frames, each once."]})
            if min(frames) < attrs["start_frame"] or max(frames) > attrs["stop_frame"]:
                raise serializers.ValidationError({"frames": ["A ground-truth job's frames lie between its "
                                                              "start_frame and stop_frame."]})
        elif frames:
            raise serializers.ValidationError({"frames": ["Only a ground-truth job lists frames."]})
        if (attrs["parent"] is None) == (attrs["type"] == JobType.REPLICA):
            raise serializers.ValidationError({"parent": ["A replica job names its annotation job (and only a "
                                                          "replica job does)."]})
        return attrs


class _Sublabel(SublabelWriteSerializer):
    # Earlier backups gave each skeleton point an empty svg; it means nothing.
    svg = serializers.CharField(required=False, allow_blank=True, max_length=0)


class _Label(LabelWriteSerializer):
    sublabels = _Sublabel(many=True, required=False, default=list)


class _Task(_Strict):
    name = serializers.CharField(max_length=256)
    bug_tracker = serializers.CharField(max_length=2000, allow_blank=True)
    subset = serializers.CharField(max_length=64, allow_blank=True)
    status = _choice(StatusChoice)
    overlap = _count(allow_null=True)
    segment_size = _count()
    size = _count()
    chunk_size = serializers.IntegerField(min_value=1, max_value=_MAX_INT, allow_null=True)
    image_quality = serializers.IntegerField(min_value=1, max_value=100)
    sorting_method = _choice(SortingMethod)
    start_frame = _count()
    stop_frame = _count()
    frame_filter = serializers.CharField(max_length=256, allow_blank=True)
    media_type = _choice(MediaType)
    mode = _choice(TaskMode)
    original_chunk_type = _choice(ChunkType)
    compressed_chunk_type = _choice(ChunkType)
    deleted_frames = serializers.ListField(child=_count(), max_length=None)
    # absent from version 1 backups
    validation_mode = serializers.ChoiceField(choices=["", ValidationMode.GT.value], required=False, default="")
    validation_disabled_frames = serializers.ListField(child=_count(), max_length=None, required=False,
                                                       default=list)
    consensus_replicas = serializers.IntegerField(min_value=0, max_value=MAX_REPLICAS, required=False, default=0)
    # absent from version 1 and 2 backups (the task then gets the default settings): the body of
    # the settings' PATCH, checked by the same serializer; a field left out keeps its default
    quality_settings = QualitySettingsWriteSerializer(required=False)
    consensus_settings = ConsensusSettingsWriteSerializer(required=False)
    labels = _Label(many=True)
    jobs = _Job(many=True)
    frames = _Frame(many=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        frames, jobs = attrs["frames"], attrs["jobs"]
        count = len(frames)
        if attrs["size"] != count:
            raise serializers.ValidationError({"size": [f"{attrs['size']} is not the number of frames ({count})."]})
        for index, frame in enumerate(frames):
            if frame["number"] != index:
                raise serializers.ValidationError({"frames": [f"frames[{index}] has number {frame['number']}; "
                                                              "frames are numbered 0, 1, 2... in order."]})
        for key in ("name", "file"):
            seen: set[str] = set()
            for index, frame in enumerate(frames):
                if frame[key] in seen:
                    raise serializers.ValidationError({"frames": [f"frames[{index}].{key} '{frame[key]}' is "
                                                                  "given twice."]})
                seen.add(frame[key])
        deleted = attrs["deleted_frames"]
        outside = [n for n in deleted if n >= count]
        if outside or len(set(deleted)) != len(deleted):
            raise serializers.ValidationError({"deleted_frames": [
                f"frame {outside[0]} is not a frame of the task (0..{count - 1})." if outside
                else "a frame is listed twice."]})
        self._check_jobs(jobs, count)
        self._check_layers(attrs)
        if count and attrs["chunk_size"] is None:
            raise serializers.ValidationError({"chunk_size": ["A task with frames needs a chunk_size."]})
        if attrs["stop_frame"] < attrs["start_frame"]:
            raise serializers.ValidationError({"stop_frame": ["stop_frame comes before start_frame."]})
        return attrs

    @staticmethod
    def _check_jobs(jobs: list[dict[str, Any]], count: int) -> None:
        covered = [False] * count
        for index, job in enumerate(jobs):
            if job["stop_frame"] >= count:
                raise serializers.ValidationError({"jobs": [f"jobs[{index}] ends at frame {job['stop_frame']}, "
                                                            f"after the last frame ({count - 1})."]})
            if job["type"] == JobType.ANNOTATION:
                start, stop = job["start_frame"], job["stop_frame"] + 1
                covered[start:stop] = [True] * (stop - start)
        if not all(covered):
            raise serializers.ValidationError({"jobs": [f"frame {covered.index(False)} is in no annotation job."]})

    @staticmethod
    def _check_layers(attrs: dict[str, Any]) -> None:
        """The ground-truth job, the validation fields and the replicas agree with each other."""
        jobs = attrs["jobs"]
        truth = [job for job in jobs if job["type"] == JobType.GROUND_TRUTH]
        if len(truth) > 1:
            raise serializers.ValidationError({"jobs": ["A task has one ground-truth job at most."]})
        if bool(truth) != (attrs["validation_mode"] == ValidationMode.GT):
            raise serializers.ValidationError({"validation_mode": [
                "is 'gt' exactly when the task has a ground-truth job."]})
        disabled = attrs["validation_disabled_frames"]
        if disabled and (not truth or not set(disabled) <= set(truth[0]["frames"])):
            raise serializers.ValidationError({"validation_disabled_frames": [
                "lists frames of the ground-truth job only."]})
        for index, job in enumerate(jobs):
            if job["parent"] is None:
                continue
            parent = jobs[job["parent"]] if job["parent"] < len(jobs) else None
            if parent is None or parent["type"] != JobType.ANNOTATION:
                raise serializers.ValidationError({"jobs": [f"jobs[{index}].parent is not the index of an "
                                                            "annotation job."]})
            if (parent["start_frame"], parent["stop_frame"]) != (job["start_frame"], job["stop_frame"]):
                raise serializers.ValidationError({"jobs": [f"jobs[{index}] covers other frames than its "
                                                            "annotation job."]})


class _Project(_Strict):
    name = serializers.CharField(max_length=256)
    bug_tracker = serializers.CharField(max_length=2000, allow_blank=True)
    status = _choice(StatusChoice)
    labels = _Label(many=True)


def _first_error(errors: Any, path: str = "") -> tuple[str, str]:
    """The first ``(field path, message)`` of DRF's nested errors: ``frames[3].mime_type``."""
    if isinstance(errors, dict):
        key, value = next(iter(errors.items()))
        if key == "non_field_errors":
            return _first_error(value, path)
        if isinstance(key, int):  # an item of a list
            return _first_error(value, f"{path}[{key}]")
        return _first_error(value, f"{path}.{key}" if path else str(key))
    if isinstance(errors, list):
        for index, value in enumerate(errors):
            if value:
                if isinstance(value, (dict, list)):
                    return _first_error(value, f"{path}[{index}]" if isinstance(value, dict) else path)
                return path, str(value)
    return path, str(errors)


def _checked(serializer: serializers.Serializer, file: str) -> dict[str, Any]:
    if not serializer.is_valid():
        field, message = _first_error(serializer.errors)
        raise InvalidInput(f"{file}: {field}: {message}" if field else f"{file}: {message}")
    return dict(serializer.validated_data)


def check_task_document(document: Any, file: str, *, in_project: bool = False) -> dict[str, Any]:
    """``task.json`` checked (InvalidInput naming ``file`` and the field); its fields as Python values.

    A task of a project backup uses the project's labels: its own ``labels`` must be empty.
    """
    if not isinstance(document, dict):
        raise InvalidInput(f"{file}: expected an object with the task's fields.")
    doc = _checked(_Task(data=document), file)
    try:
        DataParams.from_request({key: doc[key] for key in ("image_quality", "chunk_size", "sorting_method",
                                                           "start_frame", "stop_frame", "frame_filter")})
    except InvalidInput as exc:
        raise InvalidInput(f"{file}: {exc.detail}") from exc
    if in_project and doc["labels"]:
        raise InvalidInput(f"{file}: labels: a task of a project backup has the project's labels "
                           "(project.json), not its own.")
    return doc


def check_project_document(document: Any, file: str) -> dict[str, Any]:
    """``project.json`` checked (InvalidInput naming ``file`` and the field)."""
    if not isinstance(document, dict):
        raise InvalidInput(f"{file}: expected an object with the project's fields.")
    return _checked(_Project(data=document), file)
