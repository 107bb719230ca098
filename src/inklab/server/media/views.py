"""Task and job data endpoints: upload, frames, chunks, meta, previews.

``/api/tasks/{id}/data/``  GET frame/chunk/preview; POST upload protocol (Upload-Start,
                           Upload-Multiple, Upload-Finish, TUS creation) or a one-shot request
``/api/tasks/{id}/data/{upload}``  TUS PATCH/HEAD
``/api/tasks/{id}/data/meta``, ``/api/jobs/{id}/data/meta``  GET/PATCH
``/api/jobs/{id}/data``    GET frame/chunk (job-relative chunk ``index``)
``/api/{tasks,jobs,projects}/{id}/preview``  GET thumbnail
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import FileResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inklab.server.api.integers import UINT32, query_int, required_query_int
from inklab.server.api.strict import refuse_unknown
from inklab.server.errors import Forbidden, InvalidInput, NotFound
from inklab.server.headers import MEDIA_POLICY
from inklab.server.iam.context import context_of
from inklab.server.media import rendering, schema, services, tus
from inklab.server.media.models import Frame
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job, Task
from inklab.vocabulary import Quality

__all__ = ["JobDataView", "JobMetaView", "PreviewView", "TaskDataView", "TaskMetaView", "TaskUploadView"]

_CACHE = "private, max-age=86400"


def _file(path: Path, content_type: str, *, cache: bool = True) -> FileResponse:
    """A stored file, with a Content-Type that :mod:`.rendering` chose (an image type, or zip)."""
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Content-Security-Policy"] = MEDIA_POLICY
    if cache:
        response["Cache-Control"] = _CACHE
    return response


def _quality(request: Request) -> str:
    quality = request.query_params.get("quality", Quality.COMPRESSED)
    if quality not in set(Quality):
        raise InvalidInput(f"quality must be 'original' or 'compressed', got '{quality}'.")
    return quality


def _frame_response(request: Request, task: Task, job: Job | None = None,
                    window: perms.FrameWindow = perms.WHOLE_TASK) -> FileResponse:
    frame = services.frame(task, required_query_int(request, "number", UINT32), job, window)
    path, mime = rendering.frame_file(task, frame, _quality(request))
    return _file(path, mime)


def _chunk_response(task: Task, frames: list[Frame], quality: str,
                    window: perms.FrameWindow = perms.WHOLE_TASK) -> FileResponse:
    hidden = services.hidden_frames(frames, window)
    response = _file(rendering.chunk_file(task, quality, frames, hidden), "application/zip")
    response["X-Updated-Date"] = services.chunks_stamp(task, window).isoformat()
    return response


def _preview_response(task: Task, frame: Frame | None, name: str) -> FileResponse:
    if frame is None:
        raise NotFound("There is no preview: no data has been uploaded yet.")
    return _file(rendering.preview_file(task, frame, name), "image/jpeg")


def _task_preview(task: Task, window: perms.FrameWindow) -> FileResponse:
    """The task's first frame, to those who may read it."""
    first = Frame.objects.filter(task=task).order_by("number").first()
    if first is not None and first.number not in window:
        raise Forbidden(f"The preview of task {task.pk} shows a frame outside your jobs; see your job's preview.")
    return _preview_response(task, first, "task")


@schema.task_data
class TaskDataView(APIView):
    def get(self, request: Request, pk: int) -> Any:
        task = perms.visible_task(request.user, pk, context_of(request))
        window = perms.readable_frames(request.user, task)
        kind = request.query_params.get("type", "frame")
        if kind == "frame":
            return _frame_response(request, task, window=window)
        if kind == "chunk":
            quality = _quality(request)
            frames = services.chunk_frames(task, required_query_int(request, "number", UINT32))
            return _chunk_response(task, frames, quality, window)
        if kind == "preview":
            return _task_preview(task, window)
        if kind == "context_image":
            raise NotFound("This task has no context images.")
        raise InvalidInput(f"Unknown data type '{kind}'; use frame, chunk, preview or context_image.")

    def post(self, request: Request, pk: int) -> Response:
        task = perms.visible_task(request.user, pk, context_of(request))
        headers = request.headers
        if tus.is_tus_create(request):
            services.check_can_upload(request.user, task)
            return tus.create(request, f"task-data:{task.pk}")
        if "Upload-Start" in headers:
            services.start_upload(request.user, task)
            return tus.upload_started()
        if "Upload-Multiple" in headers:
            services.save_client_files(request.user, task, _client_files(request))
            return Response(status=status.HTTP_200_OK)
        if "Upload-Finish" in headers:
            bg = services.request_processing(request.user, task, _params(request))
            return Response({"rq_id": bg.pk}, status=status.HTTP_202_ACCEPTED)
        # A single request with files and/or server_files/remote_files.
        files = _client_files(request)
        if files:
            services.start_upload(request.user, task)
            services.save_client_files(request.user, task, files)
        bg = services.request_processing(request.user, task, _params(request))
        return Response({"rq_id": bg.pk}, status=status.HTTP_202_ACCEPTED)


