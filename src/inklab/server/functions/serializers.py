"""Functions (``/api/functions``) and annotation requests in CVAT's ``FunctionCall`` shape.

``FunctionCall`` (``/api/lambda/requests``) reports ``progress`` as a whole percentage and
names the function by id, as a string; inklab adds ``owner``, ``cleanup`` and the counts of
annotations written.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inklab.server.api.integers import id_field
from inklab.server.api.strict import StrictFields
from inklab.server.functions.models import AnnotationRequest, Function
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.vocabulary import FunctionKind, FunctionProvider, FunctionVisibility

__all__ = [
    "FunctionCallReadSerializer",
    "FunctionCallWriteSerializer",
    "FunctionReadSerializer",
    "FunctionWriteSerializer",
    "LambdaFunctionSerializer",
]


class FunctionReadSerializer(serializers.ModelSerializer):
    owner = BasicUserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Function
        fields = ["id", "provider", "kind", "name", "description", "visibility", "owner", "labels_v2",
                  "created_date", "updated_date"]
        read_only_fields = fields


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


class LambdaFunctionSerializer(serializers.ModelSerializer):
    """A native detector as ``/api/lambda/functions`` lists functions (for the web UI)."""

    id = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    framework = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()

    class Meta:
        model = Function
        fields = ["id", "kind", "name", "description", "labels", "labels_v2", "framework", "version", "provider"]
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
