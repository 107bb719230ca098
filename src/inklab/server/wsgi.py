"""WSGI entry point, for deployments under a WSGI server of their own.

``inklab serve`` runs :mod:`inklab.server.asgi` instead, which puts an event loop in front of
this same Django handler (see :mod:`inklab.server.serving`).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inklab.server.settings")

application = get_wsgi_application()
