"""Signals other apps listen to, so that this app never imports them.

``labels_remapped(sender=Task, task=..., labels={old_id: new_id}, attributes={old_id: new_id})``
is sent
inside the transaction that moves a task into or out of a project, before the old labels
are deleted: stored annotations must follow the mappings (labels include skeleton points).

``changing(sender=Project|Task|Job|Issue|Comment, instance=...)`` is sent inside the transaction of a change,
before anything of ``instance`` is modified (receivers may keep what they need of the old state).

``changed(sender=Project|Task|Job|Issue|Comment, instance=..., user=..., action="create"|"update"|"delete")``
is sent inside the transaction after ``instance`` was created or changed by ``user``, and just
before it is deleted (it is still whole then). The review app sends both for its issues and
comments, the organizations service for organizations, memberships and invitations. Receivers that act outside the database wait
for the commit (``transaction.on_commit``).
"""

from django.dispatch import Signal

__all__ = ["changed", "changing", "labels_remapped"]

labels_remapped = Signal()
changing = Signal()
changed = Signal()
