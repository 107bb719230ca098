from django.contrib import admin

from inklab.server.functions.models import AnnotationRequest, Function


@admin.register(Function)
class FunctionAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "kind", "provider", "visibility", "owner", "created_date")
    list_filter = ("kind", "visibility")
    search_fields = ("name", "owner__username")


@admin.register(AnnotationRequest)
class AnnotationRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "function", "task", "job", "status", "progress", "agent_id", "attempts", "created_date")
    list_filter = ("status",)
    readonly_fields = [f.name for f in AnnotationRequest._meta.fields]
