from inklab.server.api.routers import Router
from inklab.server.review import views

router = Router()
router.register("issues", views.IssueViewSet, basename="issue")
router.register("comments", views.CommentViewSet, basename="comment")

urlpatterns = router.urls
