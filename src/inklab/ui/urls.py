from django.urls import path, re_path

from inklab.ui import views

#: an object id in an address, as the browser's router takes it (``ID`` in router.js)
_ID = r"[1-9][0-9]{0,17}"

urlpatterns = [
    path("", views.index, name="ui-index"),
    # The browser's routes (main.js), for deep links and reloads; each may end with a slash.
    # Any other address gets the app's not-found page with status 404 (``handler404``).
    re_path(rf"^(?P<route>login|register|projects|projects/{_ID}|tasks|tasks/create|tasks/{_ID}|jobs|jobs/{_ID}|models|organization|invitations)/?$",
            views.index),
]
