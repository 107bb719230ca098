"""Webhook delivery pieces without a database: the SSRF address rules, the pinned connection
(no second DNS lookup), timeouts, TLS checks, no redirects, and the signature."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from inklab.server.webhooks import addresses
from inklab.server.webhooks.addresses import Target, TargetRefused, check_url
from inklab.server.webhooks.signing import signature, verify
from inklab.server.webhooks.transport import MAX_BODY, send
from tests.support.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def _target(url: str, *, host: str = "hooks.example.invalid") -> Target:
    scheme, _, port, path = check_url(url)
    return Target(scheme, host, port, path, "127.0.0.1")


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True), ("2606:4700::1111", True), ("8.8.8.8", True),
    ("127.0.0.1", False), ("10.0.0.1", False), ("172.31.255.255", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.251", False),
    ("255.255.255.255", False), ("240.0.0.1", False), ("::1", False), ("fe80::1", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("ff02::1", False), ("::", False),
])
def test_public_addresses(address: str, public: bool) -> None:
    assert addresses._is_public(address) is public, ipaddress.ip_address(address)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://hooks.example.org/a/b?c=1", ("https", "hooks.example.org", 443, "/a/b?c=1")),
    ("http://hooks.example.org", ("http", "hooks.example.org", 80, "/")),
    ("HTTP://Hooks.Example.org:8080/x", ("http", "hooks.example.org", 8080, "/x")),
])
def test_check_url(url: str, expected: tuple[str, str, int, str]) -> None:
    assert check_url(url) == expected


@pytest.mark.parametrize("url", ["ftp://x.org/", "gopher://x.org/", "//x.org/", "http:///x", "http://x.org:99999/",
                                 "http://u:p@x.org/", "javascript:alert(1)"])
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_url(url)


def test_the_connection_goes_to_the_checked_address(receiver: Receiver) -> None:
    port = int(receiver.url.split(":")[2].split("/")[0])
    target = _target(f"http://hooks.example.invalid:{port}/hook?x=1")
    outcome = send(target, b'{"a":1}', {"Content-Type": "application/json"}, timeout=5)
    assert outcome.status_code == 200 and outcome.ok and outcome.body == '{"ok": true}'
    (got,) = receiver.received
    assert got.path == "/hook?x=1" and got.body == b'{"a":1}'
    assert got.headers["host"] == f"hooks.example.invalid:{port}"


def test_answers_are_bounded_and_redirects_not_followed() -> None:
    server = Receiver(statuses=[302], reply=b"x" * (MAX_BODY * 3),
                      headers={"Location": "http://169.254.169.254/"}).start()
    try:
        outcome = send(_target(server.url), b"{}", {}, timeout=5)
        assert outcome.status_code == 302 and not outcome.ok and len(outcome.body) == MAX_BODY
        assert len(server.received) == 1
    finally:
        server.stop()


def test_a_silent_target_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        outcome = send(_target(f"http://x.invalid:{listener.getsockname()[1]}/"), b"{}", {}, timeout=0.5)
        assert outcome.status_code is None and "did not answer within 0.5 s" in outcome.error
    finally:
        for sock in accepted:
            sock.close()
        listener.close()


def test_a_closed_port_is_an_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    outcome = send(_target(f"http://x.invalid:{port}/"), b"{}", {}, timeout=2)
    assert outcome.status_code is None and "could not be reached" in outcome.error


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[Receiver]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=hooks.example.invalid",
                    "-addext", "subjectAltName=DNS:hooks.example.invalid"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Receiver(tls=context).start()
    yield server
    server.stop()


def test_tls_certificates_are_checked_unless_ssl_is_disabled(tls_receiver: Receiver) -> None:
    target = _target(tls_receiver.url)
    refused = send(target, b"{}", {}, timeout=5, verify_ssl=True)  # self-signed: not trusted
    assert refused.status_code is None and refused.error.startswith("TLS failed")
    assert tls_receiver.received == []
    accepted = send(target, b"{}", {}, timeout=5, verify_ssl=False)  # enable_ssl=false
    assert accepted.status_code == 200
    assert tls_receiver.received[0].headers["host"].startswith("hooks.example.invalid")


def test_signature() -> None:
    body = b'{"event":"ping"}'
    header = signature("key", body)
    assert header == "sha256=" + hmac.new(b"key", body, hashlib.sha256).hexdigest()
    assert verify("key", body, header) and not verify("other", body, header) and not verify("key", body + b" ", header)
