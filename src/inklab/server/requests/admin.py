from django.contrib import admin

from inklab.server.requests.models import BackgroundRequest


@admin.register(BackgroundRequest)
class BackgroundRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "operation", "target", "status", "progress", "owner", "created_date")
    list_filter = ("status", "operation")
    readonly_fields = [f.name for f in BackgroundRequest._meta.fields]
