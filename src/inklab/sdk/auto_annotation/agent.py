"""An agent: serves a native function's queue on the server (``inklab function run-agent``).

It claims annotation requests (``POST .../requests/acquire``), annotates the whole task with
the local function, with the request's label mapping, threshold and mask setting, reports
progress (which renews its lease) and sends the results (``.../complete``) or the reason it
failed (``.../fail``). It polls the queue every ``poll_interval`` seconds; ``burst=True``
returns once the queue is empty. Several agents, on any machines, may serve one queue.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from inklab.sdk import ApiError, Client, SdkError, models
from inklab.sdk.auto_annotation._errors import AutoAnnotationError, BadFunctionError
from inklab.sdk.auto_annotation._frames import prefetch_frames
from inklab.sdk.auto_annotation._mapping import LabelMapper
from inklab.sdk.auto_annotation.driver import _Context, _task_scope
from inklab.sdk.auto_annotation.interface import DetectionFunction, _get

__all__ = ["AgentError", "run_agent"]

logger = logging.getLogger(__name__)

_UPDATE_INTERVAL = 20.0


class AgentError(AutoAnnotationError):
    """The function on the server cannot be served by this function object."""


def _mapped_labels(task_labels: list[models.Label], mapping: dict[str, Any]) -> list[models.Label]:
    """The task's labels under the function's names, as the request's mapping says."""
    by_name = {label.name: label for label in task_labels}

    def renamed(items: list[Any], names: dict[str, str]) -> list[dict[str, Any]]:
        found = {item.name: item for item in items}
        return [{**found[task].to_dict(), "name": ours} for ours, task in names.items() if task in found]

    result = []
    for ours, entry in mapping.items():
        target = by_name.get(entry.get("name"))
        if target is None:
            continue
        points = {p.name: p for p in target.sublabels or []}
        sublabels = [{**points[p["name"]].to_dict(), "name": name,
                      "attributes": renamed(list(points[p["name"]].attributes or []), p.get("attributes") or {})}
                     for name, p in (entry.get("sublabels") or {}).items() if p.get("name") in points]
        result.append(models.Label(name=ours, id=target.id, type=target.type,
                                   attributes=renamed(list(target.attributes or []), entry.get("attributes") or {}),
                                   sublabels=sublabels if target.sublabels else []))
    return result


def _check_compatible(remote: dict[str, Any], function: DetectionFunction) -> None:
    if remote.get("provider") != "native" or remote.get("kind") != "detector":
        raise AgentError(f"function #{remote.get('id')} is a {remote.get('provider')} {remote.get('kind')}; "
                         "agents serve native detectors")
    ours = {_get(label, "name"): label for label in function.spec.labels}
    for label in remote.get("labels_v2", []):
        local = ours.get(label["name"])
        if local is None:
            raise AgentError(f"function #{remote['id']} has label {label['name']!r}, which this function lacks")
        local_type = str(_get(local, "type", "any") or "any")
        if label.get("type", "any") not in ("any", "unknown", local_type):
            raise AgentError(f"label {label['name']!r} has type {label['type']!r} on the server, "
                             f"{local_type!r} here")


