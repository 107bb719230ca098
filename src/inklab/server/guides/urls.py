from inklab.server.api.routers import Router
from inklab.server.guides.views import AssetViewSet, GuideViewSet

router = Router()
router.register("guides", GuideViewSet, basename="guide")
router.register("assets", AssetViewSet, basename="asset")

urlpatterns = router.urls
