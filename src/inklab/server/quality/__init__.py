"""Quality reports: a task's annotations compared with its ground-truth job (CVAT's
``/api/quality/settings``, ``/api/quality/reports`` and ``/api/quality/conflicts``). The
comparison itself is :mod:`inklab.quality`; this app stores settings and reports and computes
them in the background."""
