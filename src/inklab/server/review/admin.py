from django.contrib import admin

from inklab.server.review.models import Comment, Issue

admin.site.register(Issue)
admin.site.register(Comment)
