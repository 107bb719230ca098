"""Annotation guides through the official cvat-sdk 2.80 against a live ``inklab serve``: a project
guide with an image, ``guide_id`` on the project and its jobs, the image read back byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import make_images
from tests.support.live import LiveServer

pytestmark = pytest.mark.live


@pytest.fixture
def sdk(live_server: LiveServer) -> Iterator[Any]:
    from cvat_sdk import make_client

    with make_client(live_server.url, credentials=live_server.admin) as client:
        client.config.status_check_period = 0.1
        yield client


def test_guide_with_an_image(sdk: Any, tmp_path: Path) -> None:
    from cvat_sdk import models
    from cvat_sdk.api_client.exceptions import ApiException
    from cvat_sdk.core.proxies.tasks import ResourceType

    project = sdk.projects.create(models.ProjectWriteRequest(name="guided", labels=[{"name": "car"}]))
    guide, _ = sdk.api_client.guides_api.create(
        annotation_guide_write_request=models.AnnotationGuideWriteRequest(project_id=project.id, markdown="# Rules"))
    assert guide.project_id == project.id and guide.task_id is None and guide.markdown == "# Rules"
    assert sdk.projects.retrieve(project.id).guide_id == guide.id

    image = make_images(tmp_path / "guide", 1)[0]
    with image.open("rb") as file:
        asset, _ = sdk.api_client.assets_api.create(guide.id, file)
    assert asset.guide_id == guide.id and asset.filename == image.name and asset.owner.username == "admin"
    _, response = sdk.api_client.assets_api.retrieve(str(asset.uuid), _parse_response=False)
    assert response.headers["Content-Type"] == "image/png"
    assert response.data == image.read_bytes()

    patched, _ = sdk.api_client.guides_api.partial_update(
        guide.id, patched_annotation_guide_write_request=models.PatchedAnnotationGuideWriteRequest(
            markdown=f"# Rules\n![box](/api/assets/{asset.uuid})"))
    assert patched.markdown.endswith(f"/api/assets/{asset.uuid})")

    task = sdk.tasks.create_from_data(spec=models.TaskWriteRequest(name="guided-task", project_id=project.id),
                                      resources=make_images(tmp_path / "frames", 2), resource_type=ResourceType.LOCAL)
    assert all(job.guide_id == guide.id for job in task.get_jobs())

    with pytest.raises(ApiException) as error:
        sdk.api_client.guides_api.create(annotation_guide_write_request=models.AnnotationGuideWriteRequest(
            project_id=project.id, task_id=task.id, markdown="both"))
    assert error.value.status == 400 and "project_id" in error.value.body
    sdk.api_client.guides_api.destroy(guide.id)
    assert sdk.projects.retrieve(project.id).guide_id is None
