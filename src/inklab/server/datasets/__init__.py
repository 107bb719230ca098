"""Dataset export and import in every registered format, and task/project backups.

The CVAT API flows (``/api/{tasks,jobs,projects}/{id}/dataset/export``, annotation and dataset
imports through TUS uploads, ``/backup/export`` and ``/backup/`` restores) queue background
requests; the work reads and writes the database in a streaming way through
:mod:`inklab.formats`.
"""
