"""The inklab server: a Django project that speaks the CVAT REST API v2.

Apps, one domain each: :mod:`~inklab.server.iam` (users, tokens, permissions),
:mod:`~inklab.server.projects` (projects, tasks, jobs, labels),
:mod:`~inklab.server.media` (uploads, frames, chunks),
:mod:`~inklab.server.annotations` (tags, shapes, tracks),
:mod:`~inklab.server.requests` (background requests and their workers),
:mod:`~inklab.server.meta` (server information).
"""
