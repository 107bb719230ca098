"""Webhooks: HTTP callbacks that tell a pipeline what changed in a project (or an organization).

``/api/webhooks`` as CVAT's. Events are recorded when the change commits and delivered by the
background workers (never from the request thread), signed with the webhook's secret, retried
with backoff, to addresses checked for server-side request forgery at creation and again at
delivery (:mod:`.addresses`).
"""
