from django.contrib import admin

from inklab.server.projects.models import AttributeSpec, Job, Label, Project, Task


class AttributeInline(admin.TabularInline):
    model = AttributeSpec
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "owner", "assignee", "status", "updated_date")
    search_fields = ("name", "owner__username")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "project", "owner", "size", "status", "updated_date")
    search_fields = ("name", "owner__username", "project__name")
    list_filter = ("status", "media_type")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "task", "start_frame", "stop_frame", "stage", "state", "assignee")
    list_filter = ("stage", "state")


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "type", "project", "task", "parent")
    inlines = [AttributeInline]
