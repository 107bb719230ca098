"""Sign up, sign out and sign in through the web UI."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.e2e.conftest import shot, sign_in
from tests.support.live import LiveServer


def test_sign_up_sign_out_sign_in(page: Any, live_server: LiveServer) -> None:
    name = f"ann-{uuid.uuid4().hex[:8]}"
    page.goto("/")
    page.wait_for_url(re.compile(r".*/login.*"))
    shot(page, "page-sign-in")
    page.click("text=Create an account")
    page.wait_for_url(re.compile(r".*/register.*"))
    page.fill("input[name=username]", name)
    page.fill("input[name=email]", f"{name}@example.org")
    page.fill("input[name=first_name]", "Ann")
    page.fill("input[name=password1]", "Paint-the-boxes-7")
    page.fill("input[name=password2]", "Paint-the-boxes-8")
    page.click("button[type=submit]")
    assert "do not match" in page.locator(".form-error").inner_text()
    page.fill("input[name=password1]", "12345678")
    page.fill("input[name=password2]", "12345678")
    page.click("button[type=submit]")
    error = page.locator(".form-error")
    error.wait_for()
    page.wait_for_function("() => document.querySelector('.form-error').textContent.length > 0")
    assert "password1" in error.inner_text() and "numeric" in error.inner_text()
    shot(page, "page-sign-up")
    page.fill("input[name=password1]", "Paint-the-boxes-7")
    page.fill("input[name=password2]", "Paint-the-boxes-7")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/tasks.*"))
    assert page.locator(".user-name").inner_text() == name

    page.click("text=Sign out")
    page.wait_for_url(re.compile(r".*/login.*"))
    assert page.request.get("/api/users/self").status == 401

    page.fill("input[name=login]", name)
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_function("() => document.querySelector('.form-error').textContent.length > 0")
    assert "Unable to log in" in page.locator(".form-error").inner_text()
    assert "/login" in page.url
    # Signing in with the email address works too.
    page.fill("input[name=login]", f"{name}@example.org")
    page.fill("input[name=password]", "Paint-the-boxes-7")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/tasks.*"))
    assert page.locator(".user-name").inner_text() == name


def test_deep_link_asks_to_sign_in_then_continues(page: Any, live_server: LiveServer) -> None:
    page.goto("/projects?search=nothing-like-this")
    page.wait_for_url(re.compile(r".*/login\?next=.*"))
    sign_in_next = page.url
    assert "projects" in sign_in_next
    page.fill("input[name=login]", live_server.admin[0])
    page.fill("input[name=password]", live_server.admin[1])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/projects\?.*search=nothing-like-this.*"))
    assert page.locator("h1").inner_text() == "Projects"
    page.wait_for_function("() => document.querySelector('.list-status').textContent.includes('Nothing matches')")


def test_unknown_page_and_session_end(page: Any, live_server: LiveServer) -> None:
    sign_in(page, *live_server.admin)
    page.goto("/tasks/not-a-number/extra")
    assert "Nothing here" in page.locator("h1").inner_text()
    # When the session ends elsewhere, the next request sends the user to the sign-in page.
    page.goto("/tasks")
    page.locator("h1", has_text="Tasks").wait_for()
    page.context.clear_cookies()
    page.click(".top-nav >> text=Projects")
    page.wait_for_url(re.compile(r".*/login\?next=.*projects.*"))
    assert "session has ended" in page.locator(".toasts").inner_text()


def test_unknown_addresses_get_the_apps_page(page: Any, live_server: LiveServer) -> None:
    """Not Django's bare 404: the app's own page for unknown UI addresses; JSON under /api/."""
    sign_in(page, *live_server.admin)
    # The server knows the app's routes: an address under one of them that is none of them is
    # nowhere too (404), and the browser's router finds nothing for it either.
    for path in ("/nowhere", "/nowhere/at/all", "/tasks/3/extra/part", "/login/oops"):
        response = page.goto(path)
        assert response.status == 404
        page.locator("h1", has_text="Nothing here").wait_for()
        assert page.locator(".app-header .brand").inner_text() == "inklab"
        assert page.locator(".user-name").inner_text() == live_server.admin[0]
    api = page.request.get("/api/nowhere/at/all")
    assert api.status == 404 and api.headers["content-type"] == "application/json"
    assert api.json() == {"detail": "Not found."}


def test_ids_in_addresses_are_checked_before_any_request(page: Any, live_server: LiveServer) -> None:
    """``/projects/abc`` used to ask the API for ``/api/projects/NaN``."""
    sign_in(page, *live_server.admin)
    page.wait_for_load_state("networkidle")  # the landing list's own requests (previews) are done
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if re.search(r"/api/(projects|tasks|jobs)/", r.url) else None)
    for path in ("/projects/abc", "/tasks/1e3", "/jobs/-4", "/projects/0", "/tasks/99999999999999999999999"):
        page.goto(path)
        page.locator("h1", has_text="Nothing here").wait_for()
        assert f"There is no page at {path}" in page.locator("main").inner_text()
    assert api_calls == []
