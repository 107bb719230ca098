"""Reading and writing the annotations of a task or of a job.

A job's annotations are a view of its task's: the tags and shapes on the job's frames and
the tracks that touch them. Writing through a job changes only that view. Every write
increases the task's annotation ``version`` and that of the jobs whose frames it touched,
and bumps their ``updated_date`` (the CVAT SDK's cache depends on it). Background imports
remember the version they were queued against (:func:`version_of`) and refuse to write
over a newer one (:class:`BatchWriter`'s ``base_version``).

Operations (as in CVAT): ``get``, ``put`` (replace everything in scope), ``patch`` with
``create`` (add, ids assigned here), ``update`` (objects with an id replace the stored object of
that id, objects without one are added) or ``delete`` (remove objects by id), and ``delete_all``.
An ``update`` naming an id that is not an object of the scope (or is of another kind) is refused:
ids are the server's to give.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import F

from inklab.server.annotations.models import AnnotationObject, Kind
from inklab.server.annotations.validation import FrameSizes, LabelIndex, Normalizer
from inklab.server.api.integers import ID, check_int
from inklab.server.errors import Conflict, InvalidInput
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job, Task, touch

__all__ = ["STALE_IMPORT", "BatchWriter", "Scope", "bump_versions", "delete_all", "read", "read_bytes", "version_of",
           "write"]

_KEYS = {"tags": Kind.TAG, "shapes": Kind.SHAPE, "tracks": Kind.TRACK}
_BATCH = 2000  # rows per INSERT: 6 parameters each stays under SQLite's variable limit


@dataclass(frozen=True)
class Scope:
    """The frames a request may see and change: a whole task, or one job of it."""

    task: Task
    job: Job | None = None

    @property
    def first(self) -> int:
        return self.job.start_frame if self.job else 0

    @property
    def last(self) -> int:
        return self.job.stop_frame if self.job else max(self.task.size - 1, 0)

    def objects(self) -> Any:
        queryset = AnnotationObject.objects.filter(task_id=self.task.pk)
        if self.job is not None:
            queryset = queryset.filter(frame__lte=self.last, last_frame__gte=self.first)
        return queryset

    def check_write(self, user: Any) -> None:
        if self.job is not None:
            perms.check_annotate_job(user, self.job)
        else:
            perms.check_manage_task(user, self.task)
        if not self.task.has_data:
            raise InvalidInput(f"Task {self.task.pk} has no data yet; upload frames before annotating.")


def _version(task: Task) -> int:
    return Task.objects.values_list("annotations_version", flat=True).get(pk=task.pk)


STALE_IMPORT = "The annotations changed after this import was queued; upload the file again."


def version_of(target: Task | Job) -> int:
    """The current annotation version of a task, or of a job (which changes only with its frames)."""
    return type(target).objects.values_list("annotations_version", flat=True).get(pk=target.pk)


def _lock(scope: Scope) -> None:
    """Take the task's row lock first in every annotation write: writes to one task then run one
    after the other, and two of them never wait for each other's rows (no deadlock)."""
    Task.objects.select_for_update().filter(pk=scope.task.pk).values_list("pk", flat=True).first()


def _check_base(scope: Scope, base_version: int) -> None:
    """Inside the write transaction, with the task locked: refuse to write over a newer version."""
    if version_of(scope.job or scope.task) != base_version:
        raise Conflict(STALE_IMPORT)


def bump_versions(task_ids: Iterable[int]) -> None:
    """Increase the versions of whole tasks and all their jobs (their annotations changed in bulk,
    e.g. when a label or an attribute went away)."""
    ids = list(task_ids)
    if ids:
        Task.objects.filter(pk__in=ids).update(annotations_version=F("annotations_version") + 1)
        Job.objects.filter(task_id__in=ids).update(annotations_version=F("annotations_version") + 1)


def _join(rows: Iterable[tuple[int, str]]) -> bytes:
    # Each stored object is a JSON object; splice the id in front of its other keys.
    return b",".join(b'{"id":%d,%s' % (pk, data[1:].encode()) for pk, data in rows)


