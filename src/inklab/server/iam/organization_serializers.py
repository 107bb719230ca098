"""Serializers of organizations, memberships and invitations (CVAT field names)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.server.api.strict import StrictFields
from inklab.server.iam.models import Invitation, Membership, Organization
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.vocabulary import OrganizationRole, choices

__all__ = [
    "AcceptedInvitationSerializer",
    "BasicOrganizationSerializer",
    "InvitationReadSerializer",
    "InvitationWriteSerializer",
    "MembershipReadSerializer",
    "MembershipWriteSerializer",
    "OrganizationReadSerializer",
    "OrganizationWriteSerializer",
]

_CONTACT_KEYS = 20
_CONTACT_VALUE = 256


class OrganizationReadSerializer(serializers.ModelSerializer):
    owner = BasicUserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "description", "created_date", "updated_date", "contact", "owner"]
        read_only_fields = fields


class OrganizationWriteSerializer(StrictFields, serializers.Serializer):
    """``OrganizationWriteRequest``: ``contact`` maps names (email, phone, ...) to strings."""

    slug = serializers.RegexField(r"^[-a-zA-Z0-9_]+$", min_length=1, max_length=16, error_messages={
        "invalid": "A slug has only letters, digits, '-' and '_'."})
    name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4096, required=False, allow_blank=True)
    contact = serializers.JSONField(required=False)

    def validate_contact(self, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise serializers.ValidationError("Contact is an object of names to strings, e.g. {\"email\": \"...\"}.")
        if len(value) > _CONTACT_KEYS:
            raise serializers.ValidationError(f"Contact has at most {_CONTACT_KEYS} entries.")
        for key, item in value.items():
            if not isinstance(item, str) or len(key) > 64 or len(item) > _CONTACT_VALUE:
                raise serializers.ValidationError(
                    f"Contact entry '{str(key)[:64]}' must be a string of at most {_CONTACT_VALUE} characters "
                    "under a name of at most 64.")
        return value


class BasicOrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "slug"]
        read_only_fields = fields


class MembershipReadSerializer(serializers.ModelSerializer):
    user = BasicUserSerializer(read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    invitation = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "organization", "is_active", "joined_date", "role", "invitation"]
        read_only_fields = fields

    def get_invitation(self, membership: Membership) -> str | None:
        invitation = getattr(membership, "invitation", None)
        return invitation.key if invitation is not None else None


class MembershipWriteSerializer(StrictFields, serializers.Serializer):
    """``PatchedMembershipWriteRequest``."""

    role = serializers.ChoiceField(choices=choices(OrganizationRole))


class InvitationReadSerializer(serializers.ModelSerializer):
    owner = BasicUserSerializer(read_only=True, allow_null=True)
    role = serializers.CharField(source="membership.role", read_only=True)
    user = BasicUserSerializer(source="membership.user", read_only=True)
    organization = serializers.IntegerField(source="membership.organization_id", read_only=True)
    organization_info = BasicOrganizationSerializer(source="membership.organization", read_only=True)
    expired = serializers.BooleanField(read_only=True)
    accepted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["key", "created_date", "owner", "role", "user", "organization", "organization_info",
                  "expired", "accepted"]
        read_only_fields = fields


class InvitationWriteSerializer(StrictFields, serializers.Serializer):
    """``InvitationWriteRequest``: whom (by email) and as what."""

    role = serializers.ChoiceField(choices=choices(OrganizationRole))
    email = serializers.EmailField(max_length=254)


class AcceptedInvitationSerializer(serializers.Serializer):
    """``AcceptInvitationRead``."""

    organization_slug = serializers.CharField(read_only=True)
