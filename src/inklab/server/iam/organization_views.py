"""``/api/organizations``, ``/api/memberships`` and ``/api/invitations``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inklab.server.api.filtering import JsonLogicFilter, SearchFilter, SimpleFilter, SortFilter
from inklab.server.api.schema import error
from inklab.server.iam import organization_serializers as s
from inklab.server.iam import organizations as services
from inklab.server.iam.context import context_of
from inklab.server.iam.models import Invitation, Organization
from inklab.vocabulary import OrganizationRole

__all__ = ["InvitationViewSet", "MembershipViewSet", "OrganizationViewSet"]


def _origin(request: Request) -> str:
    return f"{request.scheme}://{request.get_host()}"


class _Base(viewsets.GenericViewSet):
    filter_backends = [SearchFilter, SimpleFilter, JsonLogicFilter, SortFilter]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_object(self) -> Any:
        # Not-found and invisible objects read alike: no probing for other teams' slugs or keys.
        queryset = self.get_queryset()
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        return services.get_visible(queryset, f"{self.what} {value}", **{self.lookup_field: value})

    what = "Object"


_ORG_FIELDS = {"id": "id", "slug": "slug", "name": "name", "owner": "owner__username"}


@extend_schema_view(
    create=extend_schema(request=s.OrganizationWriteSerializer, responses={
        201: s.OrganizationReadSerializer, 409: error(409, "The slug is taken.")}),
    partial_update=extend_schema(request=s.OrganizationWriteSerializer(partial=True), responses={
        200: s.OrganizationReadSerializer, 409: error(409, "The slug is taken.")}),
)
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Organizations: team workspaces. Their creator becomes their owner."""

    serializer_class = s.OrganizationReadSerializer
    lookup_value_regex = r"\d+"
    search_fields = {"name": "name", "slug": "slug", "owner": "owner__username"}
    simple_filters = {"slug": "slug", "name": "name", "owner": "owner__username"}
    filter_fields = _ORG_FIELDS
    ordering_fields = {**_ORG_FIELDS, "created_date": "created_date", "updated_date": "updated_date"}
    default_ordering = ("id",)
    what = "Organization"

    def get_queryset(self) -> Any:
        return services.visible_organizations(self.request.user).select_related("owner")

    def _validated(self, request: Request, partial: bool = False) -> dict[str, Any]:
        data = s.OrganizationWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _read(self, organization: Organization) -> dict[str, Any]:
        return s.OrganizationReadSerializer(organization, context=self.get_serializer_context()).data

    def create(self, request: Request) -> Response:
        organization = services.create_organization(request.user, self._validated(request))
        return Response(self._read(organization), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        organization = services.update_organization(request.user, self.get_object(),
                                                    self._validated(request, partial=True))
        return Response(self._read(organization))

    @extend_schema(responses={204: None, 403: error(403)})
    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_organization(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


_MEMBER_FIELDS = {"id": "id", "user": "user__username", "role": "role", "is_active": "is_active"}


@extend_schema_view(partial_update=extend_schema(request=s.MembershipWriteSerializer,
                                                 responses=s.MembershipReadSerializer))
class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Memberships of the organizations you belong to (narrowed by the organization context)."""

    serializer_class = s.MembershipReadSerializer
    lookup_value_regex = r"\d+"
    search_fields = {"user": "user__username", "role": "role"}
    simple_filters = {"user": "user__username", "role": "role"}
    filter_fields = _MEMBER_FIELDS
    ordering_fields = _MEMBER_FIELDS
    default_ordering = ("id",)
    what = "Membership"

    def get_queryset(self) -> Any:
        queryset = services.visible_memberships(self.request.user)
        return context_of(self.request).filter(queryset).select_related("user", "invitation")

    def partial_update(self, request: Request, pk: str) -> Response:
        membership = self.get_object()
        data = s.MembershipWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.change_role(request.user, membership, OrganizationRole(data.validated_data["role"]))
        return Response(s.MembershipReadSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(responses={204: None, 403: error(403)})
    def destroy(self, request: Request, pk: str) -> Response:
        services.remove_member(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


_INVITATION_FIELDS = {"owner": "owner__username", "user_id": "membership__user_id",
                      "created_date": "created_date"}


@extend_schema_view(create=extend_schema(request=s.InvitationWriteSerializer, responses={
    201: s.InvitationReadSerializer, 409: error(409, "The user is a member or invited already.")}))
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Invitations you sent or received, and all of the organizations you maintain (narrowed by
    the organization context). Without a mail server they are in-app only."""

    serializer_class = s.InvitationReadSerializer
    lookup_field = "key"
    lookup_value_regex = r"[-_A-Za-z0-9]{1,64}"
    http_method_names = ["get", "post", "delete", "head", "options"]
    search_fields = {"owner": "owner__username"}
    simple_filters = {"owner": "owner__username"}
    filter_fields = _INVITATION_FIELDS
    ordering_fields = _INVITATION_FIELDS
    default_ordering = ("created_date", "key")
    what = "Invitation"

    def get_queryset(self) -> Any:
        queryset = services.visible_invitations(self.request.user)
        queryset = context_of(self.request).filter(queryset, "membership__organization")
        return queryset.select_related("owner", "membership__user", "membership__organization")

    def _read(self, invitation: Invitation) -> dict[str, Any]:
        return s.InvitationReadSerializer(invitation, context=self.get_serializer_context()).data

    def create(self, request: Request) -> Response:
        data = s.InvitationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invite(request.user, context_of(request).organization, data.validated_data["email"],
                                     OrganizationRole(data.validated_data["role"]), _origin(request))
        return Response(self._read(invitation), status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="invitations_accept", request=None, responses={
        200: s.AcceptedInvitationSerializer, 400: error(400), 409: error(409, "Accepted already.")})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, key: str) -> Response:
        organization = services.accept_invitation(request.user, self.get_object())
        return Response({"organization_slug": organization.slug})

    @extend_schema(operation_id="invitations_decline", request=None, responses={
        204: None, 409: error(409, "Accepted already.")})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, key: str) -> Response:
        services.decline_invitation(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(operation_id="invitations_resend", request=None, responses={204: None, 400: error(400)})
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, key: str) -> Response:
        services.resend_invitation(request.user, self.get_object(), _origin(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None, 403: error(403)})
    def destroy(self, request: Request, key: str) -> Response:
        services.delete_invitation(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

