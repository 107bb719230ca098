from inklab.server.api.routers import Router
from inklab.server.quality import views

router = Router()
router.register("quality/settings", views.QualitySettingsViewSet, basename="quality-settings")
router.register("quality/reports", views.QualityReportViewSet, basename="quality-report")
router.register("quality/conflicts", views.ConflictViewSet, basename="quality-conflict")

urlpatterns = router.urls
