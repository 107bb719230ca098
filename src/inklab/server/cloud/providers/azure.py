"""Azure Blob Storage containers through ``azure-storage-blob`` (``pip install 'inklab[azure]'``).

Credentials, as CVAT's: an account name with a SAS token (``session_token``; the account's
access key is taken there too, as CVAT's manual allows), a connection string, or anonymous
access to a public container (the account name only). Attributes: ``endpoint_url``, the
account's blob service URL when it is not ``https://ACCOUNT.blob.core.windows.net`` (an
emulator such as Azurite: ``http://127.0.0.1:10000/devstoreaccount1``), and ``prefix``.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any, BinaryIO

from azure.core.exceptions import AzureError, HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.storage.blob import BlobPrefix, ContainerClient

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

__all__ = ["AzureProvider"]

logger = logging.getLogger(__name__)

#: a refused connection is not tried again (the SDK would wait about 20 s), other failures once
_OPTIONS: dict[str, Any] = {"connection_timeout": 5, "read_timeout": 30, "retry_total": 1, "retry_connect": 0}
#: for calls a web request waits for (ProviderConfig.interactive): one attempt, short waits
_INTERACTIVE: dict[str, Any] = {"connection_timeout": 3, "read_timeout": 5, "retry_total": 0}
_CHUNK = 8 * 1024 * 1024  # bytes a read of a stream asks for at once


_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")


def _endpoints(config: ProviderConfig) -> list[Endpoint]:
    """The blob endpoint a connection string names (explicitly, or by account and suffix)."""
    if config.credentials_type != CloudCredentialsType.CONNECTION_STRING:
        return []
    parts = dict(part.split("=", 1) for part in config.credentials.get("connection_string", "").split(";")
                 if "=" in part)
    values = {name.strip().lower(): value.strip() for name, value in parts.items()}
    url = values.get("blobendpoint") or (f"{values.get('defaultendpointsprotocol', 'https')}://"
                                         f"{values.get('accountname', '')}.blob."
                                         f"{values.get('endpointsuffix', 'core.windows.net')}")
    return [Endpoint("connection_string", "the connection string's blob endpoint", url)]


@register(CloudProviderType.AZURE_CONTAINER,
          {CloudCredentialsType.ACCOUNT_NAME_TOKEN_PAIR: CredentialFields(("account_name", "session_token")),
           CloudCredentialsType.CONNECTION_STRING: CredentialFields(("connection_string",)),
           CloudCredentialsType.ANONYMOUS_ACCESS: CredentialFields(("account_name",))},
          frozenset({"endpoint_url", "prefix"}), _endpoints)
class AzureProvider:
    def __init__(self, config: ProviderConfig) -> None:
        self.container = config.resource
        secrets = config.credentials
        options = _INTERACTIVE if config.interactive else _OPTIONS
        try:
            if config.credentials_type == CloudCredentialsType.CONNECTION_STRING:
                self.client = ContainerClient.from_connection_string(secrets["connection_string"], self.container,
                                                                     **options)
            else:
                account = secrets["account_name"]
                if not _ACCOUNT.match(account):
                    raise CloudError(f"'{account}' is not an Azure storage account name "
                                     "(3 to 24 lowercase letters and digits)")
                url = config.attributes.get("endpoint_url") or f"https://{account}.blob.core.windows.net"
                self.client = ContainerClient(url, self.container, credential=_credential(account, secrets),
                                              **options)
        except (ValueError, AzureError) as exc:
            logger.info("Azure client for container %s not made: %s", self.container, type(exc).__name__)
            raise CloudError(f"container '{self.container}' cannot be reached with these credentials "
                             "(check the connection string, account name and endpoint_url)") from exc

    def _failure(self, key: str | None, action: str, exc: AzureError) -> CloudError:
        """The :class:`CloudError` for an Azure exception (``key``: the object concerned, if any)."""
        if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
            logger.info("Azure endpoint of container %s unreachable: %s", self.container, type(exc).__name__)
            return Unreachable(f"the endpoint of container '{self.container}' does not answer")
        status = exc.status_code if isinstance(exc, HttpResponseError) else None
        code = str(getattr(exc, "error_code", "") or "")
        logger.info("Azure %s on container %s failed: %s %s %s", action, self.container, type(exc).__name__,
                    status, code)
        if status in (401, 403):
            return AccessDenied(f"access to container '{self.container}' was denied (check the credentials)")
        if status == 404 and (key is None or code == "ContainerNotFound"):
            return NoSuchResource(f"container '{self.container}' does not exist")
        if status == 404 and key is not None:
            return NoSuchObject(key)
        return CloudError(f"container '{self.container}' answered {status or 'with an error'}")

    def check(self) -> None:
        try:
            next(self.client.list_blobs(results_per_page=1).by_page(), None)
        except AzureError as exc:
            raise self._failure(None, "list", exc) from exc

    def list(self, prefix: str, next_token: str | None, page_size: int) -> Listing:
        try:
            pages: Any = self.client.walk_blobs(name_starts_with=prefix or None, delimiter="/",
                                                results_per_page=page_size).by_page(continuation_token=next_token)
            items = list(next(pages, []))
        except AzureError as exc:
            raise self._failure(None, "list", exc) from exc
        entries = [CloudObject(item.name, is_dir=True) if isinstance(item, BlobPrefix)
                   else CloudObject(item.name, size=item.size)
                   for item in items if isinstance(item, BlobPrefix) or not item.name.endswith("/")]
        entries.sort(key=lambda e: e.name)
        return Listing(tuple(entries), pages.continuation_token or None)

    def head(self, key: str) -> CloudObject:
        try:
            properties = self.client.get_blob_client(key).get_blob_properties()
        except AzureError as exc:
            raise self._failure(key, "head", exc) from exc
        return CloudObject(key, size=int(properties.size))

    def read(self, key: str, start: int | None = None, end: int | None = None) -> bytes:
        ranged = start is not None or end is not None
        offset = (start or 0) if ranged else None
        length = None if end is None else end - (start or 0) + 1
        try:
            return bytes(self.client.download_blob(key, offset=offset, length=length).readall())
        except AzureError as exc:
            raise self._failure(key, "read", exc) from exc

    def open(self, key: str) -> BinaryIO:
        size = self.head(key).size or 0
        return io.BufferedReader(RangeReader(lambda start, end: self.read(key, start, end), size, _CHUNK),
                                 buffer_size=_CHUNK)

    def write(self, key: str, stream: BinaryIO) -> None:
        try:
            self.client.upload_blob(key, stream, overwrite=True)
        except AzureError as exc:
            raise self._failure(None, "upload", exc) from exc


def _credential(account: str, secrets: Any) -> Any:
    """A SAS token as it is; anything else in the token field is the account's access key."""
    token = secrets.get("session_token")
    if not token:
        return None
    token = token.lstrip("?")
    if "sig=" in token:
        return token
    return {"account_name": account, "account_key": token}
