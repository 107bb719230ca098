from django.contrib import admin

from inklab.server.iam.models import AccessToken


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "read_only", "created_date", "expiry_date", "last_used_date")
    readonly_fields = ("digest", "created_date", "updated_date", "last_used_date")
    search_fields = ("name", "owner__username")
