from django.urls import path

from inklab.server.meta import views

urlpatterns = [
    path("server/about", views.AboutView.as_view(), name="server-about"),
    path("server/annotation/formats", views.FormatsView.as_view(), name="server-formats"),
    path("server/plugins", views.PluginsView.as_view(), name="server-plugins"),
    path("server/share", views.ShareView.as_view(), name="server-share"),
    path("server/health", views.HealthView.as_view(), name="server-health"),
]
