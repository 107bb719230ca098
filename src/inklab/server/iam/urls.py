from django.urls import path

from inklab.server.api.routers import Router
from inklab.server.iam import organization_views, views

router = Router()
router.register("users", views.UserViewSet, basename="user")
router.register("auth/access_tokens", views.AccessTokenViewSet, basename="access-token")
router.register("organizations", organization_views.OrganizationViewSet, basename="organization")
router.register("memberships", organization_views.MembershipViewSet, basename="membership")
router.register("invitations", organization_views.InvitationViewSet, basename="invitation")

urlpatterns = [
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/register", views.RegisterView.as_view(), name="auth-register"),
    path("auth/password/change", views.PasswordChangeView.as_view(), name="auth-password-change"),
    *router.urls,
]
