"""Login, logout, registration, users and personal access tokens."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import authenticate, get_user_model, login, logout, update_session_auth_hash
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inklab.server.api.filtering import JsonLogicFilter, SearchFilter, SimpleFilter, SortFilter
from inklab.server.api.parsers import JSONParser
from inklab.server.api.schema import DetailSerializer, error
from inklab.server.errors import Forbidden, InvalidInput
from inklab.server.iam import serializers as s
from inklab.server.iam import services, throttling
from inklab.server.iam.context import context_of
from inklab.server.iam.models import AccessToken
from inklab.server.iam.permissions import is_admin
from inklab.server.iam.rules import Action, Resource, allowed
from inklab.server.iam.users import listed_users, user_relations, visible_user, visible_users

__all__ = ["AccessTokenViewSet", "LoginView", "LogoutView", "PasswordChangeView", "RegisterView", "UserViewSet"]

User = get_user_model()

class _NewAccessTokenSerializer(s.AccessTokenReadSerializer):
    """A new token: the only answer that holds its value."""

    value = serializers.CharField(read_only=True)

    class Meta(s.AccessTokenReadSerializer.Meta):
        fields = [*s.AccessTokenReadSerializer.Meta.fields, "value"]
        ref_name = "AccessTokenCreate"


_TOKEN = inline_serializer("Token", {"key": serializers.CharField()})
_REGISTERED = inline_serializer("RegisterSerializerEx", {
    "username": serializers.CharField(), "email": serializers.EmailField(),
    "first_name": serializers.CharField(), "last_name": serializers.CharField(),
    "email_verification_required": serializers.BooleanField(), "key": serializers.CharField(),
})


class _JsonOnly(APIView):
    """Login and registration take JSON only: a cross-site HTML form can post form-encoded or
    ``text/plain`` bodies but not JSON (that needs a CORS preflight, which is never allowed), so
    no other site can sign a visitor in to an account of its choosing (login CSRF)."""

    parser_classes = [JSONParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and (request.content_type or "").split(";")[0].strip().lower() != "application/json":
            raise exceptions.UnsupportedMediaType(
                request.content_type or "none",
                detail="Send this request as JSON (Content-Type: application/json); form posts are refused.")


def registration_enabled() -> bool:
    return os.environ.get("INKLAB_ALLOW_REGISTRATION", "1").lower() not in {"0", "false", "no", "off"}


class LoginView(_JsonOnly):
    """``POST /api/auth/login``: returns a token and sets the session and CSRF cookies."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(summary="Log in with a username (or email) and password", request=s.LoginSerializer,
                   responses={200: _TOKEN, 415: error(415), 429: error(429)})
    def post(self, request: Request) -> Response:
        data = s.LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data.get("username")
        if not username:
            match = User.objects.filter(email__iexact=data.validated_data["email"]).first()
            username = match.username if match else None
        user = authenticate(request._request, username=username, password=data.validated_data["password"])
        if user is None:
            throttling.check_not_locked_out(request._request, username)
            raise InvalidInput({"non_field_errors": ["Unable to log in with provided credentials."]})
        login(request._request, user)
        get_token(request._request)  # makes the CSRF middleware set the csrftoken cookie
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"key": token.key})


class LogoutView(APIView):
    """``POST /api/auth/logout``: ends the session and revokes the login token."""

    permission_classes = [AllowAny]

    @extend_schema(summary="Log out: end the session and revoke the login token", request=None,
                   responses=DetailSerializer)
    def post(self, request: Request) -> Response:
        if request.user.is_authenticated and not isinstance(request.auth, AccessToken):
            Token.objects.filter(user=request.user).delete()
        logout(request._request)
        return Response({"detail": "Successfully logged out."})


