"""URL map: the REST API under ``/api/``, the admin, the schema, and the web UI at ``/``."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api = [
    path("", include("inklab.server.meta.urls")),
    path("", include("inklab.server.iam.urls")),
    path("", include("inklab.server.media.urls")),
    path("", include("inklab.server.datasets.urls")),  # before annotations: adds imports (POST) to its paths
    path("", include("inklab.server.annotations.urls")),
    path("", include("inklab.server.requests.urls")),
    path("", include("inklab.server.functions.urls")),
    path("", include("inklab.server.projects.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger"),
]

handler500 = "inklab.server.api.errors.server_error"

urlpatterns = [
    path("api/", include(api)),
    path("admin/", admin.site.urls),
    path("", include("inklab.ui.urls")),
]
