"""The single page of the web UI; routing happens in the browser."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def index(request: HttpRequest, route: str = "") -> HttpResponse:
    return render(request, "ui/index.html")
