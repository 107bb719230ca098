"""The single page of the web UI; routing happens in the browser.

The server knows the browser's routes (:mod:`inklab.ui.urls`) and answers them with the page.
Unknown addresses outside the API – ``/tasks/3/extra`` and ``/projects/abc`` included – get
the same page with status 404: the browser's router shows the app's own "Nothing here" page
for them.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def index(request: HttpRequest, route: str = "") -> HttpResponse:
    return render(request, "ui/index.html")


@ensure_csrf_cookie
def not_found(request: HttpRequest) -> HttpResponse:
    """The app's page with status 404, for an address no route of the server knows."""
    return render(request, "ui/index.html", status=404)
