from inklab.server.api.routers import Router
from inklab.server.consensus import views

router = Router()
router.register("consensus/settings", views.ConsensusSettingsViewSet, basename="consensus-settings")
router.register("consensus/merges", views.ConsensusMergeViewSet, basename="consensus-merge")

urlpatterns = router.urls
