"""The bodies of the ``/api/server/...`` answers, for the OpenAPI schema (names as in CVAT's)."""

from __future__ import annotations

from rest_framework import serializers

__all__ = ["AboutSerializer", "DatasetFormatsSerializer", "FileInfoSerializer", "HealthSerializer",
           "PluginsSerializer"]


class AboutSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    version = serializers.CharField()
    logo_url = serializers.CharField(allow_blank=True)
    subtitle = serializers.CharField()

    class Meta:
        ref_name = "About"


class DatasetFormatSerializer(serializers.Serializer):
    name = serializers.CharField()
    ext = serializers.CharField(help_text="Comma-separated file extensions, e.g. 'ZIP' or 'JSON, ZIP'.")
    version = serializers.CharField()
    enabled = serializers.BooleanField()
    dimension = serializers.CharField(help_text="'2d' or '3d'.")

    class Meta:
        ref_name = "DatasetFormat"


class DatasetFormatsSerializer(serializers.Serializer):
    importers = DatasetFormatSerializer(many=True)
    exporters = DatasetFormatSerializer(many=True)

    class Meta:
        ref_name = "DatasetFormats"


class PluginsSerializer(serializers.Serializer):
    GIT_INTEGRATION = serializers.BooleanField()
    ANALYTICS = serializers.BooleanField()
    MODELS = serializers.BooleanField()
    PREDICT = serializers.BooleanField()

    class Meta:
        ref_name = "Plugins"


class FileInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=[("DIR", "Directory"), ("REG", "Regular file")])
    mime_type = serializers.CharField(help_text="'DIR' for directories.")

    class Meta:
        ref_name = "FileInfo"


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="'ok' when the server and its database answer.")
    database = serializers.CharField(help_text="The database vendor: 'sqlite' or 'postgresql'.")

    class Meta:
        ref_name = "Health"
