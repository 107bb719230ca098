from inklab.server.api.routers import Router
from inklab.server.projects import views

router = Router()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("jobs", views.JobViewSet, basename="job")
router.register("labels", views.LabelViewSet, basename="label")

urlpatterns = router.urls
