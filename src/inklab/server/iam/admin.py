from django.contrib import admin

from inklab.server.iam.models import AccessToken, Invitation, Membership, Organization


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "read_only", "created_date", "expiry_date", "last_used_date")
    readonly_fields = ("digest", "created_date", "updated_date", "last_used_date")
    search_fields = ("name", "owner__username")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "owner", "created_date")
    search_fields = ("slug", "name", "owner__username")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "is_active", "joined_date")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "organization__slug")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("membership", "owner", "created_date", "sent_date")
    readonly_fields = ("key", "created_date")
