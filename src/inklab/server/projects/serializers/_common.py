"""Fields shared by the project, task and job serializers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.urls import get_script_prefix
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from inklab.server.api.integers import id_field
from inklab.server.api.strict import StrictFields
from inklab.server.cloud.defaults import data_sources, load_defaults, read_storage
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.server.projects.models import Job

__all__ = ["GUIDE_ID", "NULL_ID", "NULL_STORAGE", "NULL_STRING", "ORGANIZATION_ID", "BasicUserSerializer", "absolute",
           "collection_url", "read_data_cloud_storage_id", "storage_field", "storage_of"]


def absolute(context: dict[str, Any], name: str, *args: Any) -> str:
    return reverse(name, args=args or None, request=context.get("request"))


def collection_url(context: dict[str, Any], collection: str, **query: Any) -> str:
    """Absolute URL of an API collection such as ``jobs``, filtered by ``query``."""
    url = get_script_prefix() + "api/" + collection
    request = context.get("request")
    if request is not None:
        url = request.build_absolute_uri(url)
    return url + "?" + urlencode(query) if query else url


class StorageSerializer(StrictFields, serializers.Serializer):
    """``Storage``: where imports come from (``source_storage``) or results go (``target_storage``)
    by default: ``local``, or ``cloud_storage`` with a ``cloud_storage_id`` (see
    :mod:`inklab.server.cloud.defaults`)."""

    id = serializers.IntegerField(read_only=True, allow_null=True)
    location = serializers.ChoiceField(choices=["local", "cloud_storage"], default="local")
    cloud_storage_id = id_field(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("location") == "cloud_storage" and not attrs.get("cloud_storage_id"):
            raise serializers.ValidationError({"cloud_storage_id": ["location 'cloud_storage' needs "
                                                                    "cloud_storage_id."]})
        if attrs.get("location") != "cloud_storage" and attrs.get("cloud_storage_id"):
            raise serializers.ValidationError({"cloud_storage_id": ["Only location 'cloud_storage' takes "
                                                                    "cloud_storage_id."]})
        return attrs


def storage_field() -> StorageSerializer:
    return StorageSerializer(required=False, allow_null=True, write_only=True)


def _guide_of(obj: Any) -> int | None:
    if obj is None:
        return None
    try:
        return obj.annotation_guide.pk  # type: ignore[no-any-return]
    except ObjectDoesNotExist:
        return None


@extend_schema_field(serializers.IntegerField(allow_null=True))
def GUIDE_ID(self: Any, obj: Any) -> int | None:  # noqa: N802 - a method to assign, like NULL_ID
    """A ``get_guide_id``: the id of the annotation guide (the guides app's reverse one-to-one
    ``annotation_guide``) of a project or task; of a job's task, else of its project; or None."""
    if isinstance(obj, Job):
        return _guide_of(obj.task) or _guide_of(obj.task.project)
    return _guide_of(obj)


def _always_null(schema_field: serializers.Field) -> Any:
    """A ``get_<field>`` for a ``SerializerMethodField`` that is always null here (organizations,
    cloud storages), described in the schema as ``schema_field``."""

    @extend_schema_field(schema_field)
    def method(self: Any, obj: Any) -> None:
        return None

    return method


NULL_ID = _always_null(serializers.IntegerField(allow_null=True))
NULL_STRING = _always_null(serializers.CharField(allow_null=True))
NULL_STORAGE = _always_null(StorageSerializer(allow_null=True))


def _page(serializer: Any, obj: Any) -> list[Any]:
    """The objects serialized with ``obj``: the page of a list, else ``obj`` alone."""
    page = getattr(serializer.parent, "instance", None)
    objects = list(page) if isinstance(page, (list, tuple)) or hasattr(page, "model") else [obj]
    return objects if obj in objects else [obj]


@extend_schema_field(serializers.IntegerField(allow_null=True))
def read_data_cloud_storage_id(self: Any, task: Any) -> int | None:
    """``get_data_cloud_storage_id`` of the task serializer: one query per page of a list."""
    cache = self.context.setdefault("_data_sources", {})
    if task.pk not in cache:
        tasks = _page(self, task)
        found = data_sources(t.pk for t in tasks)
        cache.update({t.pk: found.get(t.pk) for t in tasks})
    return cache[task.pk]  # type: ignore[no-any-return]


def storage_of(kind: str) -> Any:
    """A ``get_<kind>_storage`` for the read serializers: the object's default (null: local)."""

    @extend_schema_field(StorageSerializer(allow_null=True))
    def method(self: Any, obj: Any) -> dict[str, Any] | None:
        # One query per page of a list (the page's objects are the parent's instance), not per object.
        cache = self.context.setdefault("_storage_defaults", {})
        if id(obj) not in cache:
            objects = _page(self, obj)
            loaded = load_defaults(objects)
            cache.update({id(o): loaded for o in objects})
        return read_storage(obj, kind, cache[id(obj)])

    return method


@extend_schema_field(serializers.IntegerField(allow_null=True))
def ORGANIZATION_ID(self: Any, obj: Any) -> int | None:  # noqa: N802 - used like the constants above
    """A ``get_organization``: the id of the object's organization (a job's is its task's)."""
    owner = obj.task if hasattr(obj, "task_id") and not hasattr(obj, "organization_id") else obj
    return owner.organization_id
