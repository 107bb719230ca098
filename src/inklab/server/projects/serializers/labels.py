"""``Label``, ``Sublabel``, ``Attribute`` (read) and ``PatchedLabelRequest`` (write)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.server.api.integers import id_field
from inklab.server.api.strict import StrictFields
from inklab.server.projects.models import AttributeSpec, Label
from inklab.vocabulary import InputType, LabelType

__all__ = ["AttributeSerializer", "LabelSerializer", "LabelWriteSerializer", "SublabelSerializer"]


class AttributeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributeSpec
        fields = ["id", "name", "mutable", "input_type", "default_value", "values"]


class SublabelSerializer(serializers.ModelSerializer):
    attributes = AttributeSerializer(many=True, read_only=True)
    has_parent = serializers.SerializerMethodField()

    class Meta:
        model = Label
        fields = ["id", "name", "color", "attributes", "type", "has_parent"]

    def get_has_parent(self, label: Label) -> bool:
        return True


class LabelSerializer(serializers.ModelSerializer):
    """A top-level label with its attributes and, for skeletons, its points."""

    attributes = AttributeSerializer(many=True, read_only=True)
    sublabels = SublabelSerializer(many=True, read_only=True)
    has_parent = serializers.SerializerMethodField()
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    project_id = serializers.IntegerField(read_only=True, allow_null=True)
    task_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Label
        fields = ["id", "name", "color", "attributes", "type", "svg", "sublabels", "project_id", "task_id",
                  "parent_id", "has_parent"]

    def get_has_parent(self, label: Label) -> bool:
        return label.parent_id is not None


class AttributeWriteSerializer(StrictFields, serializers.Serializer):
    id = id_field(required=False, allow_null=True)
    name = serializers.CharField(max_length=64)
    mutable = serializers.BooleanField(required=False, default=False)
    input_type = serializers.ChoiceField(choices=[t.value for t in InputType])
    values = serializers.ListField(child=serializers.CharField(max_length=200, allow_blank=True), required=False,
                                   default=list)
    default_value = serializers.CharField(max_length=128, required=False, allow_blank=True, allow_null=True)
    deleted = serializers.BooleanField(required=False, default=False)

    def to_internal_value(self, data: Any) -> Any:
        # Users (and the CVAT UI) often send numbers for number-attribute values.
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            data = {**data, "values": [str(v) if isinstance(v, (int, float)) else v for v in data["values"]]}
        if isinstance(data, dict) and isinstance(data.get("input_type"), str):
            data = {**data, "input_type": data["input_type"].lower()}
        return super().to_internal_value(data)


class SublabelWriteSerializer(StrictFields, serializers.Serializer):
    id = id_field(required=False, allow_null=True)
    name = serializers.CharField(max_length=64)
    color = serializers.CharField(max_length=16, required=False, allow_blank=True)
    attributes = AttributeWriteSerializer(many=True, required=False, default=list)
    type = serializers.ChoiceField(choices=[t.value for t in LabelType], required=False)
    has_parent = serializers.BooleanField(required=False)
    deleted = serializers.BooleanField(required=False, default=False)


class LabelWriteSerializer(StrictFields, serializers.Serializer):
    """``PatchedLabelRequest``: one entry of the ``labels`` list of a task or project."""

    id = id_field(required=False, allow_null=True)
    name = serializers.CharField(max_length=64, required=False)
    color = serializers.CharField(max_length=16, required=False, allow_blank=True)
    attributes = AttributeWriteSerializer(many=True, required=False, default=list)
    deleted = serializers.BooleanField(required=False, default=False)
    type = serializers.ChoiceField(choices=[t.value for t in LabelType], required=False)
    svg = serializers.CharField(required=False, allow_blank=True)
    sublabels = SublabelWriteSerializer(many=True, required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("id") is None and not attrs.get("name"):
            raise serializers.ValidationError({"name": ["A new label needs a name."]})
        return attrs
