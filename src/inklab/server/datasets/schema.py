"""OpenAPI descriptions of the export, import and backup endpoints (class decorators of the views)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from inklab.server.api.schema import RqIdSerializer, error, header, query, upload_responses

__all__ = ["annotations_import", "backup_export", "backup_import", "dataset_export", "dataset_import",
           "import_upload"]

_QUEUED = {202: OpenApiResponse(RqIdSerializer, description="Queued: poll GET /api/requests/{rq_id}.")}
_NO_FORMAT = {405: error(405)}
_IMPORT_QUEUED = upload_responses("queued: poll GET /api/requests/{rq_id}.", _NO_FORMAT)
_FORMAT = query("format", "A format name of /api/server/annotation/formats.")
_EXPORT_FORMAT = query("format", "A format name of /api/server/annotation/formats.", required=True)
_FILENAME = query("filename", "Upload-Finish: the Upload-Filename of the finished TUS upload.")
_MASKS = query("conv_mask_to_poly", "Turn masks into polygons.", bool)
_LOCATION = query("location", "Where the result goes (or the file comes from): 'local', or 'cloud_storage' "
                  "with cloud_storage_id and filename; by default the target's target_storage (source_storage).",
                  enum=["local", "cloud_storage"])
_CLOUD = [_LOCATION, query("cloud_storage_id", "The cloud storage of location=cloud_storage.", int)]
_CLOUD_FILENAME = query("filename", "location=cloud_storage: the object's name in the storage.")
_UPLOAD_HEADERS = [header("Upload-Start", "Begins an upload (checks the format and permissions)."),
                   header("Upload-Finish", "Ends an upload: queues the import of 'filename'.")]

_PROTOCOL = """{what}, in one multipart request with the file or with the upload protocol of CVAT's clients:
`Upload-Start: true`; a TUS upload (a POST with `Upload-Length` creates it, its chunks go to
`<this path><upload id>` with PATCH/HEAD); `Upload-Finish: true` with `filename`. Answers 202 with the
`rq_id` of the queued request."""


def _file_request(name: str, field: str) -> type[serializers.Serializer]:
    meta = type("Meta", (), {"ref_name": name})
    return type(f"{name}Serializer", (serializers.Serializer,),
                {field: serializers.FileField(), "Meta": meta})


_ANNOTATION_FILE = _file_request("AnnotationFile", "annotation_file")
_DATASET_FILE = _file_request("DatasetFile", "dataset_file")


class BackupFileSerializer(serializers.Serializer):
    task_file = serializers.FileField(required=False, help_text="A task backup (POST /api/tasks/backup/).")
    project_file = serializers.FileField(required=False,
                                         help_text="A project backup (POST /api/projects/backup/).")

    class Meta:
        ref_name = "BackupFile"


def _multipart(serializer: type[serializers.Serializer]) -> dict[str, type[serializers.Serializer]]:
    return {"multipart/form-data": serializer}


dataset_export = extend_schema_view(post=extend_schema(
    summary="Export annotations, or a dataset with images, in a format",
    description="Queues the export; the finished request's result_url downloads the archive.",
    parameters=[_EXPORT_FORMAT, query("save_images", "Include the images (a dataset), not only annotations.", bool),
                *_CLOUD, _CLOUD_FILENAME],
    request=None, responses={**_QUEUED, **_NO_FORMAT},
))

annotations_import = extend_schema_view(
    post=extend_schema(
        summary="Import annotations from a file in a format",
        description=_PROTOCOL.format(what="Import annotations"),
        parameters=[*_UPLOAD_HEADERS, _FORMAT, _FILENAME, _MASKS, *_CLOUD,
                    query("import_mode", "Replace the annotations (default) or add to them.",
                          enum=["replace", "append"])],
        request=_multipart(_ANNOTATION_FILE), responses=_IMPORT_QUEUED,
    ),
)

dataset_import = extend_schema_view(post=extend_schema(
    summary="Import a dataset into a project",
    description=_PROTOCOL.format(what="Import a dataset (new tasks with their images and annotations)"),
    parameters=[*_UPLOAD_HEADERS, _FORMAT, _FILENAME, _MASKS, *_CLOUD],
    request=_multipart(_DATASET_FILE), responses=_IMPORT_QUEUED,
))

backup_export = extend_schema_view(post=extend_schema(
    summary="Back up a task or project",
    description="Queues the backup; the finished request's result_url downloads the archive.",
    parameters=[*_CLOUD, _CLOUD_FILENAME, query("lightweight", "Leave the media files out.", bool)],
    request=None, responses=_QUEUED,
))

backup_import = extend_schema_view(post=extend_schema(
    summary="Create a task or project from a backup",
    description=_PROTOCOL.format(what="Restore a backup"),
    parameters=[*_UPLOAD_HEADERS, _FILENAME, *_CLOUD],
    request=_multipart(BackupFileSerializer), responses=upload_responses("queued: poll GET /api/requests/{rq_id}."),
))

# TUS chunks of import uploads, left out as in CVAT's schema (described by the POSTs above).
import_upload = extend_schema_view(patch=extend_schema(exclude=True), head=extend_schema(exclude=True))