class RegisterView(_JsonOnly):
    """``POST /api/auth/register``: self-service sign-up (``INKLAB_ALLOW_REGISTRATION=0`` disables it)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(summary="Create an account", request=s.RegisterSerializer,
                   responses={201: _REGISTERED, 415: error(415)})
    def post(self, request: Request) -> Response:
        if not registration_enabled():
            raise Forbidden("Registration is disabled on this server; ask an administrator for an account.")
        data = s.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = services.register_user(username=v["username"], password=v["password1"], email=v["email"],
                                      first_name=v["first_name"], last_name=v["last_name"])
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        get_token(request._request)
        token, _ = Token.objects.get_or_create(user=user)
        return Response(
            {"username": user.username, "email": user.email, "first_name": user.first_name,
             "last_name": user.last_name, "email_verification_required": False, "key": token.key},
            status=status.HTTP_201_CREATED,
        )


class PasswordChangeView(APIView):
    """``POST /api/auth/password/change``."""

    @extend_schema(summary="Change the password", request=s.PasswordChangeSerializer, responses=DetailSerializer)
    def post(self, request: Request) -> Response:
        data = s.PasswordChangeSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        request.user.set_password(data.validated_data["new_password1"])
        request.user.save(update_fields=["password"])
        # Other sessions end by themselves: Django checks each session against the password's
        # hash. This one is kept; so is the login token only if it signed this request.
        update_session_auth_hash(request._request, request.user)
        kept = request.auth.key if isinstance(request.auth, Token) else None
        Token.objects.filter(user=request.user).exclude(key=kept).delete()
        tokens = AccessToken.objects.filter(owner=request.user).count()
        detail = "New password has been saved. Your other sessions and login tokens were signed out."
        if tokens:
            detail += (f" Your {tokens} personal access token(s) still work; revoke any that may be compromised "
                       "(/api/auth/access_tokens).")
        return Response({"detail": detail})


@extend_schema_view(partial_update=extend_schema(request=s.UserWriteSerializer, responses=s.UserSerializer))
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                  mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Users, as the ``user`` rules say (see :mod:`.users`): oneself and, in an organization's
    context, its members (only public fields of others); users edit their own names, admins
    everything. A user one may not see is not found."""

    queryset = User.objects.all()
    lookup_value_regex = r"\d+"
    filter_backends = [SearchFilter, SimpleFilter, JsonLogicFilter, SortFilter]
    search_fields = {"username": "username", "first_name": "first_name", "last_name": "last_name"}
    simple_filters = {"username": "username", "first_name": "first_name", "last_name": "last_name",
                      "is_active": "is_active", "id": "id"}
    filter_fields = {"id": "id", "username": "username", "first_name": "first_name",
                     "last_name": "last_name", "is_active": "is_active"}
    ordering_fields = {"id": "id", "username": "username", "first_name": "first_name",
                       "last_name": "last_name", "is_active": "is_active"}
    default_ordering = ("id",)
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        """The users the requester may see in the request's context (a list: in an organization's
        context, its members only)."""
        context = context_of(self.request)
        if self.action == "list":
            return listed_users(self.request.user, context)
        return visible_users(self.request.user, context)

    def get_object(self) -> Any:
        pk = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        return visible_user(self.request.user, pk, context_of(self.request))

    def get_serializer_class(self) -> type:
        if self.action in {"partial_update", "update"}:
            return s.UserWriteSerializer
        if self.action == "current" or is_admin(self.request.user):
            return s.UserSerializer
        if self.action == "retrieve" and str(self.kwargs.get("pk")) == str(self.request.user.pk):
            return s.UserSerializer
        return s.BasicUserSerializer

    @extend_schema(responses=s.UserSerializer)
    @action(detail=False, methods=["get"], url_path="self", url_name="self")
    def current(self, request: Request) -> Response:
        return Response(s.UserSerializer(request.user, context={"request": request}).data)

    def perform_update(self, serializer: Any) -> None:
        user = serializer.instance
        relations = user_relations(self.request.user, user, context_of(self.request))
        if not allowed(Resource.USER, Action.CHANGE, relations):
            raise Forbidden("You can only change your own account.")
        if not is_admin(self.request.user):
            privileged = {"is_active", "is_staff", "is_superuser"} & set(serializer.validated_data)
            if privileged:
                raise Forbidden(f"Only administrators may change: {', '.join(sorted(privileged))}.")
        serializer.save()

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        super().update(request, *args, **kwargs)
        return Response(s.UserSerializer(self.get_object(), context={"request": request}).data)

    def perform_destroy(self, instance: Any) -> None:
        if not allowed(Resource.USER, Action.DELETE, user_relations(self.request.user, instance,
                                                                    context_of(self.request))):
            raise Forbidden("Only administrators may delete users.")
        instance.delete()


class AccessTokenViewSet(viewsets.ModelViewSet):
    """``/api/auth/access_tokens``: a user's personal access tokens."""

    lookup_value_regex = r"\d+"
    filter_backends = [SearchFilter, SortFilter]
    search_fields = {"name": "name"}
    ordering_fields = {"id": "id", "name": "name", "created_date": "created_date",
                       "expiry_date": "expiry_date", "last_used_date": "last_used_date"}
    default_ordering = ("id",)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return AccessToken.objects.filter(owner=self.request.user).select_related("owner")

    def get_serializer_class(self) -> type:
        if self.action in {"create", "partial_update"}:
            return s.AccessTokenWriteSerializer
        return s.AccessTokenReadSerializer

    @extend_schema(request=s.AccessTokenWriteSerializer, responses={201: _NewAccessTokenSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if isinstance(request.auth, AccessToken):
            raise Forbidden("An access token cannot create other access tokens; sign in with a password.")
        data = s.AccessTokenWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, value = AccessToken.issue(request.user, **data.validated_data)
        body = s.AccessTokenReadSerializer(token, context={"request": request}).data
        body["value"] = value
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AccessTokenWriteSerializer, responses=s.AccessTokenReadSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        super().partial_update(request, *args, **kwargs)
        return Response(s.AccessTokenReadSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(responses={200: s.AccessTokenReadSerializer,
                              400: error(400, "This request was not authenticated with an access token.")})
    @action(detail=False, methods=["get"], url_path="self", url_name="self")
    def current(self, request: Request) -> Response:
        if not isinstance(request.auth, AccessToken):
            raise InvalidInput("This request was not authenticated with an access token.")
        return Response(s.AccessTokenReadSerializer(request.auth, context={"request": request}).data)