def _labeled_data(rows: Iterable[tuple[str, int, str]], version: int) -> bytes:
    """``LabeledData`` JSON from ``(kind, id, stored JSON)`` rows."""
    parts: dict[str, list[tuple[int, str]]] = {kind: [] for kind in Kind}
    for kind, pk, data in rows:
        parts[kind].append((pk, data))
    return b'{"version":%d,"tags":[%s],"shapes":[%s],"tracks":[%s],"intervals":[]}' % (
        version, _join(parts[Kind.TAG]), _join(parts[Kind.SHAPE]), _join(parts[Kind.TRACK]))


def read_bytes(scope: Scope) -> bytes:
    """``LabeledData`` of the scope as JSON bytes, assembled from the stored objects."""
    rows = scope.objects().order_by("id").values_list("kind", "id", "data").iterator(chunk_size=5000)
    return _labeled_data(rows, _version(scope.task))


def read(scope: Scope) -> dict[str, Any]:
    """``LabeledData`` of the scope as Python objects."""
    return orjson.loads(read_bytes(scope))


def _count_nested(payload: dict[str, Any]) -> int:
    count = 0
    for shape in payload.get("shapes") or []:
        if isinstance(shape, dict):
            count += len(shape.get("elements") or [])
    for track in payload.get("tracks") or []:
        if isinstance(track, dict):
            count += len(track.get("shapes") or [])
            for element in track.get("elements") or []:
                if isinstance(element, dict):
                    count += 1 + len(element.get("shapes") or [])
    return count


def _id_source(task: Task, payload: dict[str, Any]) -> Callable[[], int]:
    needed = _count_nested(payload)
    with transaction.atomic():  # a short transaction of its own: ids left unused are harmless
        first = task.allocate_nested_ids(needed)
    counter = itertools.count(first)
    return lambda: next(counter)


def _normalizer(scope: Scope) -> Normalizer:
    return Normalizer(LabelIndex.for_task(scope.task), (0, max(scope.task.size - 1, 0)), FrameSizes(scope.task))


def _normalized(scope: Scope, payload: dict[str, Any],
                normalizer: Normalizer | None = None) -> Iterator[tuple[Kind, dict[str, Any], Any]]:
    """Validate the payload; yield ``(kind, canonical object, client id)`` in order."""
    if not isinstance(payload, dict):
        raise InvalidInput("Expected a JSON object with tags, shapes and tracks.")
    if payload.get("intervals"):
        raise InvalidInput("intervals: interval annotations are for audio tasks, which this server does not hold.")
    normalizer = normalizer or _normalizer(scope)
    next_id = _id_source(scope.task, payload)
    for key, kind in _KEYS.items():
        items = payload.get(key) or []
        if not isinstance(items, list):
            raise InvalidInput(f"{key}: expected a list.")
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if kind == Kind.TAG:
                obj = normalizer.tag(item, where)
            elif kind == Kind.SHAPE:
                obj = normalizer.shape(item, where, next_id)
            else:
                obj = normalizer.track(item, where, next_id)
            first, last = _span(kind, obj)
            if last < scope.first or first > scope.last or (kind != Kind.TRACK and not scope.first <= first <= scope.last):
                raise InvalidInput(f"{where}.frame: {first} is outside this job's frames {scope.first}..{scope.last}.")
            yield kind, obj, item.get("id") if isinstance(item, dict) else None


def _span(kind: str, obj: dict[str, Any]) -> tuple[int, int]:
    if kind == Kind.TRACK:
        frames = [s["frame"] for s in obj["shapes"]]
        for element in obj["elements"]:
            frames.extend(s["frame"] for s in element["shapes"])
        return min(frames), max(frames)
    return obj["frame"], obj["frame"]


@dataclass(slots=True)
class _Row:
    """An object about to be stored (a plain record: a model instance per row costs too much)."""

    kind: str
    frame: int
    last_frame: int
    label_id: int
    data: str
    pk: int | None = None


def _row(kind: str, obj: dict[str, Any]) -> _Row:
    first, last = _span(kind, obj)
    return _Row(kind, first, last, obj["label_id"], orjson.dumps(obj).decode())


