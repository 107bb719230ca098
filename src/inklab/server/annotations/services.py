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

Write transactions do nothing but the database work: on SQLite each holds the database's only
write lock, and every other user's write waits for it. Payloads are checked and serialised
before (:func:`prepare`, then :meth:`PreparedWrite.apply`; :class:`BatchWriter` spools large
ones to a file first), and the transaction then checks again, under the task's row lock, what
the check relied on: the labels and attributes (:data:`LABELS_CHANGED`) and, for imports, the
version (:data:`STALE_IMPORT`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from django.db import connection, transaction
from django.db.models import F, Max, Min

from inklab.server.annotations.models import AnnotationObject, Kind
from inklab.server.annotations.signals import annotations_changed
from inklab.server.annotations.validation import (
    LABELED_DATA_FIELDS,
    FrameSizes,
    LabelIndex,
    Normalizer,
    check_fields,
)
from inklab.server.api.integers import ID, check_int
from inklab.server.errors import Conflict, InvalidInput
from inklab.server.projects import permissions as perms
from inklab.server.projects.models import Job, Task, touch
from inklab.vocabulary import JobType

__all__ = ["LABELS_CHANGED", "STALE_IMPORT", "BatchWriter", "PreparedWrite", "Scope", "StaleVersion", "bump_versions",
           "delete_all", "prepare", "read", "read_bytes", "version_of", "write"]

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

    @property
    def layer(self) -> int | None:
        """The ground-truth or replica job whose own objects this scope holds; None for the task's."""
        return self.job.pk if self.job is not None and self.job.type != JobType.ANNOTATION else None

    def contains(self, frame: int) -> bool:
        if self.job is not None and self.job.type == JobType.GROUND_TRUTH:
            return frame in self.job.frames
        return self.first <= frame <= self.last

    def objects(self) -> Any:
        queryset = AnnotationObject.objects.filter(task_id=self.task.pk, job_id=self.layer)
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


def _version(scope: Scope) -> int:
    """The scope's version: its job's for a job (which changes only with the job's frames), else the task's."""
    return version_of(scope.job or scope.task)


STALE_IMPORT = "The annotations changed after this import was queued; upload the file again."
LABELS_CHANGED = ("The task's labels or attributes changed while the annotations were being checked; nothing "
                  "was written. Run the import again.")


def version_of(target: Task | Job) -> int:
    """The current annotation version of a task, or of a job (which changes only with its frames)."""
    return type(target).objects.values_list("annotations_version", flat=True).get(pk=target.pk)


def _lock(scope: Scope) -> None:
    """Take the task's row lock first in every annotation write: writes to one task then run one
    after the other, and two of them never wait for each other's rows (no deadlock)."""
    Task.objects.select_for_update().filter(pk=scope.task.pk).values_list("pk", flat=True).first()


class StaleVersion(Conflict):
    """A conditional write named a version that is no longer the scope's; ``current`` is the one stored.
    The body keeps CVAT's ``detail`` and adds ``version`` (the current version) for clients to show."""

    def __init__(self, given: int, current: int) -> None:
        super().__init__({
            "detail": (f"version: these annotations changed since version {given} was read; the current version "
                       f"is {current}. Nothing was written: reload them, or send the write again without a "
                       "version to overwrite."),
            "version": current,
        })
        self.given = given
        self.current = current


def _check_base(scope: Scope, base_version: int, message: str | None = STALE_IMPORT) -> None:
    """Inside the write transaction, with the task locked: refuse to write over a newer version
    (:data:`STALE_IMPORT`, or :class:`StaleVersion` when ``message`` is None)."""
    current = _version(scope)
    if current != base_version:
        raise Conflict(message) if message is not None else StaleVersion(base_version, current)


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
    return _labeled_data(rows, _version(scope))


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
    check_fields(payload, "", LABELED_DATA_FIELDS, "the annotations")
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
            if last < scope.first or first > scope.last or (kind != Kind.TRACK and not scope.contains(first)):
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
    annotations_changed.send(sender=Task, task_id=scope.task.pk)
    touch(scope.task)
    if spans:
        low = min(a for a, _ in spans)
        high = max(b for _, b in spans)
        jobs = Job.objects.filter(task=scope.task, start_frame__lte=high, stop_frame__gte=low)
        # the task's objects are seen by its annotation jobs, a job's own layer by that job only
        jobs = jobs.filter(pk=scope.layer) if scope.layer is not None else jobs.filter(type=JobType.ANNOTATION)
        jobs.update(annotations_version=F("annotations_version") + 1)
        touch(*jobs)
    return _version(scope)


_INSERT_COLUMNS = ("task_id", "kind", "frame", "last_frame", "label_id", "data", "job_id")


def _in_batches(task: Task, rows: list[_Row], layer: int | None = None) -> None:
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
        _copy_rows(task, rows, layer)
        return
    table = connection.ops.quote_name(AnnotationObject._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start:start + _BATCH]
            sql = (f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(batch))} "
                   f"RETURNING {connection.ops.quote_name('id')}")
            params = [value for r in batch for value in (task.pk, r.kind, r.frame, r.last_frame, r.label_id, r.data, layer)]
            cursor.execute(sql, params)
            # Like bulk_create, this relies on RETURNING giving ids in the order of VALUES.
            for row, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                row.pk = pk


