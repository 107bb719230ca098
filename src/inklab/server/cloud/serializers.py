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


#: a Google service account key file is about 2.4 KB
MAX_KEY_FILE_BYTES = 64 * 1024


class CloudStorageWriteSerializer(StrictFields, serializers.Serializer):
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

    def validate_key_file(self, value: Any) -> str | None:
        """The key file's text (stored encrypted with the other secrets, never the file)."""
        if value is None:
            return None
        if value.size > MAX_KEY_FILE_BYTES:
            raise serializers.ValidationError(f"A key file is at most {MAX_KEY_FILE_BYTES // 1024} KiB.")
        try:
            return str(value.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise serializers.ValidationError("A key file is a JSON text file.") from None
