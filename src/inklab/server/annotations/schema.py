"""OpenAPI description of the annotation payload (``LabeledData``) and of its endpoints.

The views read and write raw JSON checked by :mod:`~inklab.server.annotations.validation`;
these serializers only describe that JSON, in CVAT's component names.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from inklab.server.annotations.validation import FRAME, GROUP, Z_ORDER
from inklab.server.api.integers import INT64, id_field, int_field
from inklab.server.api.schema import query
from inklab.vocabulary import ObjectSource, ShapeType

__all__ = ["LabeledDataSerializer", "annotations"]


class AttributeValSerializer(serializers.Serializer):
    spec_id = id_field(help_text="The attribute's id (see /api/labels).")
    value = serializers.CharField(allow_blank=True, help_text="Always a string: 'true', '3', 'red'.")

    class Meta:
        ref_name = "AttributeVal"


class _ObjectSerializer(serializers.Serializer):
    id = id_field(required=False, allow_null=True,
                  help_text="Given by the server; send it to update or delete. Without it, update creates.")
    frame = int_field(FRAME)
    label_id = id_field()
    group = int_field(GROUP, required=False, default=0, allow_null=True)
    source = serializers.ChoiceField(choices=[s.value for s in ObjectSource], required=False, default="manual")
    attributes = AttributeValSerializer(many=True, required=False)


class LabeledImageSerializer(_ObjectSerializer):
    """A tag: a label on a whole frame."""

    class Meta:
        ref_name = "LabeledImage"


class _GeometrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[t.value for t in ShapeType])
    occluded = serializers.BooleanField(required=False, default=False)
    outside = serializers.BooleanField(required=False, default=False)
    z_order = int_field(Z_ORDER, required=False, default=0)
    rotation = serializers.FloatField(required=False, default=0.0,
                                      help_text="Degrees clockwise; stored modulo 360 (0 <= rotation < 360).")
    points = serializers.ListField(child=serializers.FloatField(), required=False,
                                   help_text="x1, y1, x2, y2, ...; masks: RLE counts then the box.")


class SubLabeledShapeSerializer(_ObjectSerializer, _GeometrySerializer):
    """A point of a skeleton shape."""

    class Meta:
        ref_name = "SubLabeledShape"


class LabeledShapeSerializer(_ObjectSerializer, _GeometrySerializer):
    score = serializers.FloatField(required=False, default=1.0, min_value=0.0, max_value=1.0)
    elements = SubLabeledShapeSerializer(many=True, required=False, help_text="Skeletons: one per point.")

    class Meta:
        ref_name = "LabeledShape"


class TrackedShapeSerializer(_GeometrySerializer):
    id = id_field(required=False, allow_null=True)
    frame = int_field(FRAME)
    attributes = AttributeValSerializer(many=True, required=False, help_text="Mutable attributes.")

    class Meta:
        ref_name = "TrackedShape"


class SubLabeledTrackSerializer(_ObjectSerializer):
    shapes = TrackedShapeSerializer(many=True)

    class Meta:
        ref_name = "SubLabeledTrack"


class LabeledTrackSerializer(_ObjectSerializer):
    shapes = TrackedShapeSerializer(many=True, help_text="Keyframes, in frame order.")
    elements = SubLabeledTrackSerializer(many=True, required=False, help_text="Skeletons: one per point.")

    class Meta:
        ref_name = "LabeledTrack"


class LabeledDataSerializer(serializers.Serializer):
    version = int_field((0, INT64[1]), required=False, help_text="Grows with every change; a job's grows only with changes on its frames.")
    tags = LabeledImageSerializer(many=True, required=False)
    shapes = LabeledShapeSerializer(many=True, required=False)
    tracks = LabeledTrackSerializer(many=True, required=False)

    class Meta:
        ref_name = "LabeledData"


def _if_version() -> list[OpenApiParameter]:
    return [
        query("version", "Write only if the annotations are still at this version (as read from GET); otherwise "
              "409 with the current version. If-Match with the GET's ETag does the same.", int, bounds=(0, INT64[1])),
        OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False,
                         description='The ETag of a GET ("3"): write only if the annotations are still at it.'),
    ]


annotations = extend_schema_view(
    get=extend_schema(summary="Get the annotations", responses=LabeledDataSerializer),
    put=extend_schema(summary="Replace the annotations", request=LabeledDataSerializer,
                      parameters=_if_version(), responses=LabeledDataSerializer),
    patch=extend_schema(
        summary="Add, change or delete some annotations",
        parameters=[query("action", "What to do with the objects of the body.", required=True,
                          enum=["create", "update", "delete"]), *_if_version()],
        request=LabeledDataSerializer, responses=LabeledDataSerializer,
    ),
    delete=extend_schema(summary="Delete all annotations", parameters=_if_version(), responses={204: None}),
)
