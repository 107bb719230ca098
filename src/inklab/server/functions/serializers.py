"""Functions (``/api/functions``), annotation requests in CVAT's ``FunctionCall`` shape, and
the bodies of interactive calls (``POST /api/lambda/functions/{id}``).

``FunctionCall`` (``/api/lambda/requests``) reports ``progress`` as a whole percentage and
names the function by id, as a string; inklab adds ``owner``, ``cleanup`` and the counts of
annotations written.

An interactive call names the frame (``frame``, with ``job`` and/or ``task``) and what the
function's kind needs: an interactor's prompts (``pos_points``, ``neg_points`` as ``[x, y]``
pairs, ``obj_bbox`` as two corners), a tracker's ``shapes`` to start following or the
``states`` it returned before, a detector's ``mapping``, ``threshold`` and ``conv_mask_to_poly``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inklab.server.api.integers import UINT32, id_field, int_field
from inklab.server.api.strict import StrictFields
from inklab.server.functions.models import AnnotationRequest, Function
from inklab.server.functions.presence import agents_online
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.vocabulary import FunctionKind, FunctionProvider, FunctionVisibility, ShapeType

__all__ = [
    "CallResultSerializer",
    "FunctionCallReadSerializer",
    "FunctionCallWriteSerializer",
    "FunctionReadSerializer",
    "FunctionWriteSerializer",
    "InteractiveCallSerializer",
    "LambdaFunctionSerializer",
]

#: The most prompt points, tracked shapes or states one interactive call may carry.
MAX_PROMPTS = 100
_COORDINATE = {"min_value": -1e6, "max_value": 1e6}
_SHAPE_TYPES = [t.value for t in ShapeType]


class FunctionReadSerializer(serializers.ModelSerializer):
    """A function; ``agents_online`` counts the event streams its agents hold open now."""

    owner = BasicUserSerializer(read_only=True, allow_null=True)
    supported_shape_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    agents_online = serializers.SerializerMethodField()

    class Meta:
        model = Function
        fields = ["id", "provider", "kind", "name", "description", "visibility", "owner", "organization", "labels_v2",
                  "min_pos_points", "min_neg_points", "startswith_box", "startswith_box_optional",
                  "supported_shape_types", "agents_online", "last_seen", "created_date", "updated_date"]
        read_only_fields = fields

    def get_agents_online(self, function: Function) -> int:
        counted = getattr(function, "streams_open", None)  # annotated by the list views
        return counted if counted is not None else agents_online(function)


@extend_schema_field({"type": "array", "items": {"type": "object"}})
class _LabelSpecsField(serializers.JSONField):
    """Label specs, checked (with messages naming the entry) by :mod:`inklab.server.functions.labels`."""


class FunctionWriteSerializer(StrictFields, serializers.Serializer):
    """The body of ``POST /api/functions`` (cvat-cli ``function create-native``)."""

    provider = serializers.ChoiceField(choices=[p.value for p in FunctionProvider], default=FunctionProvider.NATIVE)
    name = serializers.CharField(max_length=256)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=[v.value for v in FunctionVisibility],
                                         default=FunctionVisibility.PRIVATE)
    kind = serializers.ChoiceField(choices=[k.value for k in FunctionKind], default=FunctionKind.DETECTOR)
    labels_v2 = _LabelSpecsField(required=False, default=list,
                                 help_text="The labels the function outputs, as cvat-cli describes them.")
    min_pos_points = int_field((0, MAX_PROMPTS), required=False, help_text="interactors only")
    min_neg_points = int_field((-1, MAX_PROMPTS), required=False,
                               help_text="interactors only; -1 or absent: no negative points allowed")
    startswith_box = serializers.BooleanField(required=False, help_text="interactors only: a box is required")
    startswith_box_optional = serializers.BooleanField(required=False,
                                                       help_text="interactors only: a box is allowed")
    supported_shape_types = serializers.ListField(child=serializers.ChoiceField(choices=_SHAPE_TYPES),
                                                  required=False, max_length=len(_SHAPE_TYPES),
                                                  help_text="trackers only: the shape types it follows")

    _KIND_FIELDS = {
        FunctionKind.DETECTOR: {"labels_v2"},
        FunctionKind.INTERACTOR: {"min_pos_points", "min_neg_points", "startswith_box", "startswith_box_optional"},
        FunctionKind.TRACKER: {"supported_shape_types"},
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", FunctionKind.DETECTOR)
        errors = {}
        for other, names in self._KIND_FIELDS.items():
            if other == kind:
                continue
            for name in names:
                value = self.initial_data.get(name) if isinstance(self.initial_data, dict) else None
                if value not in (None, [], False):
                    errors[name] = [f"Only '{other}' functions have this field; this is a '{kind}'."]
        if kind == FunctionKind.INTERACTOR and attrs.get("startswith_box") and attrs.get("startswith_box_optional"):
            errors["startswith_box_optional"] = ["A box cannot be both required and optional."]
        if kind == FunctionKind.TRACKER and not attrs.get("supported_shape_types"):
            errors["supported_shape_types"] = ["A tracker must name the shape types it follows."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class LambdaFunctionSerializer(serializers.ModelSerializer):
    """A native function as ``/api/lambda/functions`` lists functions (for the web UI)."""

    id = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    framework = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()

    class Meta:
        model = Function
        fields = ["id", "kind", "name", "description", "labels", "labels_v2", "framework", "version", "provider",
                  "min_pos_points", "min_neg_points", "startswith_box", "startswith_box_optional",
                  "supported_shape_types"]
        read_only_fields = fields

    def get_id(self, function: Function) -> str:
        return str(function.pk)

    def get_labels(self, function: Function) -> list[str]:
        return [label["name"] for label in function.labels_v2]

    def get_framework(self, function: Function) -> str:
        return "native"

    def get_version(self, function: Function) -> int:
        return 1


class FunctionCallReadSerializer(serializers.ModelSerializer):
    function = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    enqueued = serializers.DateTimeField(source="created_date")
    started = serializers.DateTimeField(source="started_date", allow_null=True)
    ended = serializers.DateTimeField(source="finished_date", allow_null=True)
    exc_info = serializers.SerializerMethodField()
    owner = BasicUserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AnnotationRequest
        fields = ["id", "function", "status", "progress", "enqueued", "started", "ended", "exc_info", "owner",
                  "cleanup", "result_tags", "result_shapes"]
        read_only_fields = fields

    def get_function(self, request: AnnotationRequest) -> dict[str, Any]:
        return {"id": str(request.function_id), "task": request.task_id, "job": request.job_id,
                "threshold": request.threshold}

    def get_progress(self, request: AnnotationRequest) -> int:
        return round(request.progress * 100)

    def get_exc_info(self, request: AnnotationRequest) -> str | None:
        return request.message or None


class FunctionCallWriteSerializer(StrictFields, serializers.Serializer):
    """``FunctionCallRequest``: run a function over a task (or one of its jobs)."""

    function = serializers.CharField(help_text="the function's id: 5, '5' or 'function:5'")
    task = id_field()
    job = id_field(required=False, allow_null=True)
    threshold = serializers.FloatField(required=False, allow_null=True, min_value=0.0, max_value=1.0)
    cleanup = serializers.BooleanField(required=False, default=False)
    conv_mask_to_poly = serializers.BooleanField(required=False)
    convMaskToPoly = serializers.BooleanField(required=False, write_only=True)  # noqa: N815 - CVAT's name
    mapping = serializers.DictField(required=False, allow_null=True)
    quality = serializers.ChoiceField(choices=["compressed", "original"], required=False)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("function"), int):
            data = {**data, "function": str(data["function"])}
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["conv_mask_to_poly"] = bool(attrs.get("conv_mask_to_poly", attrs.pop("convMaskToPoly", False)))
        attrs.pop("convMaskToPoly", None)
        return attrs


def _point_list(**kwargs: Any) -> serializers.ListField:
    point = serializers.ListField(child=serializers.FloatField(**_COORDINATE), min_length=2, max_length=2)
    kwargs.setdefault("max_length", MAX_PROMPTS)
    return serializers.ListField(child=point, **kwargs)


class _TrackedShapeSerializer(StrictFields, serializers.Serializer):
    type = serializers.ChoiceField(choices=_SHAPE_TYPES)
    points = serializers.ListField(child=serializers.FloatField(**_COORDINATE), min_length=2, max_length=1000)


class InteractiveCallSerializer(StrictFields, serializers.Serializer):
    """``OnlineFunctionCallRequest``: one interactive call; which fields apply depends on the kind."""

    job = id_field(required=False, allow_null=True, help_text="the job being annotated (its task is implied)")
    task = id_field(required=False, allow_null=True, help_text="the task, when no job is named")
    frame = int_field(UINT32, help_text="the frame number within the task")
    pos_points = _point_list(required=False, help_text="interactors: [x, y] points on the object")
    neg_points = _point_list(required=False, help_text="interactors: [x, y] points off the object")
    obj_bbox = _point_list(required=False, allow_null=True, max_length=2,
                           help_text="interactors: the box's two corners [[x1, y1], [x2, y2]]")
    shapes = serializers.ListField(child=_TrackedShapeSerializer(), required=False, max_length=MAX_PROMPTS,
                                   help_text="trackers: shapes to start following on this frame")
    states = serializers.ListField(child=serializers.CharField(max_length=256), required=False,
                                   max_length=MAX_PROMPTS,
                                   help_text="trackers: the states an earlier call returned, to follow onto this frame")
    mapping = serializers.DictField(required=False, allow_null=True, help_text="detectors: label mapping")
    threshold = serializers.FloatField(required=False, allow_null=True, min_value=0.0, max_value=1.0)
    conv_mask_to_poly = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("job") is None and attrs.get("task") is None:
            raise serializers.ValidationError({"job": ["Name the job (or the task) the frame belongs to."]})
        if attrs.get("obj_bbox") is not None and len(attrs["obj_bbox"]) not in (0, 2):
            raise serializers.ValidationError({"obj_bbox": ["Expected two corners: [[x1, y1], [x2, y2]]."]})
        return attrs


@extend_schema_field({"type": "object", "additionalProperties": True})
class _AnyObject(serializers.JSONField):
    pass


class CallResultSerializer(serializers.Serializer):
    """What an interactive call answers, by kind: an interactor's ``shapes`` (``type``,
    ``points``, ``attributes``); a tracker's ``states`` and ``shapes`` (null where it lost the
    object); a detector's ``tags`` and ``shapes`` in the task's labels. ``latency_ms`` is the
    time the server waited for the agent."""

    shapes = serializers.ListField(child=_AnyObject(allow_null=True), required=False)
    states = serializers.ListField(child=serializers.CharField(), required=False)
    tags = serializers.ListField(child=_AnyObject(), required=False)
    latency_ms = serializers.FloatField()
