"""A small Google Cloud Storage JSON API on a free loopback port, for the GCS provider's tests.

Why not an emulator: ``gcp-storage-emulator`` (PyPI) serves the client's calls but ignores
``maxResults``/``pageToken`` (no pagination) and checks no credentials, so neither paging nor a
refused key file could be tested against it. This server speaks the calls the provider makes, as
Google documents them, and checks credentials as Google does:

- ``POST /token``: OAuth for a service account, a JWT signed with the account's private key
  (RS256, checked against the keys of :meth:`GCSServer.key_file`); answers an access token.
- ``GET /storage/v1/b/B/o``: a listing with ``prefix``, ``delimiter``, ``maxResults`` and
  ``pageToken`` (objects and prefixes in name order, counted together).
- ``GET /storage/v1/b/B/o/NAME`` (metadata), ``GET /download/storage/v1/b/B/o/NAME?alt=media``
  (bytes, with ``Range``).
- ``POST /upload/storage/v1/b/B/o?uploadType=multipart`` and ``uploadType=resumable`` (then
  ``PUT`` chunks with ``Content-Range``).

A request with an unknown bearer token is 401; one without a token may read and list public
buckets only (else 401); a missing bucket is 404.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.live import free_port

__all__ = ["GCSServer"]

_OBJECT = re.compile(r"^(?:/download)?/storage/v1/b/([^/]+)/o(?:/(.+))?$")
_UPLOAD = re.compile(r"^/upload/storage/v1/b/([^/]+)/o$")


@dataclass
class _Bucket:
    objects: dict[str, bytes] = field(default_factory=dict)
    public: bool = False


@dataclass
class GCSServer:
    port: int = field(default_factory=free_port)
    project: str = "inklab-test"
    buckets: dict[str, _Bucket] = field(default_factory=dict)
    #: service accounts: email -> public key
    accounts: dict[str, Any] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    uploads: dict[str, tuple[str, str, bytearray]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GCSServer:
        owner = self

        class Handler(_Handler):
            server_state = owner

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def key_file(self, *, known: bool = True) -> str:
        """The text of a new service account key file; ``known``: this server accepts its key."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        email = f"inklab-{secrets.token_hex(4)}@{self.project}.iam.gserviceaccount.com"
        if known:
            self.accounts[email] = key.public_key()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        return json.dumps({"type": "service_account", "project_id": self.project,
                           "private_key_id": secrets.token_hex(20), "private_key": pem, "client_email": email,
                           "client_id": "1", "token_uri": f"{self.url}/token"})

    def bucket(self, name: str, files: dict[str, bytes] | None = None, *, public: bool = False) -> str:
        with self.lock:
            self.buckets[name] = _Bucket(dict(files or {}), public)
        return name

    def read(self, name: str, key: str) -> bytes:
        with self.lock:
            return self.buckets[name].objects[key]

    def delete(self, name: str) -> None:
        with self.lock:
            del self.buckets[name]

    def _grant(self, assertion: str) -> str | None:
        """An access token for a JWT signed by a known service account, else None."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            header, payload, signature = assertion.split(".")
            claims = json.loads(_unb64(payload))
            public = self.accounts[claims["iss"]]
            public.verify(_unb64(signature), f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, KeyError, InvalidSignature):
            return None
        if claims.get("exp", 0) < time.time():
            return None
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        return token


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hashes(data: bytes) -> tuple[str, str]:
    """The object's CRC32C and MD5, base64 as Google sends them."""
    import google_crc32c

    crc = base64.b64encode(google_crc32c.value(data).to_bytes(4, "big")).decode()
    return crc, base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - GCS's own checksum


def _metadata(bucket: str, name: str, data: bytes) -> dict[str, Any]:
    crc, md5 = _hashes(data)
    return {"crc32c": crc, "md5Hash": md5, "kind": "storage#object", "id": f"{bucket}/{name}/1", "name": name, "bucket": bucket,
            "generation": "1", "metageneration": "1", "contentType": "application/octet-stream",
            "size": str(len(data)), "updated": "2026-01-01T00:00:00.000Z"}


