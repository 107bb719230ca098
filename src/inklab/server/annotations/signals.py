"""Signals of the annotations app.

``annotations_changed(sender=Task, task_id=...)``: the annotations of a task (or of one of its
ground-truth jobs) changed, inside the writing transaction. Receivers that act on it should
wait for the commit (``transaction.on_commit``).
"""

from django.dispatch import Signal

__all__ = ["annotations_changed"]

annotations_changed = Signal()
