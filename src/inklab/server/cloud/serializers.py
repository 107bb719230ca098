"""``CloudStorageRead`` and ``CloudStorageWriteRequest`` (secrets are write-only: never read back)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.server.api.strict import StrictFields
from inklab.server.cloud.models import CloudStorage
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.vocabulary import CloudCredentialsType, CloudProviderType

__all__ = ["CloudStorageReadSerializer", "CloudStorageWriteSerializer"]


class CloudStorageReadSerializer(serializers.ModelSerializer):
    owner = BasicUserSerializer(read_only=True, allow_null=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True, allow_null=True)

    class Meta:
        model = CloudStorage
        fields = ["id", "owner", "manifests", "created_date", "updated_date", "provider_type", "resource",
                  "display_name", "credentials_type", "specific_attributes", "description", "organization"]


class CloudStorageWriteSerializer(StrictFields, serializers.Serializer):
    unsupported = {"key_file": "Key files are used by Google Cloud Storage, which this server does not "
                               "provide: pip install 'inklab[gcs]'."}

    provider_type = serializers.ChoiceField(choices=[m.value for m in CloudProviderType])
    resource = serializers.CharField(min_length=1, max_length=222)
    display_name = serializers.CharField(min_length=1, max_length=63)
    credentials_type = serializers.ChoiceField(choices=[m.value for m in CloudCredentialsType])
    session_token = serializers.CharField(max_length=440, required=False, allow_blank=True, write_only=True)
    account_name = serializers.CharField(max_length=24, required=False, allow_blank=True, write_only=True)
    key = serializers.CharField(max_length=40, required=False, allow_blank=True, write_only=True)
    secret_key = serializers.CharField(max_length=64, required=False, allow_blank=True, write_only=True)
    connection_string = serializers.CharField(max_length=1024, required=False, allow_blank=True, write_only=True)
    key_file = serializers.FileField(required=False, allow_null=True, write_only=True)
    specific_attributes = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    manifests = serializers.ListField(child=serializers.CharField(min_length=1, max_length=1024), required=False)

    def validate_resource(self, value: str) -> str:
        if "/" in value or value != value.strip():
            raise serializers.ValidationError("A bucket or container name, without '/' or surrounding spaces.")
        return value

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        values.pop("key_file", None)
        return values