class _Agent:
    def __init__(self, client: Client, function: DetectionFunction, function_id: int) -> None:
        self.client = client
        self.function = function
        self.queue = f"/api/functions/queues/function:{function_id}"
        self.agent_id = secrets.token_hex(16)
        remote = client.get_json(f"/api/functions/{function_id}")
        _check_compatible(remote, function)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.send_json("POST", f"{self.queue}/requests/{path}", {"agent_id": self.agent_id, **body})

    def acquire(self) -> dict[str, Any] | None:
        answer = self._post("acquire", {"request_category": "batch"})
        return answer.get("ar_assignment") if isinstance(answer, dict) else None

    def annotate(self, ar_id: str, params: dict[str, Any], report: Callable[[float], None]) -> dict[str, Any]:
        if params.get("type") != "annotate_task":
            raise BadFunctionError(f"unsupported request type {params.get('type')!r}")
        scope = _task_scope(self.client, int(params["task"]))
        mapper = LabelMapper(self.function.spec, _mapped_labels(scope.labels, params.get("mapping") or {}),
                             allow_unmatched_labels=True, conv_mask_to_poly=bool(params.get("conv_mask_to_poly")),
                             logger=logger)
        threshold, conv = params.get("threshold"), bool(params.get("conv_mask_to_poly"))
        tags: list[Any] = []
        shapes: list[Any] = []
        batched = callable(getattr(self.function, "detect_batch", None))
        size = int(getattr(self.function, "batch_size", None) or 8) if batched else 1
        frames = prefetch_frames(scope.download_chunk, scope.frames, scope.names, scope.chunk_size)
        done, batch = 0, []
        try:
            for frame in frames:
                batch.append(frame)
                if len(batch) < size and done + len(batch) < len(scope.frames):
                    continue
                contexts = [_Context(f.name, threshold, conv) for f in batch]
                if batched:
                    results = list(self.function.detect_batch(contexts, [f.image for f in batch]))  # type: ignore[attr-defined]
                else:
                    results = [self.function.detect(contexts[0], batch[0].image)]
                for f, result in zip(batch, results, strict=True):
                    frame_tags, frame_shapes = mapper.convert(result, frame=f.index, frame_name=f.name,
                                                              threshold=threshold)
                    tags.extend(frame_tags)
                    shapes.extend(frame_shapes)
                done += len(batch)
                batch = []
                report(done / max(1, len(scope.frames)))
        finally:
            frames.close()  # type: ignore[attr-defined]
        return {"tags": tags, "shapes": shapes}

    def process(self, assignment: dict[str, Any]) -> bool:
        ar_id, params = assignment["ar_id"], assignment["ar_params"]
        logger.info("Annotating task %s for request %s", params.get("task"), ar_id)
        last = time.monotonic()

        def report(progress: float) -> None:
            nonlocal last
            if time.monotonic() - last >= _UPDATE_INTERVAL:
                last = time.monotonic()
                try:
                    self._post(f"{ar_id}/update", {"progress": progress})
                except SdkError:
                    logger.warning("Could not report progress of request %s", ar_id, exc_info=True)

        try:
            annotations = self.annotate(ar_id, params, report)
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the server
            reason = (f"the function broke the protocol: {exc}" if isinstance(exc, BadFunctionError)
                      else f"HTTP status {exc.status}" if isinstance(exc, ApiError) and hasattr(exc, "status")
                      else type(exc).__name__)
            logger.error("Request %s failed: %s", ar_id, exc, exc_info=not isinstance(exc, BadFunctionError))
            try:
                self._post(f"{ar_id}/fail", {"exc_info": reason})
            except SdkError:
                logger.warning("Could not report the failure of request %s", ar_id, exc_info=True)
            return False
        self._post(f"{ar_id}/complete", {"annotations": annotations})
        logger.info("Request %s done: %d shapes, %d tags", ar_id, len(annotations["shapes"]),
                    len(annotations["tags"]))
        return True


def run_agent(client: Client, function: DetectionFunction, function_id: int, *, burst: bool = False,
              poll_interval: float = 10.0) -> int:
    """Serve function ``function_id``'s queue with ``function``; returns the requests completed.

    Raises :class:`AgentError` when the server's function does not match this function
    object, and the SDK's errors when the server cannot be used (e.g. the function was deleted).
    """
    agent = _Agent(client, function, function_id)
    logger.info("Agent %s serving function #%s", agent.agent_id, function_id)
    completed = 0
    while True:
        assignment = agent.acquire()
        if assignment is None:
            if burst:
                return completed
            time.sleep(poll_interval)
            continue
        completed += agent.process(assignment)
