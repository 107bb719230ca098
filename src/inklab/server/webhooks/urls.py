from inklab.server.api.routers import Router
from inklab.server.webhooks.views import WebhookViewSet

router = Router()
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = router.urls
