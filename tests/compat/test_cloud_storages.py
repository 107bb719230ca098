"""The unmodified cvat-sdk 2.80 with cloud storages: an S3 bucket (moto in server mode) behind
``endpoint_url``, a task made from six of its images, a COCO export written back to the bucket;
and the same with an Azure container on Azurite."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.support.azurite import ACCOUNT_KEY, AzuriteServer
from tests.support.images import make_images
from tests.support.live import LiveServer
from tests.support.s3 import S3Server

pytestmark = pytest.mark.live

BUCKET = "inklab-compat"


@pytest.fixture(scope="module")
def cloud_server(use_postgres: bool) -> Iterator[LiveServer]:
    """A server that may reach the loopback S3 endpoint (refused by default)."""
    server = LiveServer(postgres=use_postgres, env={"INKLAB_CLOUD_ALLOW_PRIVATE": "1"}).start()
    yield server
    server.destroy()


@pytest.fixture
def client(cloud_server: LiveServer, tmp_path: Path) -> Iterator[Any]:
    from cvat_sdk import Config, make_client

    with make_client(cloud_server.url, credentials=cloud_server.admin) as sdk:
        sdk.config = Config(status_check_period=0.1, cache_dir=tmp_path / "cache")
        yield sdk


@pytest.fixture(scope="module")
def images(s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    paths = make_images(tmp_path_factory.mktemp("bucket"), 8, size=(40, 30))
    s3_server.bucket(BUCKET, {f"photos/{p.name}": p.read_bytes() for p in paths})
    return paths


def _request(s3_server: S3Server, **changes: Any) -> Any:
    from cvat_sdk import models

    fields = {"provider_type": models.ProviderTypeEnum("AWS_S3_BUCKET"), "resource": BUCKET,
              "display_name": "Photos", "credentials_type": models.CredentialsTypeEnum("KEY_SECRET_KEY_PAIR"),
              "key": s3_server.key, "secret_key": s3_server.secret,
              "specific_attributes": f"endpoint_url={s3_server.url}&region=us-east-1", **changes}
    return models.CloudStorageWriteRequest(**fields)


def test_task_from_a_bucket_and_coco_export_back_to_it(client: Any, s3_server: S3Server,
                                                         images: list[Path], tmp_path: Path) -> None:
    from cvat_sdk.core.proxies.tasks import ResourceType
    from cvat_sdk.core.proxies.types import Location

    api = client.api_client.cloudstorages_api
    storage, _ = api.create(_request(s3_server))
    assert storage.resource == BUCKET and storage.display_name == "Photos"
    status, _ = api.retrieve_status(storage.id)
    assert status == "AVAILABLE"
    content, _ = api.retrieve_content_v2(storage.id, prefix="photos/", page_size=5)
    assert [item.name for item in content.content] == [p.name for p in images[:5]]
    more, _ = api.retrieve_content_v2(storage.id, prefix="photos/", page_size=5, next_token=content.next)
    assert [item.name for item in more.content] == [p.name for p in images[5:]] and more.next is None

    chosen = images[1:7]
    task = client.tasks.create_from_data(
        spec={"name": "from S3", "labels": [{"name": "car"}]}, resource_type=ResourceType.SHARE,
        resources=[f"photos/{p.name}" for p in chosen], data_params={"cloud_storage_id": storage.id})
    assert task.size == 6 and task.data_cloud_storage_id == storage.id
    assert [f.name for f in task.get_meta().frames] == [f"photos/{p.name}" for p in chosen]
    for number, path in enumerate(chosen):
        frame = np.asarray(Image.open(task.get_frame(number, quality="original")).convert("RGB"))
        assert np.array_equal(frame, np.asarray(Image.open(path).convert("RGB")))

    label = task.get_labels()[0]
    from cvat_sdk import models

    task.set_annotations(models.LabeledDataRequest(shapes=[models.LabeledShapeRequest(
        type="rectangle", frame=2, label_id=label.id, points=[1, 2, 11, 12])]))
    assert task.export_dataset("COCO 1.0", "exports/coco.zip", include_images=False,
                               location=Location.CLOUD_STORAGE, cloud_storage_id=storage.id) is None
    data = s3_server.client().get_object(Bucket=BUCKET, Key="exports/coco.zip")["Body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        coco = json.loads(archive.read(next(n for n in archive.namelist() if n.endswith(".json"))))
    assert [a["bbox"] for a in coco["annotations"]] == [[1, 2, 10, 10]]
    assert not list(tmp_path.glob("**/coco.zip"))  # nothing came down here


def test_wrong_credentials_and_missing_objects_are_clear(client: Any, s3_server: S3Server,
                                                         images: list[Path]) -> None:
    from cvat_sdk.api_client.exceptions import ApiException
    from cvat_sdk.core.proxies.tasks import ResourceType

    api = client.api_client.cloudstorages_api
    with pytest.raises(ApiException) as info:
        api.create(_request(s3_server, secret_key="not-the-right-secret"))
    assert info.value.status == 400
    assert f"access to bucket '{BUCKET}' was denied" in info.value.body
    assert s3_server.secret not in info.value.body

    storage, _ = api.create(_request(s3_server, display_name="Photos again"))
    with pytest.raises(Exception, match="'photos/nothing.png' does not exist"):
        client.tasks.create_from_data(
            spec={"name": "missing", "labels": [{"name": "car"}]}, resource_type=ResourceType.SHARE,
            resources=["photos/nothing.png"], data_params={"cloud_storage_id": storage.id})


@pytest.fixture(scope="module")
def azure_images(azurite_server: AzuriteServer, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    paths = make_images(tmp_path_factory.mktemp("container"), 4, size=(40, 30))
    azurite_server.container(BUCKET, {f"photos/{p.name}": p.read_bytes() for p in paths})
    return paths


def test_task_from_an_azure_container(client: Any, azurite_server: AzuriteServer, azure_images: list[Path]) -> None:
    """An Azure container on Azurite, attached with a connection string; a task from three of its
    images; a COCO export written back to the container."""
    from cvat_sdk import models
    from cvat_sdk.core.proxies.tasks import ResourceType
    from cvat_sdk.core.proxies.types import Location

    api = client.api_client.cloudstorages_api
    storage, _ = api.create(models.CloudStorageWriteRequest(
        provider_type=models.ProviderTypeEnum("AZURE_CONTAINER"), resource=BUCKET, display_name="Azure photos",
        credentials_type=models.CredentialsTypeEnum("CONNECTION_STRING"),
        connection_string=azurite_server.connection_string))
    assert (storage.provider_type.value, storage.credentials_type.value) == ("AZURE_CONTAINER", "CONNECTION_STRING")
    assert ACCOUNT_KEY not in str(storage.to_dict())
    status, _ = api.retrieve_status(storage.id)
    assert status == "AVAILABLE"
    content, _ = api.retrieve_content_v2(storage.id, prefix="photos/", page_size=3)
    assert [item.name for item in content.content] == [p.name for p in azure_images[:3]] and content.next

    chosen = azure_images[1:4]
    task = client.tasks.create_from_data(
        spec={"name": "from Azure", "labels": [{"name": "car"}]}, resource_type=ResourceType.SHARE,
        resources=[f"photos/{p.name}" for p in chosen], data_params={"cloud_storage_id": storage.id})
    assert task.size == 3 and task.data_cloud_storage_id == storage.id
    for number, path in enumerate(chosen):
        frame = np.asarray(Image.open(task.get_frame(number, quality="original")).convert("RGB"))
        assert np.array_equal(frame, np.asarray(Image.open(path).convert("RGB")))

    label = task.get_labels()[0]
    task.set_annotations(models.LabeledDataRequest(shapes=[models.LabeledShapeRequest(
        type="rectangle", frame=1, label_id=label.id, points=[2, 3, 12, 13])]))
    assert task.export_dataset("COCO 1.0", "exports/coco.zip", include_images=False,
                               location=Location.CLOUD_STORAGE, cloud_storage_id=storage.id) is None
    with zipfile.ZipFile(io.BytesIO(azurite_server.read(BUCKET, "exports/coco.zip"))) as archive:
        coco = json.loads(archive.read(next(n for n in archive.namelist() if n.endswith(".json"))))
    assert [a["bbox"] for a in coco["annotations"]] == [[2, 3, 10, 10]]
