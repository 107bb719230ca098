"""REST views of review, one module per resource."""

from inklab.server.review.views.comments import CommentViewSet
from inklab.server.review.views.issues import IssueViewSet

__all__ = ["CommentViewSet", "IssueViewSet"]
