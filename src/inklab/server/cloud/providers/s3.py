"""AWS S3 and S3-compatible endpoints (MinIO, Ceph, moto...) through boto3.

Attributes: ``endpoint_url`` (an S3-compatible server), ``region``. Credentials: an access key
pair (with an optional ``session_token``) or anonymous access (unsigned requests).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, BinaryIO

import boto3
import botocore.exceptions
from botocore import UNSIGNED
from botocore.config import Config

from inklab.server.cloud.providers import register
from inklab.server.cloud.providers._base import (
    AccessDenied,
    CloudError,
    CloudObject,
    CredentialFields,
    Listing,
    NoSuchObject,
    NoSuchResource,
    ProviderConfig,
    Unreachable,
)
from inklab.vocabulary import CloudCredentialsType, CloudProviderType

__all__ = ["BACKGROUND", "INTERACTIVE", "S3Provider"]

logger = logging.getLogger(__name__)

#: client options for calls a web request waits for (status, listing, checks): one attempt,
#: 3 s to connect and 5 s to answer, so an unreachable endpoint is reported within seconds
INTERACTIVE: dict[str, Any] = {"connect_timeout": 3, "read_timeout": 5,
                               "retries": {"total_max_attempts": 1, "mode": "standard"}}
#: client options for background requests (downloads, uploads): longer waits, two retries
BACKGROUND: dict[str, Any] = {"connect_timeout": 5, "read_timeout": 30,
                              "retries": {"max_attempts": 2, "mode": "standard"}}

_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "ExpiredToken",
           "InvalidToken", "AllAccessDisabled"}
_NO_BUCKET = {"NoSuchBucket"}
_NO_KEY = {"NoSuchKey", "404", "NotFound"}


_local = threading.local()


def _session() -> boto3.session.Session:
    """This thread's boto3 session (sessions are not thread-safe): making a client from a session
    that has loaded the S3 model already takes milliseconds, from a new one most of a second. The
    clients get their credentials explicitly, so the session holds no storage's secrets."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = boto3.session.Session()
    return session


@register(CloudProviderType.AWS_S3_BUCKET,
          {CloudCredentialsType.KEY_SECRET_KEY_PAIR: CredentialFields(("key", "secret_key"), ("session_token",)),
           CloudCredentialsType.ANONYMOUS_ACCESS: CredentialFields()},
          frozenset({"endpoint_url", "region", "prefix"}))
class S3Provider:
    def __init__(self, config: ProviderConfig) -> None:
        self.bucket = config.resource
        options: dict[str, Any] = dict(INTERACTIVE if config.interactive else BACKGROUND)
        if config.credentials_type == CloudCredentialsType.ANONYMOUS_ACCESS:
            options["signature_version"] = UNSIGNED
        credentials = config.credentials
        try:
            self.client = _session().client(
                "s3",
                endpoint_url=config.attributes.get("endpoint_url") or None,
                region_name=config.attributes.get("region") or None,
                aws_access_key_id=credentials.get("key") or None,
                aws_secret_access_key=credentials.get("secret_key") or None,
                aws_session_token=credentials.get("session_token") or None,
                config=Config(**options),
            )
        except (botocore.exceptions.BotoCoreError, ValueError) as exc:
            logger.info("S3 client for bucket %s not made: %s", self.bucket, type(exc).__name__)
            raise CloudError(f"bucket '{self.bucket}' cannot be reached with these attributes "
                             "(check endpoint_url and region)") from exc

    def _failure(self, key: str | None, action: str, exc: Exception) -> CloudError:
        """The :class:`CloudError` for a boto3 exception (``key``: the object concerned, if any)."""
        if isinstance(exc, boto3.exceptions.S3UploadFailedError):
            exc = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
            text = str(exc)
            code = next((c for c in (*_DENIED, *_NO_BUCKET) if c in text), "")
        elif isinstance(exc, botocore.exceptions.ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
        else:
            code = ""
        if isinstance(exc, (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError,
                            botocore.exceptions.ReadTimeoutError)):
            logger.info("S3 endpoint of bucket %s unreachable: %s", self.bucket, type(exc).__name__)
            return Unreachable(f"the endpoint of bucket '{self.bucket}' does not answer")
        logger.info("S3 %s on bucket %s failed: %s %s", action, self.bucket, type(exc).__name__, code)
        if code in _DENIED:
            return AccessDenied(f"access to bucket '{self.bucket}' was denied (check the credentials)")
        if code in _NO_BUCKET or (key is None and code in _NO_KEY):
            return NoSuchResource(f"bucket '{self.bucket}' does not exist")
        if key is not None and code in _NO_KEY:
            return NoSuchObject(key)
        return CloudError(f"bucket '{self.bucket}' answered {code or type(exc).__name__}")

    def _call(self, key: str | None, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise self._failure(key, method, exc) from exc

    def check(self) -> None:
        self._call(None, "list_objects_v2", MaxKeys=1)

    def list(self, prefix: str, next_token: str | None, page_size: int) -> Listing:
        kwargs: dict[str, Any] = {"Prefix": prefix, "Delimiter": "/", "MaxKeys": page_size}
        if next_token:
            kwargs["ContinuationToken"] = next_token
        page = self._call(None, "list_objects_v2", **kwargs)
        entries = [CloudObject(p["Prefix"], is_dir=True) for p in page.get("CommonPrefixes", [])]
        entries += [CloudObject(o["Key"], size=o.get("Size")) for o in page.get("Contents", [])
                    if not o["Key"].endswith("/")]
        entries.sort(key=lambda e: e.name)
        return Listing(tuple(entries), page.get("NextContinuationToken") if page.get("IsTruncated") else None)

    def head(self, key: str) -> CloudObject:
        answer = self._call(key, "head_object", Key=key)
        return CloudObject(key, size=int(answer.get("ContentLength", 0)))

    def read(self, key: str, start: int | None = None, end: int | None = None) -> bytes:
        kwargs: dict[str, Any] = {"Key": key}
        if start is not None or end is not None:
            kwargs["Range"] = f"bytes={start or 0}-{'' if end is None else end}"
        body = self._call(key, "get_object", **kwargs)["Body"]
        with body:
            return bytes(body.read())

    def open(self, key: str) -> BinaryIO:
        return self._call(key, "get_object", Key=key)["Body"]  # type: ignore[no-any-return]

    def write(self, key: str, stream: BinaryIO) -> None:
        try:
            self.client.upload_fileobj(stream, self.bucket, key)
        except (boto3.exceptions.S3UploadFailedError, botocore.exceptions.BotoCoreError,
                botocore.exceptions.ClientError) as exc:
            raise self._failure(None, "upload", exc) from exc