def _copy_rows(task: Task, rows: list[_Row], layer: int | None) -> None:
    table = AnnotationObject._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, len(rows)])
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        columns = ", ".join(connection.ops.quote_name(c) for c in ("id", *_INSERT_COLUMNS))
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((r.pk, task.pk, r.kind, r.frame, r.last_frame, r.label_id, r.data, layer))


def _insert_rows(rows: Iterable[tuple[int, str, int, int, int, str, int | None]]) -> None:
    """Insert ``(task id, kind, frame, last frame, label id, data, layer)`` rows as they come, without
    reading their ids back: a prepared ``INSERT`` run for each row (SQLite), ``COPY`` (PostgreSQL)."""
    table = connection.ops.quote_name(AnnotationObject._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})",
                               rows)


def _existing_span(scope: Scope) -> list[tuple[int, int]]:
    """The frames the scope's stored objects cover, as one ``(first, last)`` span (none if empty)."""
    span = scope.objects().aggregate(first=Min("frame"), last=Max("last_frame"))
    return [] if span["first"] is None else [(span["first"], span["last"])]


def _update(rows: list[_Row]) -> None:
    q = connection.ops.quote_name
    sql = (f"UPDATE {q(AnnotationObject._meta.db_table)} SET {q('frame')} = %s, {q('last_frame')} = %s, "
           f"{q('label_id')} = %s, {q('data')} = %s WHERE {q('id')} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(r.frame, r.last_frame, r.label_id, r.data, r.pk) for r in rows])


def _check_labels(scope: Scope, checked: LabelIndex) -> None:
    """Inside the write transaction, with the task locked: refuse objects checked against labels
    or attributes that changed since (one may be gone: its id would dangle)."""
    if LabelIndex.for_task(scope.task).labels != checked.labels:
        raise Conflict(LABELS_CHANGED)


class PreparedWrite:
    """A ``put`` / ``create`` / ``update`` / ``delete`` whose payload is checked and serialised
    (:func:`prepare`), so that :meth:`apply` does nothing but the database work."""

    def __init__(self, scope: Scope, action: str, rows: list[_Row], labels: LabelIndex | None,
                 doomed: list[int] | None = None, base_version: int | None = None) -> None:
        self.scope = scope
        self.base_version = base_version
        self.action = action
        self.rows = rows
        self.labels = labels
        self.doomed = doomed or []

    def apply(self) -> bytes:
        """Write in one transaction (the caller's, if it has one); returns ``LabeledData`` JSON of
        the objects written (with their ids), or of nothing for ``delete``; its ``version`` is the
        new annotation version. Raises :class:`~inklab.server.errors.Conflict`
        (:data:`LABELS_CHANGED`) if the task's labels changed since :func:`prepare`, and
        :class:`StaleVersion` if a ``base_version`` was given and is no longer the scope's (the
        check and the write share the transaction and the task's row lock)."""
        scope, rows = self.scope, self.rows
        with transaction.atomic():
            _lock(scope)
            if self.base_version is not None:
                _check_base(scope, self.base_version, None)
            if self.labels is not None:
                _check_labels(scope, self.labels)
            if self.action == "delete":
                spans: list[tuple[int, int]] = []
                for part in _chunks(self.doomed):
                    doomed = scope.objects().filter(pk__in=part)
                    spans.extend(doomed.values_list("frame", "last_frame"))
                    doomed.delete()
                version = _bump(scope, spans) if spans else _version(scope)
                return _labeled_data((), version)
            spans = [(r.frame, r.last_frame) for r in rows]
            if self.action == "put":
                spans += _existing_span(scope)
                scope.objects().delete()
            elif self.action == "update":
                self._check_ids(spans)
                _update([r for r in rows if r.pk is not None])
            _in_batches(scope.task, [r for r in rows if r.pk is None], scope.layer)  # objects without an id are new
            version = _bump(scope, spans) if spans else _version(scope)
        return _labeled_data(((r.kind, r.pk, r.data) for r in rows), version)

    def _check_ids(self, spans: list[tuple[int, int]]) -> None:
        """Updated ids must be objects of the scope, of the same kind; their old spans join ``spans``."""
        existing: dict[int, str] = {}
        for part in _chunks([r.pk for r in self.rows if r.pk is not None]):
            for pk, kind, first, last in self.scope.objects().filter(pk__in=part).values_list(
                    "pk", "kind", "frame", "last_frame"):
                existing[pk] = kind
                spans.append((first, last))
        for row in self.rows:
            if row.pk is not None and existing.get(row.pk) != row.kind:
                raise InvalidInput(f"There is no {row.kind} with id {row.pk} here.")


def prepare(user: Any, scope: Scope, payload: dict[str, Any], action: str,
            base_version: int | None = None) -> PreparedWrite:
    """Check permissions and the payload of a ``put`` / ``create`` / ``update`` / ``delete`` and
    serialise it, outside any transaction (see :func:`write`). With ``base_version`` the write
    happens only if the scope is still at that version (:class:`StaleVersion` otherwise)."""
    scope.check_write(user)
    if action == "delete":
        ids = []
        for key in _KEYS:
            for i, item in enumerate(payload.get(key) or []):
                if not isinstance(item, dict) or item.get("id") is None:
                    raise InvalidInput(f"{key}[{i}]: objects to delete need their 'id'.")
                ids.append(_client_id(item["id"], key))
        return PreparedWrite(scope, action, [], None, ids, base_version)
    if action not in ("put", "create", "update"):
        raise InvalidInput(f"Unknown action '{action}'; use create, update or delete.")
    normalizer = _normalizer(scope)
    rows = []
    for kind, obj, client_id in _normalized(scope, payload, normalizer):
        row = _row(kind, obj)
        if action == "update" and client_id is not None:
            row.pk = _client_id(client_id, kind)
        rows.append(row)
    known = [r.pk for r in rows if r.pk is not None]
    if len(set(known)) != len(known):
        twice = next(pk for pk, n in Counter(known).items() if n > 1)
        raise InvalidInput(f"Object id {twice} is given more than once.")
    return PreparedWrite(scope, action, rows, normalizer.index, base_version=base_version)


def write(user: Any, scope: Scope, payload: dict[str, Any], action: str, base_version: int | None = None) -> bytes:
    """Apply ``put`` / ``create`` / ``update`` / ``delete`` to the scope (see :meth:`PreparedWrite.apply`).

    The payload is validated and serialised before the write transaction begins, and the
    answer built after it ends: on SQLite the transaction holds the database's only write lock,
    so it does nothing but the deletes, inserts and updates themselves.
    """
    return prepare(user, scope, payload, action, base_version).apply()


class BatchWriter:
    """Writes a large set of new objects into a scope in two phases, in bounded memory, so that the
    write transaction lasts only as long as the database work itself.

    1. :meth:`add`, outside any transaction: validates one ``LabeledData``-shaped batch (messages name
       ``shapes[12]`` of that batch), serialises its objects and appends them to the ``spool`` file.
    2. :meth:`apply`: one transaction locks the task's row, checks that nothing the spooled objects
       depend on changed since phase 1 – the annotations (with ``base_version``: :data:`STALE_IMPORT`),
       the labels and attributes (:data:`LABELS_CHANGED`) – deletes the scope's objects (with
       ``replace``), inserts the spooled objects a batch at a time and bumps the version once. The
       scope's annotations change all at once or not at all.

    On SQLite that transaction holds the database's only write lock; reading and checking the
    file happen before it, while other users write. ``spool`` is a path chosen by the caller (so
    that a crashed process's file can be found and removed by name); :meth:`close` removes it, and
    the writer is a context manager that does.
    """

    def __init__(self, user: Any, scope: Scope, spool: Path, *, replace: bool, base_version: int | None = None) -> None:
        try:
            scope.check_write(user)
            self._normalizer = _normalizer(scope)
        except BaseException:
            spool.unlink(missing_ok=True)  # the caller may have made it already
            raise
        self.user = user
        self.scope = scope
        self.replace = replace
        self.base_version = base_version
        self.spool = spool
        self._low: int | None = None
        self._high: int | None = None
        self.count = 0
        self._file: IO[bytes] | None = open(spool, "wb")  # noqa: SIM115 - closed by close() or apply()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the spool file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self.spool.unlink(missing_ok=True)

    def _span(self, first: int, last: int) -> None:
        self._low = first if self._low is None else min(self._low, first)
        self._high = last if self._high is None else max(self._high, last)

    def add(self, payload: dict[str, Any]) -> int:
        """Validate one batch and spool it (phase 1); returns the number of objects spooled."""
        if self._file is None:
            raise RuntimeError("This BatchWriter was applied or closed already.")
        lines = []
        for kind, obj, _ in _normalized(self.scope, payload, self._normalizer):
            first, last = _span(kind, obj)
            self._span(first, last)
            # orjson escapes every control character inside strings: a row is one line, its
            # fields never contain a tab.
            lines.append(b"%s\t%d\t%d\t%d\t%s\n" % (kind.encode(), first, last, obj["label_id"], orjson.dumps(obj)))
        self._file.writelines(lines)
        self.count += len(lines)
        return len(lines)

    def _spooled(self) -> Iterator[tuple[int, str, int, int, int, str, int | None]]:
        """The spooled rows as ``(task id, kind, frame, last frame, label id, data, layer)``."""
        task, layer = self.scope.task.pk, self.scope.layer
        with open(self.spool, "rb") as fh:
            for line in fh:
                kind, first, last, label, data = line.rstrip(b"\n").split(b"\t", 4)
                yield task, kind.decode(), int(first), int(last), int(label), data.decode(), layer

    def apply(self, before_commit: Callable[[], None] | None = None) -> int:
        """Write everything spooled in one short transaction (phase 2); returns the new version.

        ``before_commit`` runs last inside the transaction (e.g. :meth:`Progress.hold
        <inklab.server.requests.progress.Progress.hold>`): if it raises, nothing is written.
        Raises :class:`~inklab.server.errors.Conflict` if the annotations or the labels changed
        since phase 1."""
        if self._file is None:
            raise RuntimeError("This BatchWriter was applied or closed already.")
        self._file.close()
        self._file = None
        scope = self.scope
        with transaction.atomic():
            _lock(scope)
            scope.check_write(self.user)
            if self.base_version is not None:
                _check_base(scope, self.base_version)
            _check_labels(scope, self._normalizer.index)
            if self.replace:
                for first, last in _existing_span(scope):
                    self._span(first, last)
                scope.objects().delete()
            _insert_rows(self._spooled())
            if self._low is None or self._high is None:
                version = _version(scope)
            else:
                version = _bump(scope, [(self._low, self._high)])
            if before_commit is not None:
                before_commit()
        return version


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _client_id(value: Any, kind: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{kind}: object ids must be integers, got {value!r}.")
    return check_int(value, f"{kind} id", ID)


@transaction.atomic
def delete_all(user: Any, scope: Scope, base_version: int | None = None) -> None:
    """Remove every object of the scope (if it is still at ``base_version``, when given)."""
    scope.check_write(user)
    _lock(scope)
    if base_version is not None:
        _check_base(scope, base_version, None)
    objects = scope.objects()
    spans = list(objects.values_list("frame", "last_frame"))
    objects.delete()
    _bump(scope, spans or [(scope.first, scope.last)])

