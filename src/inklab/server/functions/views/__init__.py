"""Views of the functions app: registrations, the agents' queue API, and CVAT's lambda API."""

from inklab.server.functions.views.functions import FunctionViewSet
from inklab.server.functions.views.lambda_api import LambdaFunctionViewSet, LambdaRequestViewSet
from inklab.server.functions.views.queues import (
    AcquireView,
    CompleteView,
    FailView,
    UpdateView,
    WatchView,
)

__all__ = [
    "AcquireView",
    "CompleteView",
    "FailView",
    "FunctionViewSet",
    "LambdaFunctionViewSet",
    "LambdaRequestViewSet",
    "UpdateView",
    "WatchView",
]
