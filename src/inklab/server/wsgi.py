"""WSGI entry point (gunicorn serves it, with sendfile for frame and chunk files)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inklab.server.settings")

application = get_wsgi_application()
