"""Creating and changing guides and storing their images (no HTTP here).

An image is refused unless it is at most ``GUIDE_ASSET_MAX_BYTES`` and Pillow reads it as a
PNG, JPEG, GIF, WebP or BMP image (within the server's pixel limit); it is then stored as
uploaded and always served with the content type of the format found, never the client's.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from inklab.server.errors import Conflict, InvalidInput
from inklab.server.guides import permissions as perms
from inklab.server.guides.models import AnnotationGuide, GuideAsset
from inklab.server.media import blobstore
from inklab.server.projects.models import Project

__all__ = ["IMAGE_TYPES", "MAX_ASSETS", "MAX_MARKDOWN", "add_asset", "create_guide", "delete_asset",
           "update_guide"]

#: Pillow format -> the content type an asset of that format is served with
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp",
               "BMP": "image/bmp"}
#: the most images one guide holds
MAX_ASSETS = 30
#: the longest guide, in characters
MAX_MARKDOWN = 200_000


def _max_bytes() -> int:
    return int(getattr(settings, "GUIDE_ASSET_MAX_BYTES", 10 * 1024 * 1024))


def _markdown(value: str) -> str:
    if len(value) > MAX_MARKDOWN:
        raise InvalidInput({"markdown": [f"A guide has at most {MAX_MARKDOWN} characters."]})
    return value


@transaction.atomic
def create_guide(user: Any, data: dict[str, Any]) -> AnnotationGuide:
    target = perms.guide_target(user, data.get("project_id"), data.get("task_id"))
    field = "project" if isinstance(target, Project) else "task"
    if AnnotationGuide.objects.filter(**{field: target}).exists():
        raise Conflict(f"{field.capitalize()} {target.pk} already has a guide; change it (PATCH /api/guides/{{id}}).")
    try:
        with transaction.atomic():
            return AnnotationGuide.objects.create(markdown=_markdown(data.get("markdown", "")), **{field: target})
    except IntegrityError:  # created meanwhile by another request
        raise Conflict(f"{field.capitalize()} {target.pk} already has a guide.") from None


@transaction.atomic
def update_guide(user: Any, guide: AnnotationGuide, data: dict[str, Any]) -> AnnotationGuide:
    perms.check_manage_guide(user, guide)
    for field in ("project_id", "task_id"):
        if field in data and data[field] != getattr(guide, field):
            raise InvalidInput({field: ["A guide stays with its project or task; create a new guide instead."]})
    if "markdown" in data:
        guide.markdown = _markdown(data["markdown"])
    guide.updated_date = timezone.now()
    guide.save()
    return guide


def _image_type(path: str) -> str:
    try:
        with Image.open(path) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput({"file": ["The file is not an image this server accepts (PNG, JPEG, GIF, WebP or "
                                     "BMP)."]}) from None
    if kind not in IMAGE_TYPES:
        raise InvalidInput({"file": [f"Images of format {kind or 'unknown'} are not accepted; use PNG, JPEG, GIF, "
                                     "WebP or BMP."]})
    return IMAGE_TYPES[kind]


def add_asset(user: Any, guide: AnnotationGuide, upload: Any) -> GuideAsset:
    """Store an uploaded image (a Django ``UploadedFile``) for ``guide``."""
    perms.check_manage_guide(user, guide)
    if upload.size > _max_bytes():
        raise InvalidInput({"file": [f"An image may have at most {_max_bytes()} bytes; this one has {upload.size}."]})
    if guide.assets.count() >= MAX_ASSETS:
        raise Conflict(f"Guide {guide.pk} already has {MAX_ASSETS} images, the most it may have; delete one first.")
    folder = settings.MEDIA_ROOT / "assets"
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            for block in upload.chunks():
                out.write(block)
        content_type = _image_type(temp)
        name = os.path.basename(upload.name or "image")[:1024] or "image"
        with transaction.atomic():
            asset = GuideAsset.objects.create(guide=guide, filename=name, content_type=content_type,
                                              size=upload.size, owner=user)
            os.replace(temp, asset.path)
            try:
                blobstore.publish(asset.path)  # for the servers on other machines
            except BaseException:
                asset.path.unlink(missing_ok=True)
                raise
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return asset


def delete_asset(user: Any, asset: GuideAsset) -> None:
    perms.check_manage_guide(user, asset.guide)
    asset.delete()
