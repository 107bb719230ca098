"""Review with the official cvat-sdk 2.80: issues and comment threads on a job's frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.images import make_images


@pytest.fixture
def job(sdk: Any, tmp_path: Path) -> Any:
    from cvat_sdk import models
    from cvat_sdk.core.proxies.tasks import ResourceType

    task = sdk.tasks.create_from_data(
        spec=models.TaskWriteRequest(name="review", labels=[{"name": "car"}], segment_size=2),
        resources=make_images(tmp_path, 4, size=(40, 30)), resource_type=ResourceType.LOCAL)
    yield task.get_jobs()[0]
    task.remove()


def test_issue_and_comments_round_trip(sdk: Any, job: Any) -> None:
    from cvat_sdk import models

    issue = sdk.issues.create(models.IssueWriteRequest(job=job.id, frame=1, position=[1.0, 2.0, 10.0, 12.0],
                                                       message="the car is a van"))
    assert issue.frame == 1 and issue.job == job.id and issue.resolved is False
    assert issue.owner.username == sdk.users.retrieve_current_user().username
    assert issue.comments.count == 1

    sdk.comments.create(models.CommentWriteRequest(issue=issue.id, message="fixed"))
    assert [c.message for c in issue.get_comments()] == ["the car is a van", "fixed"]

    issue.update(models.PatchedIssueWriteRequest(resolved=True))
    assert sdk.issues.retrieve(issue.id).resolved is True

    job.fetch()
    assert job.issues.count == 1
    assert [i.id for i in job.get_issues()] == [issue.id]
    assert [i.id for i in sdk.issues.list()] == [issue.id]

    issue.remove()
    assert job.get_issues() == []


def test_bad_issue_is_a_clear_400(sdk: Any, job: Any) -> None:
    from cvat_sdk import models
    from cvat_sdk.api_client import exceptions

    with pytest.raises(exceptions.ApiException) as caught:
        sdk.issues.create(models.IssueWriteRequest(job=job.id, frame=3, position=[1.0, 2.0, 10.0, 12.0],
                                                   message="outside the job"))
    body = caught.value.body.decode() if isinstance(caught.value.body, bytes) else caught.value.body
    assert caught.value.status == 400 and "frame" in body and "Traceback" not in body
