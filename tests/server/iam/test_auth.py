"""Login, sessions with CSRF, tokens, personal access tokens, registration."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from tests.server.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: APIClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/login", {"username": username, "password": password}, format="json")


def test_about_is_public_and_has_required_fields() -> None:
    body = APIClient().get("/api/server/about", HTTP_ACCEPT="application/vnd.cvat+json").json()
    assert set(body) >= {"name", "description", "version", "logo_url", "subtitle"}
    from packaging.version import Version

    version = Version(body["version"])
    assert version.release[:2] == (2, 80) and not version.is_prerelease


def test_vendor_media_type_is_accepted(api: APIClient) -> None:
    response = api.get("/api/tasks", HTTP_ACCEPT="application/vnd.cvat+json")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_protected_endpoints_need_authentication() -> None:
    client = APIClient()
    for path in ("/api/tasks", "/api/projects", "/api/jobs", "/api/users/self", "/api/requests",
                 "/api/labels", "/api/server/annotation/formats"):
        assert client.get(path).status_code == 401, path


def test_login_sets_cookies_the_sdk_can_parse(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("alice")
    response = login(APIClient(), "alice")
    assert response.status_code == 200
    assert len(response.json()["key"]) <= 40
    # The SDK joins all Set-Cookie headers with ", " and parses them with SimpleCookie.
    raw = ", ".join(morsel.OutputString() for morsel in response.cookies.values())
    parsed = SimpleCookie(raw)
    assert {"sessionid", "csrftoken"} <= set(parsed)


def test_login_by_email_and_wrong_password(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("bob")
    assert login(APIClient(), "bob", "wrong").status_code == 400
    response = APIClient().post("/api/auth/login", {"email": "bob@x.org", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_session_requests_need_csrf(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("carol")
    client = APIClient(enforce_csrf_checks=True)
    response = login(client, "carol")
    token = response.cookies["csrftoken"].value
    assert client.get("/api/users/self").json()["username"] == "carol"
    assert client.post("/api/projects", {"name": "p"}, format="json").status_code == 403
    created = client.post("/api/projects", {"name": "p"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert created.status_code == 201, created.content


def test_token_header_and_logout_revokes_it(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("dave")
    client = APIClient()
    key = login(client, "dave").json()["key"]
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client.get("/api/users/self").json()["username"] == "dave"
    assert client.post("/api/auth/logout", format="json").json() == {"detail": "Successfully logged out."}
    assert token_client.get("/api/users/self").status_code == 401


def test_basic_auth(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("erin")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic " + __import__("base64").b64encode(b"erin:" + PASSWORD.encode()).decode())
    assert client.get("/api/users/self").json()["username"] == "erin"
    client.credentials(HTTP_AUTHORIZATION="Basic " + __import__("base64").b64encode(b"erin:nope").decode())
    assert client.get("/api/users/self").status_code == 401


def _pat(client: APIClient, **fields) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = client.post("/api/auth/access_tokens", {"name": "ci", **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_personal_access_token_lifecycle(make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    user = make_user("frank")
    created = _pat(client_for(user))
    assert created["value"].startswith("ink_") and created["name"] == "ci"
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {created['value']}")
    assert bearer.get("/api/auth/access_tokens/self").json()["name"] == "ci"
    # Unsafe requests need no CSRF with a bearer token, even with a stale session cookie around.
    assert bearer.post("/api/projects", {"name": "p"}, format="json").status_code == 201
    listed = client_for(user).get("/api/auth/access_tokens").json()
    assert listed["count"] == 1 and "value" not in listed["results"][0]
    assert client_for(user).delete(f"/api/auth/access_tokens/{created['id']}").status_code == 204
    assert bearer.get("/api/users/self").status_code == 401


def test_read_only_and_expired_tokens(make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    user = make_user("gina")
    read_only = _pat(client_for(user), read_only=True)
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {read_only['value']}")
    assert bearer.get("/api/projects").status_code == 200
    assert bearer.post("/api/projects", {"name": "p"}, format="json").status_code == 403
    expired = _pat(client_for(user), expiry_date=(timezone.now() - timedelta(days=1)).isoformat())
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {expired['value']}")
    response = bearer.get("/api/projects")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    bearer.credentials(HTTP_AUTHORIZATION="Bearer ink_not-a-token")
    assert bearer.get("/api/projects").status_code == 401


def test_expiry_dates_before_1970_are_refused(make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    """Found by schemathesis: an expiry date in the year 446 came back as "446-10-11T...", not a date-time."""
    client = client_for(make_user("hal"))
    response = client.post("/api/auth/access_tokens", {"name": "old", "expiry_date": "0446-10-11T06:29:06Z"},
                           format="json")
    assert response.status_code == 400 and response.json() == {
        "expiry_date": ["The expiry date must be in 1970 or later."]}
    token = _pat(client)
    response = client.patch(f"/api/auth/access_tokens/{token['id']}", {"expiry_date": "0999-01-01T00:00:00Z"},
                            format="json")
    assert response.status_code == 400 and "expiry_date" in response.json()
    assert client.get(f"/api/auth/access_tokens/{token['id']}").json()["expiry_date"] == token["expiry_date"]


def test_register_and_duplicate(db) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    body = {"username": "newbie", "email": "n@x.org", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post("/api/auth/register", body, format="json")
    assert response.status_code == 201, response.content
    assert client.get("/api/users/self").json()["username"] == "newbie"
    again = APIClient().post("/api/auth/register", body, format="json")
    assert again.status_code == 400 and "username" in again.json()
    weak = APIClient().post("/api/auth/register", {**body, "username": "x2", "email": "", "password1": "123",
                                                   "password2": "123"}, format="json")
    assert weak.status_code == 400 and "password1" in weak.json()


def test_register_can_be_disabled(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INKLAB_ALLOW_REGISTRATION", "0")
    body = {"username": "nope", "password1": PASSWORD, "password2": PASSWORD}
    assert APIClient().post("/api/auth/register", body, format="json").status_code == 403


def test_users_see_only_themselves_outside_an_organization(make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    a, b = make_user("ann"), make_user("ben")
    ann = client_for(a)
    for headers in ({}, {"HTTP_X_ORGANIZATION": ""}):  # no context, the personal workspace
        listed = ann.get("/api/users", **headers).json()
        assert [u["username"] for u in listed["results"]] == ["ann"] and listed["count"] == 1
        assert ann.get("/api/users", {"username": "ben"}, **headers).json()["count"] == 0
        # Another account is not found, exactly like one that does not exist.
        hidden, missing = ann.get(f"/api/users/{b.pk}", **headers), ann.get("/api/users/999999", **headers)
        assert hidden.status_code == missing.status_code == 404 and "ben" not in hidden.content.decode()
    assert ann.get(f"/api/users/{a.pk}").json()["email"] == "ann@x.org"  # oneself: every field
    assert ann.patch(f"/api/users/{b.pk}", {"first_name": "x"}, format="json").status_code == 404
    assert ann.delete(f"/api/users/{b.pk}").status_code == 404
    assert ann.delete(f"/api/users/{a.pk}").status_code == 403  # deleting accounts is for administrators
    assert ann.patch(f"/api/users/{a.pk}", {"is_superuser": True}, format="json").status_code == 403
    me = ann.patch(f"/api/users/{a.pk}", {"first_name": "Ann"}, format="json")
    assert me.status_code == 200 and me.json()["first_name"] == "Ann"
    assert get_user_model().objects.get(pk=b.pk).first_name == ""


def test_administrators_see_every_user(make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    boss, a = make_user("boss", admin=True), make_user("ann")
    admin = client_for(boss)
    for headers in ({}, {"HTTP_X_ORGANIZATION": ""}):
        assert [u["username"] for u in admin.get("/api/users", **headers).json()["results"]] == ["boss", "ann"]
    ann = admin.get(f"/api/users/{a.pk}").json()
    assert ann["username"] == "ann" and ann["email"] == "ann@x.org"
    assert admin.patch(f"/api/users/{a.pk}", {"first_name": "A"}, format="json").json()["first_name"] == "A"


def test_malformed_json_is_a_400(api: APIClient) -> None:
    response = api.post("/api/projects", data=b"{not json", content_type="application/json")
    assert response.status_code == 400 and "Malformed JSON" in response.json()["detail"]


def test_empty_json_body_is_an_empty_object(api: APIClient) -> None:
    response = api.post("/api/projects", data=b"", content_type="application/json")
    assert response.status_code == 400 and "name" in response.json()


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_password_change_signs_out_other_sessions_and_login_tokens(make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    user = make_user("hank")
    pat = _pat(client_for(user))["value"]
    here, elsewhere = APIClient(), APIClient()
    login(here, "hank")
    key = login(elsewhere, "hank").json()["key"]
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client.get("/api/users/self").status_code == 200
    changed = here.post("/api/auth/password/change", {"old_password": PASSWORD, "new_password1": "N3w-secret-pass",
                                                      "new_password2": "N3w-secret-pass"}, format="json")
    assert changed.status_code == 200, changed.content
    assert "1 personal access token(s) still work" in changed.json()["detail"]
    assert here.get("/api/users/self").json()["username"] == "hank"  # this session goes on
    assert elsewhere.get("/api/users/self").status_code == 401
    assert token_client.get("/api/users/self").status_code == 401
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {pat}")
    assert bearer.get("/api/users/self").status_code == 200  # kept, and the answer says so
    assert login(APIClient(), "hank").status_code == 400
    assert login(APIClient(), "hank", "N3w-secret-pass").status_code == 200


def test_password_change_over_the_login_token_keeps_that_token(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("ida")
    key = login(APIClient(), "ida").json()["key"]
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    changed = token_client.post("/api/auth/password/change", {
        "old_password": PASSWORD, "new_password1": "N3w-secret-pass", "new_password2": "N3w-secret-pass"},
        format="json")
    assert changed.status_code == 200, changed.content
    assert token_client.get("/api/users/self").json()["username"] == "ida"


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"])
def test_login_and_registration_refuse_form_posts(make_user, content_type: str) -> None:  # type: ignore[no-untyped-def]
    """A cross-site HTML form can send these without a preflight: they must not sign anyone in."""
    make_user("jill")
    client = APIClient()
    bodies = {"/api/auth/login": {"username": "jill", "password": PASSWORD},
              "/api/auth/register": {"username": "jack", "password1": PASSWORD, "password2": PASSWORD}}
    for path, body in bodies.items():
        if content_type == "text/plain":
            response = client.post(path, json.dumps(body), content_type=content_type)
        else:
            response = client.post(path, body, format="multipart" if "multipart" in content_type else None,
                                   content_type=None if "multipart" in content_type else content_type)
        assert response.status_code == 415, (path, response.content)
        assert "JSON" in response.json()["detail"]
        assert "sessionid" not in response.cookies
    assert client.get("/api/users/self").status_code == 401
    assert not get_user_model().objects.filter(username="jack").exists()


@pytest.fixture
def throttled(settings):  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    return settings


def test_failed_logins_are_throttled_per_account(make_user, throttled) -> None:  # type: ignore[no-untyped-def]
    make_user("kim")
    for address in ("10.0.0.1", "10.0.0.2"):
        assert APIClient(REMOTE_ADDR=address).post(
            "/api/auth/login", {"username": "kim", "password": "nope"}, format="json").status_code == 400
    locked = APIClient(REMOTE_ADDR="10.0.0.3").post("/api/auth/login", {"username": "kim", "password": "nope"},
                                                    format="json")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]
    assert 0 < int(locked["Retry-After"]) <= 900
    # Even the right password is refused now, from anywhere; other accounts are not affected.
    right = APIClient(REMOTE_ADDR="10.0.0.4").post("/api/auth/login", {"username": "kim", "password": PASSWORD},
                                                   format="json")
    assert right.status_code == 429 and "sessionid" not in right.cookies
    make_user("lou")
    assert login(APIClient(REMOTE_ADDR="10.0.0.5"), "lou").status_code == 200


def test_failed_logins_are_throttled_per_address(make_user, throttled) -> None:  # type: ignore[no-untyped-def]
    make_user("max")
    client = APIClient(REMOTE_ADDR="10.0.1.1")
    assert login(client, "max").status_code == 200  # successes do not count
    for name in ("nobody", "max", "someone"):
        response = client.post("/api/auth/login", {"username": name, "password": "nope"}, format="json")
    assert response.status_code == 429
    assert login(client, "max").status_code == 429
    assert login(APIClient(REMOTE_ADDR="10.0.1.2"), "max").status_code == 200


def test_basic_auth_guesses_are_throttled_and_tokens_are_not(make_user, throttled) -> None:  # type: ignore[no-untyped-def]
    make_user("ned")
    key = login(APIClient(REMOTE_ADDR="10.0.2.1"), "ned").json()["key"]
    guesser = APIClient(REMOTE_ADDR="10.0.2.1")
    codes = []
    for attempt in range(3):
        guesser.credentials(HTTP_AUTHORIZATION=_basic("ned", f"guess-{attempt}"))
        codes.append(guesser.get("/api/users/self").status_code)
    assert codes == [401, 401, 429]
    guesser.credentials(HTTP_AUTHORIZATION=_basic("ned", PASSWORD))
    refused = guesser.get("/api/users/self")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert guesser.get("/api/users/self").json()["username"] == "ned"