def _client_files(request: Request) -> list[Any]:
    files = []
    for key in request.FILES:
        if key.startswith("client_files"):
            files.extend(request.FILES.getlist(key))
    return files


_LIST_PARAMS = ("server_files", "remote_files", "upload_file_order")


def _params(request: Request) -> dict[str, Any]:
    data = request.data
    if isinstance(data, dict) and not hasattr(data, "getlist"):
        return dict(data)
    # multipart/form: scalar strings, lists as repeated keys or "name[i]" keys
    params: dict[str, Any] = {}
    for key in data.keys():
        base = key.split("[", 1)[0]
        if base == "client_files":
            continue
        if base in _LIST_PARAMS:
            params.setdefault(base, []).extend(data.getlist(key))
        else:
            params[base] = data.get(key)
    for key in ("image_quality", "chunk_size", "start_frame", "stop_frame"):
        if params.get(key) not in (None, ""):
            try:
                params[key] = int(params[key])
            except ValueError as exc:
                raise InvalidInput(f"'{key}' must be an integer.") from exc
    return params


@schema.task_upload
class TaskUploadView(APIView):
    """TUS PATCH/HEAD on ``/api/tasks/{id}/data/{upload id}``."""

    def patch(self, request: Request, pk: int, upload: Any) -> Response:
        perms.visible_task(request.user, pk, context_of(request))
        return tus.append(request, upload, f"task-data:{pk}")

    def head(self, request: Request, pk: int, upload: Any) -> Response:
        perms.visible_task(request.user, pk, context_of(request))
        return tus.head(request, upload, f"task-data:{pk}")


@schema.task_meta
class TaskMetaView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        task = perms.visible_task(request.user, pk, context_of(request))
        return Response(services.meta(task, window=perms.readable_frames(request.user, task)))

    def patch(self, request: Request, pk: int) -> Response:
        task = perms.visible_task(request.user, pk, context_of(request))
        refuse_unknown(request.data, {"deleted_frames"})
        services.set_deleted_frames(request.user, task, request.data.get("deleted_frames", []))
        return Response(services.meta(Task.objects.get(pk=pk)))


@schema.job_data
class JobDataView(APIView):
    def get(self, request: Request, pk: int) -> Any:
        job = perms.visible_job(request.user, pk, context_of(request))
        kind = request.query_params.get("type", "frame")
        if kind == "frame":
            return _frame_response(request, job.task, job)
        if kind == "chunk":
            quality = _quality(request)
            index = query_int(request, "index", UINT32)
            if index is None:
                # Deprecated form: a task-relative chunk number, restricted to the job's frames.
                frames = services.chunk_frames(job.task, required_query_int(request, "number", UINT32))
                frames = [f for f in frames if job.start_frame <= f.number <= job.stop_frame]
                if not frames:
                    raise InvalidInput("That chunk has no frames of this job.")
            else:
                frames = services.job_chunk_frames(job, index)
            return _chunk_response(job.task, frames, quality)
        if kind == "preview":
            return PreviewView.job_preview(job)
        if kind == "context_image":
            raise NotFound("This job has no context images.")
        raise InvalidInput(f"Unknown data type '{kind}'; use frame, chunk, preview or context_image.")


@schema.job_meta
class JobMetaView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        job = perms.visible_job(request.user, pk, context_of(request))
        return Response(services.meta(job.task, job))

    def patch(self, request: Request, pk: int) -> Response:
        job = perms.visible_job(request.user, pk, context_of(request))
        refuse_unknown(request.data, {"deleted_frames"})
        services.set_deleted_frames(request.user, job.task, request.data.get("deleted_frames", []), job)
        return Response(services.meta(Task.objects.get(pk=job.task_id), job))


@schema.preview
class PreviewView(APIView):
    kind = "task"

    def get(self, request: Request, pk: int) -> FileResponse:
        if self.kind == "task":
            task = perms.visible_task(request.user, pk, context_of(request))
            return _task_preview(task, perms.readable_frames(request.user, task))
        if self.kind == "job":
            return self.job_preview(perms.visible_job(request.user, pk, context_of(request)))
        project = perms.visible_project(request.user, pk, context_of(request))
        task = project.tasks.filter(has_data=True).order_by("id").first()
        if task is None:
            return _preview_response(task, None, "task")  # type: ignore[arg-type]
        return _task_preview(task, perms.readable_frames(request.user, task))

    @staticmethod
    def job_preview(job: Job) -> FileResponse:
        frame = Frame.objects.filter(task=job.task, number=job.start_frame).first()
        return _preview_response(job.task, frame, "job")
