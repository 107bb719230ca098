"""``/api/server/...`` endpoints."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inklab import API_VERSION
from inklab.formats import registry
from inklab.server.api.schema import error, query
from inklab.server.errors import InvalidInput, NotFound
from inklab.server.meta import serializers as s

__all__ = ["AboutView", "FormatsView", "HealthView", "PluginsView", "ShareView"]


class AboutView(APIView):
    """``GET /api/server/about`` – public; the SDK calls it before logging in."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(summary="Basic information about the server", responses=s.AboutSerializer)
    def get(self, request: Request) -> Response:
        return Response({
            "name": "inklab",
            "description": "Open visual annotation platform speaking the CVAT REST API v2.",
            "version": API_VERSION,
            "logo_url": "",
            "subtitle": "Annotate images and video, train from the API.",
        })


class FormatsView(APIView):
    """``GET /api/server/annotation/formats`` – the formats this server imports and exports."""

    @extend_schema(summary="The annotation formats the server imports and exports",
                   responses=s.DatasetFormatsSerializer)
    def get(self, request: Request) -> Response:
        def entry(fmt: registry.FormatInfo, name: str) -> dict[str, Any]:
            return {"name": name, "ext": fmt.ext, "version": fmt.version, "enabled": True,
                    "dimension": fmt.dimension}

        infos = registry.available_formats()
        return Response({
            "importers": [entry(f, f.import_name) for f in infos if f.can_import],
            "exporters": [entry(f, f.name) for f in infos if f.can_export],
        })


class PluginsView(APIView):
    @extend_schema(summary="The optional features the server offers (none)", responses=s.PluginsSerializer)
    def get(self, request: Request) -> Response:
        return Response({"ANALYTICS": False, "MODELS": False, "GIT_INTEGRATION": False, "PREDICT": False})


class ShareView(APIView):
    """``GET /api/server/share?directory=/sub`` – a listing of the server share (files for tasks)."""

    @extend_schema(
        summary="List a directory of the server share",
        parameters=[query("directory", "A directory of the share, '/' (the default) for its root."),
                    query("search", "Only entries whose names contain this text (case-insensitive).")],
        responses={200: s.FileInfoSerializer(many=True), 404: error(404, "There is no such directory in the share.")},
    )
    def get(self, request: Request) -> Response:
        root = Path(settings.SHARE_ROOT).resolve()
        relative = request.query_params.get("directory", "/").strip().lstrip("/")
        if "\x00" in relative:
            raise InvalidInput({"directory": ["A directory name cannot contain NUL characters."]})
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            raise InvalidInput("The directory is outside the share.")
        if not target.is_dir():
            if target == root:
                return Response([])  # a fresh install: nothing has been shared yet
            raise NotFound(f"There is no directory '{relative or '/'}' in the share.")
        search = request.query_params.get("search", "").lower()
        entries = []
        for child in sorted(target.iterdir(), key=lambda p: (not p.is_dir(), p.name.lower())):
            if child.name.startswith(".") or (search and search not in child.name.lower()):
                continue
            is_dir = child.is_dir()
            entries.append({
                "name": child.name,
                "type": "DIR" if is_dir else "REG",
                "mime_type": "DIR" if is_dir else (mimetypes.guess_type(child.name)[0] or "unknown"),
            })
        return Response(entries)


class HealthView(APIView):
    """``GET /api/server/health`` – public liveness and database check for load balancers."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(summary="Check that the server and its database answer (inklab)", responses=s.HealthSerializer)
    def get(self, request: Request) -> Response:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok", "database": connection.vendor})
