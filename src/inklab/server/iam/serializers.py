"""Serializers for users, login, registration and access tokens (CVAT field names)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.reverse import reverse

from inklab.server.api.strict import StrictFields
from inklab.server.iam.models import AccessToken

__all__ = [
    "AccessTokenReadSerializer",
    "AccessTokenWriteSerializer",
    "BasicUserSerializer",
    "LoginSerializer",
    "PasswordChangeSerializer",
    "RegisterSerializer",
    "UserSerializer",
]

User = get_user_model()


class BasicUserSerializer(serializers.ModelSerializer):
    """``BasicUser``: what other users may see of a user (owners, assignees)."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["url", "id", "username", "first_name", "last_name"]

    def get_url(self, user: Any) -> str:
        return reverse("user-detail", args=[user.pk], request=self.context.get("request"))


class UserSerializer(BasicUserSerializer):
    """``User``: the full record, for the user themself and for admins."""

    groups = serializers.SerializerMethodField()
    has_analytics_access = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "url", "id", "username", "first_name", "last_name", "email", "groups",
            "is_staff", "is_superuser", "is_active", "last_login", "date_joined",
            "has_analytics_access",
        ]
        read_only_fields = ["last_login", "date_joined", "groups", "has_analytics_access"]

    def get_groups(self, user: Any) -> list[str]:
        if user.is_superuser:
            return ["admin"]
        return [g.name for g in user.groups.all()] or ["user"]

    def get_has_analytics_access(self, user: Any) -> bool:
        return False


class UserWriteSerializer(StrictFields, serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "is_active", "is_staff", "is_superuser"]


class LoginSerializer(StrictFields, serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("username") and not attrs.get("email"):
            raise serializers.ValidationError("Provide a username or an email address.")
        return attrs


class RegisterSerializer(StrictFields, serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    password1 = serializers.CharField(write_only=True, trim_whitespace=False)
    password2 = serializers.CharField(write_only=True, trim_whitespace=False)
    first_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value

    def validate_email(self, value: str) -> str:
        if value and User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError("A user with that email address already exists.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["password1"] != attrs["password2"]:
            raise serializers.ValidationError({"password2": ["The two passwords do not match."]})
        candidate = User(username=attrs["username"], email=attrs["email"],
                         first_name=attrs["first_name"], last_name=attrs["last_name"])
        try:
            validate_password(attrs["password1"], candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password1": list(exc.messages)}) from exc
        return attrs


class PasswordChangeSerializer(StrictFields, serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password1 = serializers.CharField(trim_whitespace=False)
    new_password2 = serializers.CharField(trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        if not user.check_password(attrs["old_password"]):
            raise serializers.ValidationError({"old_password": ["The old password is wrong."]})
        if attrs["new_password1"] != attrs["new_password2"]:
            raise serializers.ValidationError({"new_password2": ["The two passwords do not match."]})
        try:
            validate_password(attrs["new_password1"], user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"new_password1": list(exc.messages)}) from exc
        return attrs


class AccessTokenReadSerializer(serializers.ModelSerializer):
    owner = BasicUserSerializer(read_only=True)

    class Meta:
        model = AccessToken
        fields = ["id", "name", "created_date", "updated_date", "expiry_date", "last_used_date",
                  "read_only", "owner"]
        read_only_fields = fields


#: The earliest expiry date a token may have. Dates are written with four-digit years; earlier
#: years came back as "446-10-11T...", which is not a date-time.
EARLIEST_EXPIRY = datetime(1970, 1, 1, tzinfo=UTC)


class AccessTokenWriteSerializer(StrictFields, serializers.ModelSerializer):
    class Meta:
        model = AccessToken
        fields = ["name", "expiry_date", "read_only"]
        extra_kwargs = {"name": {"max_length": 50}}

    def validate_expiry_date(self, value: datetime | None) -> datetime | None:
        if value is not None and value < EARLIEST_EXPIRY:
            raise serializers.ValidationError("The expiry date must be in 1970 or later.")
        return value
