"""OpenAPI descriptions of the data endpoints (the views take them as class decorators).

The bodies are plain serializers here because the views read ``request.data`` themselves;
the component names are CVAT's (``DataRequest``, ``DataMetaRead``...).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from inklab.server.api.integers import UINT32
from inklab.server.api.schema import error, header, query, upload_responses
from inklab.server.media.ingest import CHUNK_SIZE, QUALITY
from inklab.vocabulary import Quality, SortingMethod

__all__ = ["job_data", "job_meta", "preview", "task_data", "task_meta", "task_upload"]


class DataRequestSerializer(serializers.Serializer):
    """``DataRequest``: the files of a task and how to turn them into frames."""

    client_files = serializers.ListField(child=serializers.FileField(), required=False,
                                         help_text="Files sent with the request (also 'client_files[i]').")
    server_files = serializers.ListField(child=serializers.CharField(), required=False,
                                         help_text="Paths in the server share (see /api/server/share).")
    remote_files = serializers.ListField(child=serializers.URLField(), required=False,
                                         help_text="URLs the server downloads.")
    image_quality = serializers.IntegerField(min_value=QUALITY[0], max_value=QUALITY[1], default=70)
    chunk_size = serializers.IntegerField(min_value=CHUNK_SIZE[0], max_value=CHUNK_SIZE[1], required=False,
                                          allow_null=True)
    start_frame = serializers.IntegerField(min_value=UINT32[0], max_value=UINT32[1], required=False)
    stop_frame = serializers.IntegerField(min_value=UINT32[0], max_value=UINT32[1], required=False,
                                          allow_null=True)
    frame_filter = serializers.CharField(required=False, allow_blank=True, help_text="'step=N'")
    sorting_method = serializers.ChoiceField(choices=[m.value for m in SortingMethod], required=False)
    upload_file_order = serializers.ListField(child=serializers.CharField(), required=False)
    job_file_mapping = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                             required=False, help_text="The files of each job, in order.")
    use_zip_chunks = serializers.BooleanField(required=False)
    use_cache = serializers.BooleanField(
        required=False, help_text="Accepted, changes nothing: inklab copies every frame (also those of a cloud "
                                  "storage) when the data is created and builds chunks from the copies.")
    copy_data = serializers.BooleanField(
        required=False, help_text="Accepted, changes nothing: frames from a cloud storage or the share are always "
                                  "copied into the task's media storage; the task no longer needs its source.")

    class Meta:
        ref_name = "Data"


class FrameMetaSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    name = serializers.CharField()
    related_files = serializers.IntegerField()
    has_related_context = serializers.BooleanField()

    class Meta:
        ref_name = "FrameMeta"


class DataMetaReadSerializer(serializers.Serializer):
    chunks_updated_date = serializers.DateTimeField()
    chunk_size = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField(help_text="Frames of the task (or job), deleted ones included.")
    image_quality = serializers.IntegerField()
    start_frame = serializers.IntegerField()
    stop_frame = serializers.IntegerField()
    frame_filter = serializers.CharField(allow_blank=True)
    frames = FrameMetaSerializer(many=True)
    deleted_frames = serializers.ListField(child=serializers.IntegerField())
    included_frames = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    storage = serializers.CharField()
    storage_method = serializers.CharField()
    cloud_storage_id = serializers.IntegerField(allow_null=True)
    chapters = serializers.ListField(child=serializers.DictField(), allow_null=True)

    class Meta:
        ref_name = "DataMetaRead"


class DataMetaWriteSerializer(serializers.Serializer):
    deleted_frames = serializers.ListField(child=serializers.IntegerField(min_value=UINT32[0], max_value=UINT32[1]),
                                           help_text="The complete set of deleted frames (of the job's range).")

    class Meta:
        ref_name = "DataMetaWrite"


_QUALITY = query("quality", "Frame or chunk quality (default compressed).", enum=[q.value for q in Quality])
_NUMBER = query("number", "The frame number (type=frame) or task-relative chunk number (type=chunk).", int,
               bounds=UINT32)
_TYPE = query("type", "What to get (default frame).", enum=["chunk", "context_image", "frame", "preview"])
_MEDIA = {
    (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="A frame (type=frame) or the preview."),
    (200, "application/zip"): OpenApiResponse(
        OpenApiTypes.BINARY, description="A chunk of frames (type=chunk); X-Updated-Date tells when chunks changed."),
}

_UPLOAD_PROTOCOL = """Attach data to a task, in one request or with the upload protocol of CVAT's clients:

1. `Upload-Start: true` – no body; answers 202.
2. The files: TUS uploads (a POST with `Upload-Length` and `Upload-Metadata` creates one and answers its
   `Location`, `/api/tasks/{id}/data/<upload id>`; chunks go there with PATCH, HEAD tells the offset),
   and/or requests with `Upload-Multiple: true` and `client_files` in a multipart body.
3. `Upload-Finish: true` with the DataRequest (image_quality, server_files, ...); answers 202 with the
   `rq_id` to poll at `GET /api/requests/{rq_id}`.

A single request without these headers, with files and/or server_files/remote_files, does all three.
Data cannot be replaced once attached."""

task_data = extend_schema_view(
    get=extend_schema(summary="Get a frame, a chunk or the preview of a task",
                      parameters=[_TYPE, _NUMBER, _QUALITY], responses=_MEDIA),
    post=extend_schema(
        summary="Attach data to a task", description=_UPLOAD_PROTOCOL,
        parameters=[header("Upload-Start", "Begins an upload."),
                    header("Upload-Multiple", "The request carries files (client_files) of an upload."),
                    header("Upload-Finish", "Ends an upload; the body is the DataRequest.")],
        request={"application/json": DataRequestSerializer, "multipart/form-data": DataRequestSerializer},
        responses=upload_responses("Upload-Finish or a single request: the frames are being made (rq_id).",
                                   {200: OpenApiResponse(description="Upload-Multiple: the files are stored."),
                                    409: error(409, "The task has data already, or it is being made.")}),
    ),
)

# TUS chunks (PATCH, HEAD) of an upload; CVAT's schema leaves them out too: the clients reach them
# through the Location a TUS creation answers, and the POST above describes them.
task_upload = extend_schema_view(patch=extend_schema(exclude=True), head=extend_schema(exclude=True))

job_data = extend_schema_view(
    get=extend_schema(
        summary="Get a frame, a chunk or the preview of a job",
        parameters=[_TYPE, _NUMBER, _QUALITY,
                    query("index", "The job-relative chunk index (type=chunk); without it, 'number' is a "
                                   "task-relative chunk number (deprecated).", int, bounds=UINT32)],
        responses=_MEDIA,
    ),
)

task_meta = extend_schema_view(
    get=extend_schema(summary="Get the frames of a task: sizes, names, deleted frames",
                      responses=DataMetaReadSerializer),
    patch=extend_schema(summary="Set the deleted frames of a task", request=DataMetaWriteSerializer,
                        responses=DataMetaReadSerializer),
)

job_meta = extend_schema_view(
    get=extend_schema(summary="Get the frames of a job", responses=DataMetaReadSerializer),
    patch=extend_schema(summary="Set the deleted frames in a job's range", request=DataMetaWriteSerializer,
                        responses=DataMetaReadSerializer),
)

preview = extend_schema_view(
    get=extend_schema(summary="Get a thumbnail of the first frame",
                      responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
                                 404: error(404, "No data has been uploaded yet.")}),
)
