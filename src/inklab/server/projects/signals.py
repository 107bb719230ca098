"""Signals other apps listen to, so that this app never imports them.

``labels_remapped(sender=Task, task=..., labels={old_id: new_id}, attributes={old_id: new_id})``
is sent
inside the transaction that moves a task into or out of a project, before the old labels
are deleted: stored annotations must follow the mappings (labels include skeleton points).
"""

from django.dispatch import Signal

labels_remapped = Signal()
