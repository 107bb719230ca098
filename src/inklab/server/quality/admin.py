from django.contrib import admin

from inklab.server.quality.models import QualityReport, QualitySettings

admin.site.register(QualitySettings)
admin.site.register(QualityReport)
