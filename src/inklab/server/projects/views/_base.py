"""Behaviour shared by the resource viewsets."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from inklab.server.api.filtering import JsonLogicFilter, SearchFilter, SimpleFilter, SortFilter
from inklab.server.iam.context import OrgContext, context_of

__all__ = ["EditableResourceViewSet", "ResourceViewSet"]


class ResourceViewSet(viewsets.GenericViewSet):
    """A viewset with CVAT's query language and integer ids; no PUT (CVAT has none)."""

    filter_backends = [SearchFilter, SimpleFilter, JsonLogicFilter, SortFilter]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    #: the lookup of an object's organization, for the request's organization context
    organization_field = "organization"

    @property
    def org_context(self) -> OrgContext:
        return context_of(self.request)

    def in_context(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` narrowed to the request's organization context (lists and retrieves)."""
        return self.org_context.filter(queryset, self.organization_field)


class EditableResourceViewSet(ResourceViewSet):
    """Create (``POST``), update (``PATCH``) and delete, the changes made by the app's services.

    A subclass names its ``write_serializer_class`` (``serializer_class`` reads) and implements
    :meth:`visible` (what a user may see), :meth:`prepared` (joins and counts the read
    serializer uses), :meth:`create_object`, :meth:`update_object` and :meth:`check_delete`.
    Writes answer with the object as the list shows it, re-read as :meth:`prepared` makes it,
    also when the change took it out of the user's sight (an owner handing it over). The schema
    of ``create`` and
    ``partial_update`` is the subclass's to declare (``extend_schema_view``), since it names the
    serializers. List the DRF mixins (list, retrieve) first among a subclass's bases: the schema's
    descriptions come from the docstrings before them, and this one is not a resource's.
    """

    write_serializer_class: ClassVar[type[Serializer]]

    def visible(self, user: Any) -> QuerySet:
        """The objects ``user`` may see."""
        raise NotImplementedError

    def prepared(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` with what the read serializer needs (related rows, counts)."""
        return queryset

    def get_queryset(self) -> QuerySet:
        return self.prepared(self.in_context(self.visible(self.request.user)))

    def create_object(self, user: Any, data: dict[str, Any]) -> Any:
        """Make the object from validated write data (raising the services' errors)."""
        raise NotImplementedError

    def update_object(self, user: Any, obj: Any, data: dict[str, Any]) -> None:
        """Apply validated partial write data to ``obj``."""
        raise NotImplementedError

    def check_delete(self, user: Any, obj: Any) -> None:
        """Raise ``Forbidden`` unless ``user`` may delete ``obj``."""
        raise NotImplementedError

    def delete_object(self, user: Any, obj: Any) -> None:
        """Delete ``obj`` (a subclass may hand this to its services); checks :meth:`check_delete`."""
        self.check_delete(user, obj)
        obj.delete()

    def loaded(self, obj: Any) -> Any:
        """``obj`` as read from ``get_queryset``, ready for the read serializer (a hook)."""
        return obj

    def _read(self, obj: Any) -> Any:
        written = self.prepared(type(obj).objects.filter(pk=obj.pk)).get()
        return self.get_serializer(self.loaded(written)).data

    def _validated(self, request: Request, *, partial: bool = False) -> dict[str, Any]:
        data = self.write_serializer_class(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def create(self, request: Request) -> Response:
        obj = self.create_object(request.user, self._validated(request))
        return Response(self._read(obj), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        obj = self.get_object()
        self.update_object(request.user, obj, self._validated(request, partial=True))
        return Response(self._read(obj))

    def destroy(self, request: Request, pk: str) -> Response:
        self.delete_object(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
