"""URL map: the REST API under ``/api/``, the admin, the schema, and the web UI at ``/``.

Addresses no route knows are a JSON 404 under ``/api/`` (as the API's own 404s), Django's plain
page under ``/static/`` and ``/admin/``, and the web UI's page (which says "Nothing here")
everywhere else.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from inklab.ui import views as ui_views

api = [
    path("", include("inklab.server.meta.urls")),
    path("", include("inklab.server.iam.urls")),
    path("", include("inklab.server.media.urls")),
    path("", include("inklab.server.datasets.urls")),  # before annotations: adds imports (POST) to its paths
    path("", include("inklab.server.annotations.urls")),
    path("", include("inklab.server.requests.urls")),
    path("", include("inklab.server.functions.urls")),
    path("", include("inklab.server.cloud.urls")),
    path("", include("inklab.server.review.urls")),
    path("", include("inklab.server.quality.urls")),
    path("", include("inklab.server.consensus.urls")),
    path("", include("inklab.server.webhooks.urls")),
    path("", include("inklab.server.guides.urls")),
    path("", include("inklab.server.projects.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view loads its start-up script from a URL (no inline script: see inklab.server.headers)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="meta/swagger_ui.html"),
         name="swagger"),
]

handler500 = "inklab.server.api.errors.server_error"

urlpatterns = [
    path("api/", include(api)),
    path("admin/", admin.site.urls),
    path("", include("inklab.ui.urls")),
]


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    if request.path.startswith(("/static/", "/admin/")):
        return defaults.page_not_found(request, exception)
    return ui_views.not_found(request)


handler404 = not_found
