"""Annotation operations shared by tasks and jobs (``…/annotations/``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from inklab.sdk.client.resources._base import Entity, as_payload
from inklab.sdk.models import LabeledData, Model

__all__ = ["AnnotationCrudMixin", "AnnotationUpdateAction"]


class AnnotationUpdateAction(Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class AnnotationCrudMixin(Entity):
    """``get/set/update/remove_annotations``; frames are task frame numbers, also for jobs."""

    @property
    def _annotations_path(self) -> str:
        return f"{self._path}/annotations/"

    def get_annotations(self) -> LabeledData:
        """All tags, shapes and tracks."""
        return LabeledData.from_dict(self._client.get_json(self._annotations_path))

    def get_annotations_json(self) -> bytes:
        """The annotations as the server's JSON bytes (no models built: for large tasks)."""
        return self._client.request("GET", self._annotations_path).data

    def set_annotations(self, data: Mapping[str, Any] | Model) -> LabeledData | None:
        """Replace all annotations (``PUT``); missing lists (``tracks`` …) mean none are kept."""
        return _labeled(self._client.send_json("PUT", self._annotations_path, as_payload(data)))

    def update_annotations(self, data: Mapping[str, Any] | Model, *,
                           action: AnnotationUpdateAction | str = AnnotationUpdateAction.UPDATE
                           ) -> LabeledData | None:
        """Create, update or delete objects; returns what the server wrote (with the new ids).

        ``update`` (the default) replaces the objects that carry an ``id`` and adds those that do
        not, as CVAT does; ``create`` adds them all (ignoring ids); ``delete`` removes by ``id``."""
        value = action.value if isinstance(action, AnnotationUpdateAction) else AnnotationUpdateAction(action).value
        return _labeled(self._client.send_json("PATCH", self._annotations_path, as_payload(data),
                                               params={"action": value}))

    def remove_annotations(self, *, ids: Sequence[int] | None = None) -> None:
        """Delete the objects with these ids (tags, shapes or tracks), or everything."""
        if not ids:
            self._client.request("DELETE", self._annotations_path)
            return
        wanted = set(ids)
        current = self._client.get_json(self._annotations_path)
        doomed = {key: [obj for obj in current.get(key, []) if obj.get("id") in wanted]
                  for key in ("tags", "shapes", "tracks")}
        if any(doomed.values()):
            self.update_annotations(doomed, action=AnnotationUpdateAction.DELETE)


def _labeled(answer: Any) -> LabeledData | None:
    return LabeledData.from_dict(answer) if isinstance(answer, dict) else None