def _bump(scope: Scope, frames: Iterable[tuple[int, int]]) -> int:
    """Increase the version; touch the task and the jobs whose frames changed."""
    spans = list(frames)
    Task.objects.filter(pk=scope.task.pk).update(annotations_version=F("annotations_version") + 1)
    touch(scope.task)
    if spans:
        low = min(a for a, _ in spans)
        high = max(b for _, b in spans)
        jobs = Job.objects.filter(task=scope.task, start_frame__lte=high, stop_frame__gte=low)
        jobs.update(annotations_version=F("annotations_version") + 1)
        touch(*jobs)
    return _version(scope.task)


_INSERT_COLUMNS = ("task_id", "kind", "frame", "last_frame", "label_id", "data")


def _in_batches(task: Task, rows: list[_Row]) -> None:
    """Insert rows and set their ids, with the fastest bulk path of the database.

    PostgreSQL: ids are drawn from the table's sequence in one query, then the rows stream in
    through ``COPY`` (about 3x faster than multi-row ``INSERT``, whose parameters Django's
    client-side binding interpolates one by one). SQLite: one multi-row ``INSERT ... RETURNING
    id`` per batch, which is what ``bulk_create`` does there, without building the SQL one model
    field at a time (that costs more than the insert itself at 100,000 rows).
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_rows(task, rows)
        return
    table = connection.ops.quote_name(AnnotationObject._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start:start + _BATCH]
            sql = (f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(batch))} "
                   f"RETURNING {connection.ops.quote_name('id')}")
            params = [value for r in batch for value in (task.pk, r.kind, r.frame, r.last_frame, r.label_id, r.data)]
            cursor.execute(sql, params)
            # Like bulk_create, this relies on RETURNING giving ids in the order of VALUES.
            for row, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                row.pk = pk


def _copy_rows(task: Task, rows: list[_Row]) -> None:
    table = AnnotationObject._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, len(rows)])
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        columns = ", ".join(connection.ops.quote_name(c) for c in ("id", *_INSERT_COLUMNS))
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((r.pk, task.pk, r.kind, r.frame, r.last_frame, r.label_id, r.data))


def _update(rows: list[_Row]) -> None:
    q = connection.ops.quote_name
    sql = (f"UPDATE {q(AnnotationObject._meta.db_table)} SET {q('frame')} = %s, {q('last_frame')} = %s, "
           f"{q('label_id')} = %s, {q('data')} = %s WHERE {q('id')} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(r.frame, r.last_frame, r.label_id, r.data, r.pk) for r in rows])


def write(user: Any, scope: Scope, payload: dict[str, Any], action: str) -> bytes:
    """Apply ``put`` / ``create`` / ``update`` / ``delete`` to the scope.

    Returns ``LabeledData`` JSON of the objects written (with their ids), or of nothing
    for ``delete``; its ``version`` is the new annotation version.

    The payload is validated and serialised before the write transaction begins, and the
    answer built after it ends: on SQLite the transaction holds the database's only write lock,
    so it does nothing but the deletes, inserts and updates themselves.
    """
    scope.check_write(user)
    if action in ("put", "create"):
        rows = [_row(kind, obj) for kind, obj, _ in _normalized(scope, payload)]
        with transaction.atomic():
            _lock(scope)
            spans = [(r.frame, r.last_frame) for r in rows]
            if action == "put":
                spans += list(scope.objects().values_list("frame", "last_frame"))
                scope.objects().delete()
            _in_batches(scope.task, rows)
            version = _bump(scope, spans) if spans else _version(scope.task)
        return _labeled_data(((r.kind, r.pk, r.data) for r in rows), version)
    if action == "update":
        updates = list(_normalized(scope, payload))
        ids = [None if client_id is None else _client_id(client_id, kind) for kind, _, client_id in updates]
        known = [pk for pk in ids if pk is not None]
        if len(set(known)) != len(known):
            twice = next(pk for pk, n in Counter(known).items() if n > 1)
            raise InvalidInput(f"Object id {twice} is given more than once.")
        rows = []
        for (kind, obj, _), pk in zip(updates, ids, strict=True):
            row = _row(kind, obj)
            row.pk = pk
            rows.append(row)
        with transaction.atomic():
            _lock(scope)
            existing: dict[int, str] = {}
            spans: list[tuple[int, int]] = []
            for part in _chunks(known):
                for pk, kind, first, last in scope.objects().filter(pk__in=part).values_list(
                        "pk", "kind", "frame", "last_frame"):
                    existing[pk] = kind
                    spans.append((first, last))
            for row in rows:
                if row.pk is not None and existing.get(row.pk) != row.kind:
                    raise InvalidInput(f"There is no {row.kind} with id {row.pk} here.")
                spans.append((row.frame, row.last_frame))
            _update([r for r in rows if r.pk is not None])
            _in_batches(scope.task, [r for r in rows if r.pk is None])  # objects without an id are new
            version = _bump(scope, spans) if rows else _version(scope.task)
        return _labeled_data(((r.kind, r.pk, r.data) for r in rows), version)
    if action == "delete":
        ids = []
        for key in _KEYS:
            for i, item in enumerate(payload.get(key) or []):
                if not isinstance(item, dict) or item.get("id") is None:
                    raise InvalidInput(f"{key}[{i}]: objects to delete need their 'id'.")
                ids.append(_client_id(item["id"], key))
        with transaction.atomic():
            _lock(scope)
            spans = []
            for part in _chunks(ids):
                doomed = scope.objects().filter(pk__in=part)
                spans.extend(doomed.values_list("frame", "last_frame"))
                doomed.delete()
            version = _bump(scope, spans) if spans else _version(scope.task)
        return _labeled_data((), version)
    raise InvalidInput(f"Unknown action '{action}'; use create, update or delete.")


class BatchWriter:
    """Writes a large set of new objects into a scope batch by batch, in bounded memory.

    For imports: each :meth:`add` validates one ``LabeledData``-shaped batch (messages name
    ``shapes[12]`` of that batch) and inserts it at once; :meth:`finish` bumps the version
    once. With ``replace`` the scope's objects are deleted first. Use it inside the caller's
    ``transaction.atomic()`` block, so that a failure in any batch rolls back every batch and
    the deletion: the scope's annotations change all at once or not at all.

    With ``base_version`` (the scope's :func:`version_of` when the import was queued), it raises
    :class:`~inklab.server.errors.Conflict` (:data:`STALE_IMPORT`) if the annotations changed
    since; the task's row stays locked until the transaction ends, so none can change meanwhile.
    """

    def __init__(self, user: Any, scope: Scope, *, replace: bool, base_version: int | None = None) -> None:
        if not connection.in_atomic_block:
            raise RuntimeError("BatchWriter needs an enclosing transaction.atomic() block.")
        scope.check_write(user)
        _lock(scope)
        if base_version is not None:
            _check_base(scope, base_version)
        self.scope = scope
        self._normalizer = _normalizer(scope)
        self._low: int | None = None
        self._high: int | None = None
        if replace:
            existing = scope.objects()
            for first, last in existing.values_list("frame", "last_frame").iterator(chunk_size=10_000):
                self._span(first, last)
            existing.delete()

    def _span(self, first: int, last: int) -> None:
        self._low = first if self._low is None else min(self._low, first)
        self._high = last if self._high is None else max(self._high, last)

    def add(self, payload: dict[str, Any]) -> int:
        """Validate and insert one batch; returns the number of objects written."""
        rows = [_row(kind, obj) for kind, obj, _ in _normalized(self.scope, payload, self._normalizer)]
        for row in rows:
            self._span(row.frame, row.last_frame)
        _in_batches(self.scope.task, rows)
        return len(rows)

    def finish(self) -> int:
        """Bump the annotation version (when anything changed); returns it."""
        if self._low is None or self._high is None:
            return _version(self.scope.task)
        return _bump(self.scope, [(self._low, self._high)])


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _client_id(value: Any, kind: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{kind}: object ids must be integers, got {value!r}.")
    return check_int(value, f"{kind} id", ID)


@transaction.atomic
def delete_all(user: Any, scope: Scope) -> None:
    scope.check_write(user)
    _lock(scope)
    objects = scope.objects()
    spans = list(objects.values_list("frame", "last_frame"))
    objects.delete()
    _bump(scope, spans or [(scope.first, scope.last)])

