from django.contrib import admin

from inklab.server.media.models import Frame, Upload


@admin.register(Frame)
class FrameAdmin(admin.ModelAdmin):
    list_display = ("task", "number", "name", "width", "height")
    search_fields = ("name",)


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "scope", "filename", "offset", "length", "created_date")
