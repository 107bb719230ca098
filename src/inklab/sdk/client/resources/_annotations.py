"""Annotation operations shared by tasks and jobs (``…/annotations/``).

Conditional writes: every read answers the annotations' ``version`` (``LabeledData.version``, or
:meth:`~AnnotationCrudMixin.get_annotations_version`), and every write answers the new one. A write
given ``version=N`` happens only if the annotations are still at version N; otherwise nothing is
written and :class:`~inklab.sdk.client.StaleAnnotationsError` (a ``ConflictError``) says which version
is current. A job's version changes only with changes on its own frames; a task's with any change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from inklab.sdk.client.resources._base import Entity, as_payload
from inklab.sdk.models import LabeledData, Model

__all__ = ["AnnotationCrudMixin", "AnnotationUpdateAction"]

_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


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

    def get_annotations_version(self) -> int:
        """The annotations' current version, for ``version=`` in a later write (read from the
        answer's ``ETag``, without building the annotations)."""
        response = self._client.request("GET", self._annotations_path)
        tag = _ETAG.match(response.headers.get("ETag") or "")
        if tag is not None:
            return int(tag.group(1))
        return int(response.json().get("version", 0))

    def set_annotations(self, data: Mapping[str, Any] | Model, *, version: int | None = None) -> LabeledData | None:
        """Replace all annotations (``PUT``); missing lists (``tracks`` …) mean none are kept.
        With ``version``, only if they are still at that version (see the module's docstring)."""
        return _labeled(self._client.send_json("PUT", self._annotations_path, as_payload(data),
                                               params=_version_params(version)))

    def update_annotations(self, data: Mapping[str, Any] | Model, *,
                           action: AnnotationUpdateAction | str = AnnotationUpdateAction.UPDATE,
                           version: int | None = None) -> LabeledData | None:
        """Create, update or delete objects; returns what the server wrote (with the new ids and
        the new ``version``).

        ``update`` (the default) replaces the objects that carry an ``id`` and adds those that do
        not, as CVAT does; ``create`` adds them all (ignoring ids); ``delete`` removes by ``id``.
        With ``version``, only if the annotations are still at that version."""
        value = action.value if isinstance(action, AnnotationUpdateAction) else AnnotationUpdateAction(action).value
        return _labeled(self._client.send_json("PATCH", self._annotations_path, as_payload(data),
                                               params={"action": value, **_version_params(version)}))

    def remove_annotations(self, *, ids: Sequence[int] | None = None, version: int | None = None) -> None:
        """Delete the objects with these ids (tags, shapes or tracks), or everything.
        With ``version``, only if the annotations are still at that version."""
        if not ids:
            self._client.request("DELETE", self._annotations_path, params=_version_params(version))
            return
        wanted = set(ids)
        current = self._client.get_json(self._annotations_path)
        doomed = {key: [obj for obj in current.get(key, []) if obj.get("id") in wanted]
                  for key in ("tags", "shapes", "tracks")}
        if any(doomed.values()):
            self.update_annotations(doomed, action=AnnotationUpdateAction.DELETE, version=version)
        elif version is not None and current.get("version") != version:
            # Nothing to delete, but the caller asked for a check: say the version moved on as a write would.
            self.update_annotations({}, action=AnnotationUpdateAction.DELETE, version=version)


def _version_params(version: int | None) -> dict[str, int]:
    if version is None:
        return {}
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError(f"version must be an annotations version (an int >= 0, as read from the server), not {version!r}")
    return {"version": version}


def _labeled(answer: Any) -> LabeledData | None:
    return LabeledData.from_dict(answer) if isinstance(answer, dict) else None
