"""Google Cloud Storage buckets through ``google-cloud-storage`` (``pip install 'inklab[gcs]'``).

Credentials, as CVAT's: a service account key file (the JSON file uploaded as ``key_file``) or
anonymous access to a public bucket. Attributes: ``project_id`` (else the key file's),
``location`` (kept for CVAT's clients; reading and writing do not need it), ``prefix``, and
``endpoint_url`` for a server other than Google's (an emulator).
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
from typing import Any, BinaryIO

import google.auth.exceptions
import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY
from google.oauth2 import service_account

from inklab.server.cloud.providers import register
from inklab.server.cloud.providers._base import (
    AccessDenied,
    CloudError,
    CloudObject,
    CredentialFields,
    Endpoint,
    Listing,
    NoSuchObject,
    NoSuchResource,
    ProviderConfig,
    RangeReader,
    Unreachable,
)
from inklab.vocabulary import CloudCredentialsType, CloudProviderType

__all__ = ["GCSProvider"]

logger = logging.getLogger(__name__)

_SCOPES = ["https://www.googleapis.com/auth/devstorage.read_write"]
_TIMEOUT = (5, 30)
_TRANSIENT = (api_exceptions.TooManyRequests, api_exceptions.InternalServerError, api_exceptions.BadGateway,
              api_exceptions.ServiceUnavailable, api_exceptions.GatewayTimeout)
#: answers that say "later" are tried again for a few seconds; an endpoint that does not answer is not
_RETRY: Retry = DEFAULT_RETRY.with_predicate(lambda exc: isinstance(exc, _TRANSIENT)).with_timeout(6)
#: uploads of unknown size are spooled to a temporary file past this many bytes in memory
_SPOOL = 16 * 1024 * 1024
_CHUNK = 8 * 1024 * 1024  # resumable uploads and ranged reads (a multiple of 256 KiB)


def _endpoints(config: ProviderConfig) -> list[Endpoint]:
    """The OAuth server a key file names (``token_uri``)."""
    try:
        uri = json.loads(config.credentials.get("key_file") or "{}").get("token_uri")
    except (ValueError, AttributeError):
        return []
    return [Endpoint("key_file", "the key file's token_uri", uri)] if isinstance(uri, str) else []


@register(CloudProviderType.GOOGLE_CLOUD_STORAGE,
          {CloudCredentialsType.KEY_FILE_PATH: CredentialFields(("key_file",)),
           CloudCredentialsType.ANONYMOUS_ACCESS: CredentialFields()},
          frozenset({"project_id", "location", "prefix", "endpoint_url"}), _endpoints)
class GCSProvider:
    def __init__(self, config: ProviderConfig) -> None:
        self.name = config.resource
        # a call a web request waits for: one attempt, short waits
        self.timeout = (3, 5) if config.interactive else _TIMEOUT
        self.retry = None if config.interactive else _RETRY
        project = config.attributes.get("project_id") or None
        credentials: Any = AnonymousCredentials()
        if config.credentials_type == CloudCredentialsType.KEY_FILE_PATH:
            try:
                info = json.loads(config.credentials["key_file"])
                credentials = service_account.Credentials.from_service_account_info(info, scopes=_SCOPES)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                logger.info("GCS key file for bucket %s not usable: %s", self.name, type(exc).__name__)
                raise CloudError(f"the key file of bucket '{self.name}' is not a Google service account "
                                 "key (a JSON file)") from exc
            project = project or info.get("project_id")
        endpoint = config.attributes.get("endpoint_url")
        try:
            self.client = storage.Client(project=project or "<none>", credentials=credentials,
                                         client_options={"api_endpoint": endpoint} if endpoint else None)
        except (ValueError, google.auth.exceptions.GoogleAuthError) as exc:
            logger.info("GCS client for bucket %s not made: %s", self.name, type(exc).__name__)
            raise CloudError(f"bucket '{self.name}' cannot be reached with these attributes") from exc
        self.bucket = self.client.bucket(self.name)

    def _failure(self, key: str | None, action: str, exc: Exception) -> CloudError:
        """The :class:`CloudError` for an exception of the client (``key``: the object concerned)."""
        if isinstance(exc, (requests.ConnectionError, requests.Timeout, google.auth.exceptions.TransportError,
                            api_exceptions.RetryError)):
            logger.info("GCS endpoint of bucket %s unreachable: %s", self.name, type(exc).__name__)
            return Unreachable(f"the endpoint of bucket '{self.name}' does not answer")
        status = exc.code if isinstance(exc, api_exceptions.GoogleAPICallError) else None
        logger.info("GCS %s on bucket %s failed: %s %s", action, self.name, type(exc).__name__, status)
        if isinstance(exc, google.auth.exceptions.GoogleAuthError) or status in (401, 403):
            # a refused key file, or a bucket that anonymous callers may not use
            return AccessDenied(f"access to bucket '{self.name}' was denied (check the credentials)")
        if status == 404:
            return NoSuchResource(f"bucket '{self.name}' does not exist") if key is None else NoSuchObject(key)
        return CloudError(f"bucket '{self.name}' answered {status or 'with an error'}")

    def _call(self, key: str | None, action: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (api_exceptions.GoogleAPIError, google.auth.exceptions.GoogleAuthError,
                requests.RequestException) as exc:
            raise self._failure(key, action, exc) from exc

    def check(self) -> None:
        self.list("", None, 1)

    def list(self, prefix: str, next_token: str | None, page_size: int) -> Listing:
        def page() -> tuple[list[Any], Any, str | None]:
            blobs = self.client.list_blobs(self.name, prefix=prefix or None, delimiter="/", max_results=page_size,
                                           page_token=next_token or None, timeout=self.timeout, retry=self.retry)
            first = next(blobs.pages, None)
            items = list(first) if first is not None else []
            return items, (first.prefixes if first is not None else ()), blobs.next_page_token

        items, prefixes, token = self._call(None, "list", page)
        entries = [CloudObject(p, is_dir=True) for p in prefixes]
        entries += [CloudObject(b.name, size=b.size) for b in items if not b.name.endswith("/")]
        entries.sort(key=lambda e: e.name)
        return Listing(tuple(entries), token or None)

    def head(self, key: str) -> CloudObject:
        blob = self._call(key, "head", self.bucket.get_blob, key, timeout=self.timeout, retry=self.retry)
        if blob is None:
            raise NoSuchObject(key)
        return CloudObject(key, size=int(blob.size or 0))

    def read(self, key: str, start: int | None = None, end: int | None = None) -> bytes:
        blob = self.bucket.blob(key)
        return bytes(self._call(key, "read", blob.download_as_bytes, start=start, end=end, timeout=self.timeout,
                                retry=self.retry))

    def open(self, key: str) -> BinaryIO:
        size = self.head(key).size or 0
        return io.BufferedReader(RangeReader(lambda start, end: self.read(key, start, end), size, _CHUNK),
                                 buffer_size=_CHUNK)

    def write(self, key: str, stream: BinaryIO) -> None:
        blob = self.bucket.blob(key, chunk_size=_CHUNK)
        with tempfile.SpooledTemporaryFile(_SPOOL, dir=os.environ.get("TMPDIR")) as spool:
            while block := stream.read(_CHUNK):
                spool.write(block)
            size = spool.tell()
            spool.seek(0)
            self._call(None, "upload", blob.upload_from_file, spool, size=size, timeout=self.timeout)