class _Handler(BaseHTTPRequestHandler):
    server_state: GCSServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    # -- answers

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(value).encode(), headers=headers)

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": {"code": status, "message": message,
                                      "errors": [{"message": message, "domain": "global"}]}})

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    # -- access

    def _bucket(self, name: str, *, write: bool) -> _Bucket | None:
        """The bucket if this request may use it; otherwise None, the error answered."""
        state = self.server_state
        authorization = self.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else None
        if token is not None and token not in state.tokens:
            self._error(401, "Invalid Credentials")
            return None
        bucket = state.buckets.get(name)
        if bucket is None:
            self._error(404, "The specified bucket does not exist.")
            return None
        if token is None and (write or not bucket.public):
            self._error(401, "Anonymous caller does not have storage.objects access.")
            return None
        return bucket

    # -- methods

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/token":
            form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
            token = self.server_state._grant(form.get("assertion", ""))
            if token is None:
                self._json(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
            else:
                self._json(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})
            return
        match = _UPLOAD.match(url.path)
        if not match:
            self._error(404, "Not Found")
            return
        body = self._body()
        bucket_name = unquote(match.group(1))
        bucket = self._bucket(bucket_name, write=True)
        if bucket is None:
            return
        if query.get("uploadType") == "multipart":
            name, data = _multipart(self.headers.get("Content-Type", ""), body)
            name = query.get("name") or name
            with self.server_state.lock:
                bucket.objects[name] = data
            self._json(200, _metadata(bucket_name, name, data))
        elif query.get("uploadType") == "resumable":
            name = query.get("name") or json.loads(body or b"{}").get("name", "")
            upload_id = secrets.token_hex(8)
            with self.server_state.lock:
                self.server_state.uploads[upload_id] = (bucket_name, name, bytearray())
            location = f"{self.server_state.url}{url.path}?uploadType=resumable&upload_id={upload_id}"
            self._send(200, b"", headers={"Location": location})
        else:
            self._error(400, "Unknown uploadType")

    def do_PUT(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self._body()
        state = self.server_state
        upload = state.uploads.get(query.get("upload_id", ""))
        if upload is None:
            self._error(404, "No such upload")
            return
        bucket_name, name, data = upload
        bucket = self._bucket(bucket_name, write=True)
        if bucket is None:
            return
        match = re.match(r"bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)", self.headers.get("Content-Range", ""))
        if not match or (match.group(1) is not None and int(match.group(1)) != len(data)):
            self._error(400, "Bad Content-Range")
            return
        data.extend(body)
        total = match.group(3)
        if total != "*" and int(total) == len(data):
            with state.lock:
                bucket.objects[name] = bytes(data)
                del state.uploads[query["upload_id"]]
            self._json(200, _metadata(bucket_name, name, bytes(data)))
        else:
            self._send(308, headers={"Range": f"bytes=0-{len(data) - 1}"} if data else None)

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        match = _OBJECT.match(url.path)
        if not match:
            self._error(404, "Not Found")
            return
        bucket_name = unquote(match.group(1))
        bucket = self._bucket(bucket_name, write=False)
        if bucket is None:
            return
        if match.group(2) is None:
            self._json(200, _listing(bucket, query))
            return
        name = unquote(match.group(2))
        data = bucket.objects.get(name)
        if data is None:
            self._error(404, f"No such object: {bucket_name}/{name}")
        elif query.get("alt") == "media":
            self._media(data)
        else:
            self._json(200, _metadata(bucket_name, name, data))

    def _media(self, data: bytes) -> None:
        ranged = re.match(r"bytes=(\d+)-(\d*)$", self.headers.get("Range", ""))
        if not ranged:
            crc, md5 = _hashes(data)
            self._send(200, data, "application/octet-stream", {"X-Goog-Hash": f"crc32c={crc},md5={md5}"})
            return
        start = int(ranged.group(1))
        end = min(int(ranged.group(2)) if ranged.group(2) else len(data) - 1, len(data) - 1)
        if start >= len(data):
            self._send(416, b"", headers={"Content-Range": f"bytes */{len(data)}"})
            return
        self._send(206, data[start:end + 1], "application/octet-stream",
                   {"Content-Range": f"bytes {start}-{end}/{len(data)}"})


def _listing(bucket: _Bucket, query: dict[str, str]) -> dict[str, Any]:
    prefix, delimiter = query.get("prefix", ""), query.get("delimiter", "")
    entries: dict[str, bool] = {}  # name -> is a prefix
    for name in bucket.objects:
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix):]
        if delimiter and delimiter in rest:
            entries[prefix + rest[:rest.index(delimiter) + len(delimiter)]] = True
        else:
            entries[name] = False
    after = _unb64(query["pageToken"]).decode() if query.get("pageToken") else None
    names = [n for n in sorted(entries) if after is None or n > after]
    size = int(query.get("maxResults") or 1000)
    page, more = names[:size], len(names) > size
    answer: dict[str, Any] = {"kind": "storage#objects"}
    items = [_metadata("", n, bucket.objects[n]) for n in page if not entries[n]]
    if items:
        answer["items"] = items
    if any(entries[n] for n in page):
        answer["prefixes"] = [n for n in page if entries[n]]
    if more:
        answer["nextPageToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode().rstrip("=")
    return answer


def _multipart(content_type: str, body: bytes) -> tuple[str, bytes]:
    """The object name (from the JSON part) and the data of a ``multipart/related`` upload."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    if not boundary:
        return "", body
    parts = body.split(b"--" + boundary.group(1).encode())
    metadata: dict[str, Any] = {}
    data = b""
    for part in parts[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        if b"application/json" in head.lower() and not metadata:
            metadata = json.loads(content)
        else:
            data = content
    return str(metadata.get("name", "")), data
