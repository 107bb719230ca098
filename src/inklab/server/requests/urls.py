from inklab.server.api.routers import Router
from inklab.server.requests.views import RequestViewSet

router = Router()
router.register("requests", RequestViewSet, basename="request")

urlpatterns = router.urls
