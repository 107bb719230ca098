"""Connecting and authenticating: host forms, passwords, tokens, logout, and the failures."""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from inklab.sdk import (
    AuthenticationError,
    Client,
    Config,
    IncompatibleServerError,
    InvalidHostError,
    NotFoundError,
    ServerError,
    TransportError,
    make_client,
)
from inklab.sdk.client import MockTransport, normalize_server_url
from tests.support.live import LiveServer, free_port

ABOUT = {"name": "inklab", "description": "", "version": "2.80.0+inklab.0.1.0", "logo_url": "", "subtitle": ""}


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("localhost", None, "http://localhost"),
    ("localhost:8080", None, "http://localhost:8080"),
    ("127.0.0.1", 9000, "http://127.0.0.1:9000"),
    ("http://127.0.0.1:8080/", None, "http://127.0.0.1:8080"),
    ("annotate.example.org", None, "https://annotate.example.org"),
    ("https://example.org/cvat/", 8443, "https://example.org:8443/cvat"),
    ("HTTP://Example.org", None, "http://Example.org"),
])
def test_server_url_forms(host: str, port: int | None, expected: str) -> None:
    assert normalize_server_url(host, port) == expected


@pytest.mark.parametrize(("host", "port"), [("ftp://x", None), ("", None), ("localhost:80", 81), ("http://", None)])
def test_bad_server_urls(host: str, port: int | None) -> None:
    with pytest.raises(InvalidHostError):
        normalize_server_url(host, port)


@pytest.mark.live
def test_password_login_logout(live_server: LiveServer) -> None:
    client = make_client(live_server.url, credentials=live_server.admin)
    assert client.has_credentials()
    assert client.users.retrieve_current_user().username == live_server.admin[0]
    client.logout()
    assert not client.has_credentials()
    with pytest.raises(AuthenticationError) as caught:
        client.users.retrieve_current_user()
    assert caught.value.status == 401 and caught.value.request.url.endswith("/api/users/self")
    client.close()


@pytest.mark.live
def test_host_and_port_given_separately(live_server: LiveServer) -> None:
    with make_client("127.0.0.1", port=live_server.port, credentials=live_server.admin) as client:
        assert client.url == live_server.url
        assert client.projects.list() is not None


@pytest.mark.live
def test_personal_access_token(live_server: LiveServer) -> None:
    with make_client(live_server.url, credentials=live_server.admin) as admin:
        token = admin.send_json("POST", "/api/auth/access_tokens", {"name": "sdk-test"})["value"]
    with make_client(live_server.url, access_token=token) as client:
        assert client.users.retrieve_current_user().username == live_server.admin[0]
        project = client.projects.create({"name": "made-with-a-token"})  # unsafe method: no CSRF needed
        assert client.projects.retrieve(project.id).name == "made-with-a-token"
        project.remove()


@pytest.mark.live
def test_wrong_password_is_one_clear_error(live_server: LiveServer, caplog: Any) -> None:
    with pytest.raises(AuthenticationError) as caught:
        make_client(live_server.url, credentials=(live_server.admin[0], "not-the-password"))
    message = str(caught.value)
    assert "refused the login of 'admin'" in message and "not-the-password" not in message
    assert "\n" not in message


@pytest.mark.live
def test_wrong_token_fails_on_first_use(live_server: LiveServer) -> None:
    with make_client(live_server.url, access_token="0" * 40) as client, pytest.raises(AuthenticationError) as caught:
        client.tasks.list()
    assert caught.value.status == 401 and "token" in str(caught.value).lower()


def test_unreachable_server() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(TransportError) as caught:
        make_client(f"http://127.0.0.1:{port}", credentials=("a", "b"))
    assert f"127.0.0.1:{port}" in str(caught.value) and "Cannot reach" in str(caught.value)


def test_offline_client_makes_no_request() -> None:
    transport = MockTransport(lambda request: AssertionError("no request expected"))
    client = Client("http://127.0.0.1:9", check_server_version=False, transport=transport)
    assert transport.requests == [] and not client.has_credentials()


@pytest.mark.live
def test_unknown_ids(client: Any) -> None:
    for repo in (client.tasks, client.projects, client.jobs, client.users):
        with pytest.raises(NotFoundError) as caught:
            repo.retrieve(987654)
        assert caught.value.status == 404 and "987654" in caught.value.request.url


def _about(version: str) -> MockTransport:
    return MockTransport(lambda request: (200, {"Content-Type": "application/json"},
                                          orjson.dumps({**ABOUT, "version": version})))


def test_version_check(caplog: Any) -> None:
    with caplog.at_level(logging.WARNING):
        Client("http://x.test", transport=_about("2.80.3"))
        Client("http://x.test", transport=_about("2.81.0+cvat"))
    assert not caplog.records
    with caplog.at_level(logging.WARNING):
        Client("http://x.test", transport=_about("3.0.0"))
    assert "3.0.0" in caplog.text
    with pytest.raises(IncompatibleServerError):
        Client("http://x.test", transport=_about("2.26.2"), config=Config(allow_unsupported_server=False))
    with pytest.raises(IncompatibleServerError, match="unreadable"):
        Client("http://x.test", transport=_about("dev"), config=Config(allow_unsupported_server=False))


def test_errors_a_live_server_cannot_produce() -> None:
    """A proxy's 502 page and a connection dropped mid-request, through a mock transport."""
    def handler(request: Any) -> Any:
        if request.url.endswith("/api/server/about"):
            return 200, {}, orjson.dumps(ABOUT)
        if "/api/tasks" in request.url:
            return 502, {"Content-Type": "text/html"}, b"<html><body>Bad Gateway</body></html>"
        return ConnectionResetError("connection reset by peer")

    client = Client("http://x.test", transport=MockTransport(handler))
    with pytest.raises(ServerError) as caught:
        client.tasks.list()
    assert caught.value.status == 502 and "<html" not in str(caught.value)
    with pytest.raises(TransportError, match="connection reset"):
        client.projects.list()


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first request of each method, then the about document."""

    seen: dict[str, int] = {}

    def _answer(self) -> None:
        count = self.seen[self.command] = self.seen.get(self.command, 0) + 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = orjson.dumps(ABOUT if count > 1 else {"detail": "busy"})
        self.send_response(200 if count > 1 else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def flaky_proxy() -> Iterator[str]:
    _Flaky.seen = {}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_idempotent_requests_are_retried_after_503_and_others_are_not(flaky_proxy: str) -> None:
    client = Client(flaky_proxy)  # GET /api/server/about: 503, retried, then 200
    assert _Flaky.seen["GET"] == 2
    with pytest.raises(ServerError) as caught:
        client.request("POST", "/api/projects", json={"name": "x"})
    assert caught.value.status == 503 and _Flaky.seen["POST"] == 1 and "busy" in str(caught.value)
