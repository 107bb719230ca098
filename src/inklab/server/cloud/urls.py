from inklab.server.api.routers import Router
from inklab.server.cloud import views

router = Router()
router.register("cloudstorages", views.CloudStorageViewSet, basename="cloudstorage")

urlpatterns = router.urls
