"""``IssueRead``/``IssueWriteRequest``/``PatchedIssueWriteRequest`` and ``CommentRead``/
``CommentWriteRequest``/``PatchedCommentWriteRequest``, with CVAT's field names."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from inklab.server.api.integers import UINT32, id_field, int_field
from inklab.server.api.strict import StrictFields
from inklab.server.iam.serializers import BasicUserSerializer
from inklab.server.projects.serializers._common import collection_url
from inklab.server.review.models import Comment, Issue

__all__ = [
    "CommentReadSerializer",
    "CommentUpdateSerializer",
    "CommentWriteSerializer",
    "IssueReadSerializer",
    "IssueUpdateSerializer",
    "IssueWriteSerializer",
]


class IssueReadSerializer(serializers.ModelSerializer):
    job = serializers.IntegerField(source="job_id", read_only=True)
    owner = BasicUserSerializer(read_only=True, allow_null=True)
    assignee = BasicUserSerializer(read_only=True, allow_null=True)
    position = serializers.ListField(child=serializers.FloatField(), read_only=True)
    comments = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = ["id", "frame", "position", "job", "owner", "assignee", "created_date", "updated_date",
                  "resolved", "comments"]
        read_only_fields = fields

    def get_comments(self, issue: Issue) -> dict[str, Any]:
        count = getattr(issue, "comment_count", None)
        if count is None:
            count = issue.comments.count()
        return {"count": count, "url": collection_url(self.context, "comments", issue_id=issue.pk)}


def _position_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.FloatField(), max_length=1000, **kwargs)


class IssueWriteSerializer(StrictFields, serializers.Serializer):
    """``IssueWriteRequest`` (POST)."""

    frame = int_field(UINT32)
    position = _position_field()
    job = id_field()
    assignee = id_field(required=False, allow_null=True)
    message = serializers.CharField(min_length=1, max_length=4096)
    resolved = serializers.BooleanField(required=False, default=False)


class IssueUpdateSerializer(StrictFields, serializers.Serializer):
    """``PatchedIssueWriteRequest``."""

    position = _position_field(required=False)
    assignee = id_field(required=False, allow_null=True)
    resolved = serializers.BooleanField(required=False)


class CommentReadSerializer(serializers.ModelSerializer):
    issue = serializers.IntegerField(source="issue_id", read_only=True)
    owner = BasicUserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "issue", "owner", "message", "created_date", "updated_date"]
        read_only_fields = fields


class CommentWriteSerializer(StrictFields, serializers.Serializer):
    """``CommentWriteRequest`` (POST)."""

    issue = id_field()
    message = serializers.CharField(min_length=1, max_length=4096)


class CommentUpdateSerializer(StrictFields, serializers.Serializer):
    """``PatchedCommentWriteRequest``."""

    message = serializers.CharField(min_length=1, max_length=4096)
