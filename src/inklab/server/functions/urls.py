from django.urls import re_path

from inklab.server.api.routers import Router
from inklab.server.functions import views


class _CallingRouter(Router):
    """Also routes ``POST`` on a detail path to the viewset's ``call`` (CVAT's
    ``POST /api/lambda/functions/{id}``)."""

    routes = [route._replace(mapping={**route.mapping, "post": "call"}) if route.name == "{basename}-detail"
              else route for route in Router.routes]


router = Router()
router.register("functions", views.FunctionViewSet, basename="function")
calling = _CallingRouter()
calling.register("lambda/functions", views.LambdaFunctionViewSet, basename="lambda-function")
router.register("lambda/requests", views.LambdaRequestViewSet, basename="lambda-request")

_QUEUE = r"^functions/queues/function:(?P<function_id>\d+)"

urlpatterns = [
    re_path(_QUEUE + r"/watch/?$", views.WatchView.as_view(), name="function-queue-watch"),
    re_path(_QUEUE + r"/requests/acquire/?$", views.AcquireView.as_view(), name="function-queue-acquire"),
    re_path(_QUEUE + r"/requests/(?P<ar_id>[^/]+)/update/?$", views.UpdateView.as_view(),
            name="function-queue-update"),
    re_path(_QUEUE + r"/requests/(?P<ar_id>[^/]+)/complete/?$", views.CompleteView.as_view(),
            name="function-queue-complete"),
    re_path(_QUEUE + r"/requests/(?P<ar_id>[^/]+)/fail/?$", views.FailView.as_view(), name="function-queue-fail"),
    *router.urls,
    *calling.urls,
]
