"""Background requests: long operations run by workers, visible at ``/api/requests``.

A request is a database row; workers claim queued rows atomically, so any number of
worker threads (inside ``inklab serve``) and processes (``inklab worker``, e.g. on
PostgreSQL) can share the queue without Redis. Worker processes beat a heartbeat; the
requests of a process that died are ended within seconds and cleaned up after
(:mod:`.liveness`, :mod:`.queue`).
"""
