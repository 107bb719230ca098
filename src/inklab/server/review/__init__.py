"""Review: issues pinned on a job's frame and their comment threads (CVAT's ``/api/issues`` and
``/api/comments``)."""
