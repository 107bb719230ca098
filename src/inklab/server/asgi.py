"""ASGI entry point: ``inklab serve`` runs it under uvicorn (see :mod:`inklab.server.serving`).

``INKLAB_WEB_THREADS`` is the number of threads running Django in each web process.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inklab.server.settings")

_django = get_wsgi_application()

from inklab.server.serving.front import Front  # noqa: E402 - needs Django's settings

application = Front(_django, threads=int(os.environ.get("INKLAB_WEB_THREADS", "8")))
