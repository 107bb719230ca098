"""Cloud storages: creating and changing them, browsing, previews, and moving files in and out.

Every failure of the storage itself (refused credentials, a missing bucket or object, an
endpoint that does not answer) becomes :class:`~inklab.server.errors.InvalidInput` naming the
storage and, where there is one, the object. Secrets are never part of a message or a log line.

``endpoint_url`` must be ``http(s)``; unless ``INKLAB_CLOUD_ALLOW_PRIVATE=1`` it must not point
at loopback, private or link-local addresses (the server would otherwise be a way into its own
network).
"""

from __future__ import annotations

import io
import ipaddress
import json
import logging
import os
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlencode, urlparse

from django.db import transaction
from PIL import Image, UnidentifiedImageError

from inklab.server.cloud import credentials as secrets
from inklab.server.cloud import permissions as perms
from inklab.server.cloud import providers
from inklab.server.cloud.models import CloudStorage
from inklab.server.errors import InvalidInput
from inklab.server.iam.context import OrgContext
from inklab.server.iam.rules import Resource
from inklab.server.media.sources import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from inklab.server.projects.permissions import check_create
from inklab.vocabulary import CloudStorageStatus

__all__ = [
    "ATTRIBUTES",
    "MAX_PAGE",
    "SECRET_FIELDS",
    "check",
    "connect",
    "content",
    "create_storage",
    "download",
    "expand_entries",
    "failure",
    "full_key",
    "manifest_names",
    "parse_attributes",
    "preview",
    "status",
    "update_storage",
    "upload",
]

logger = logging.getLogger(__name__)

#: ``specific_attributes`` this server understands (each provider takes some of them)
ATTRIBUTES = ("endpoint_url", "region", "prefix", "project_id", "location")
#: write-only request fields that hold secrets (``key_file``: the text of an uploaded key file)
SECRET_FIELDS = ("key", "secret_key", "session_token", "account_name", "connection_string", "key_file")
MAX_PAGE = 1000
_MAX_MANIFEST_BYTES = 256 * 1024 * 1024
_PREVIEW_SIZE = (256, 256)
_MAX_PREVIEW_BYTES = 64 * 1024 * 1024


def _allow_private() -> bool:
    return os.environ.get("INKLAB_CLOUD_ALLOW_PRIVATE", "").lower() in {"1", "true", "yes"}


def _check_endpoint(url: str, field: str = "specific_attributes", label: str = "endpoint_url") -> None:
    """Refuse ``url`` (named ``label``, an error of ``field``) unless it is http(s) and, unless
    private addresses are allowed, every address of its host is public."""
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise InvalidInput({field: [f"{label} '{url}' is not a valid URL."]}) from None
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise InvalidInput({field: [f"{label} must be an http(s) URL, got '{url}'."]})
    if _allow_private():
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, None)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput({field: [f"The host of {label} '{url}' cannot be resolved."]}) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            raise InvalidInput({field: [
                f"{label} '{url}' points to a private address; this server refuses those "
                "(INKLAB_CLOUD_ALLOW_PRIVATE=1 allows them)."]})


def parse_attributes(text: str) -> dict[str, str]:
    """``specific_attributes`` (``name=value&...``) as a dict; unknown names are refused."""
    pairs = parse_qsl(text or "", keep_blank_values=True, strict_parsing=False)
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in ATTRIBUTES:
            raise InvalidInput({"specific_attributes": [
                f"Unknown attribute '{name}'; this server understands {', '.join(ATTRIBUTES)}."]})
        values[name] = value.strip()
    if values.get("endpoint_url"):
        _check_endpoint(values["endpoint_url"])
    if values.get("prefix"):
        values["prefix"] = values["prefix"].lstrip("/")
    return values


def _config(storage: CloudStorage, interactive: bool = False) -> providers.ProviderConfig:
    try:
        values = secrets.decrypt(storage.credentials)
    except secrets.UnreadableCredentials as exc:
        raise InvalidInput(f"Cloud storage {storage.pk} ('{storage.display_name}'): {exc}; "
                           "enter its credentials again.") from exc
    return providers.ProviderConfig(storage.resource, storage.credentials_type, values,
                                    parse_attributes(storage.specific_attributes), interactive)


def _name(storage: CloudStorage) -> str:
    return f"Cloud storage {storage.pk} ('{storage.display_name}')" if storage.pk else \
        f"Cloud storage '{storage.display_name}'"


def failure(storage: CloudStorage, exc: providers.CloudError) -> InvalidInput:
    """The message for a failed storage operation, naming the storage (and the object)."""
    return InvalidInput(f"{_name(storage)}: {exc}.")


def connect(storage: CloudStorage, *, interactive: bool = False) -> providers.Provider:
    """A provider for ``storage``; ``interactive`` for a call a web request waits for (short
    timeouts, no retries), else for a background request. The addresses its secrets name are
    checked first, as ``endpoint_url`` is."""
    config = _config(storage, interactive)
    try:
        for endpoint in providers.spec(storage.provider_type).endpoints(config):
            _check_endpoint(endpoint.url, endpoint.field, endpoint.label)
        return providers.connect(storage.provider_type, config)
    except providers.CloudError as exc:
        raise failure(storage, exc) from exc


def full_key(storage: CloudStorage, name: str) -> str:
    """The object key of ``name`` (relative to the storage's ``prefix`` attribute)."""
    clean = name.strip().lstrip("/")
    parts = PurePosixPath(clean).parts
    if not clean or ".." in parts or "\x00" in clean:
        raise InvalidInput(f"'{name}' is not a valid object name.")
    prefix = parse_attributes(storage.specific_attributes).get("prefix", "")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return prefix + clean


def _credentials(data: Mapping[str, Any], credentials_type: str, fields: providers.CredentialFields,
                 current: Mapping[str, str]) -> dict[str, str]:
    """The secrets to store: those given, over the ``current`` ones; each required field must be
    there and no field the credentials type does not take may be given."""
    given = {name: str(data[name]) for name in SECRET_FIELDS if data.get(name)}
    values = {**current, **given}
    missing = [name for name in fields.required if not values.get(name)]
    if missing:
        raise InvalidInput({missing[0]: [f"{credentials_type} credentials need '{missing[0]}'."]})
    extra = sorted(name for name in given if name not in fields.accepted)
    if extra:
        raise InvalidInput({extra[0]: [f"'{extra[0]}' is not used with {credentials_type} credentials."]})
    return {name: value for name, value in values.items() if name in fields.accepted}


def _spec(provider_type: str, credentials_type: str) -> tuple[providers.ProviderSpec, providers.CredentialFields]:
    try:
        spec = providers.spec(provider_type)
    except providers.ProviderUnavailable as exc:
        raise InvalidInput({"provider_type": [str(exc)]}) from exc
    if credentials_type not in spec.credentials:
        raise InvalidInput({"credentials_type": [
            f"{provider_type} storages accept {', '.join(sorted(spec.credentials))} credentials here."]})
    return spec, spec.credentials[credentials_type]


def _verify(storage: CloudStorage) -> None:
    """Refuse a storage the server cannot list (wrong credentials, no such bucket...)."""
    check(storage)
    for manifest in storage.manifests:
        try:
            connect(storage, interactive=True).head(full_key(storage, manifest))
        except providers.CloudError as exc:
            raise InvalidInput({"manifests": [f"{_name(storage)}: manifest {exc}."]}) from exc


def _apply(storage: CloudStorage, data: Mapping[str, Any], current: Mapping[str, str]) -> None:
    for name in ("provider_type", "resource", "display_name", "credentials_type", "description"):
        if name in data:
            setattr(storage, name, data[name])
    if "specific_attributes" in data:
        attributes = parse_attributes(data["specific_attributes"] or "")
        storage.specific_attributes = urlencode(attributes)
    if "manifests" in data:
        manifests = list(data["manifests"] or [])
        for manifest in manifests:
            if not manifest.endswith(".jsonl"):
                raise InvalidInput({"manifests": [f"'{manifest}' is not a manifest (a .jsonl file)."]})
        storage.manifests = manifests
    spec, fields = _spec(storage.provider_type, storage.credentials_type)
    unknown = sorted(set(parse_attributes(storage.specific_attributes)) - spec.attributes)
    if unknown:
        raise InvalidInput({"specific_attributes": [
            f"{storage.provider_type} storages do not take '{unknown[0]}'; they take "
            f"{', '.join(sorted(spec.attributes))}."]})
    storage.credentials = secrets.encrypt(_credentials(data, storage.credentials_type, fields, current))


def create_storage(user: Any, data: Mapping[str, Any], context: OrgContext) -> CloudStorage:
    """A new storage owned by ``user`` in the request's workspace ``context`` (an organization's
    maintainers and owner may make one there), after checking that the server can list it."""
    organization = context.organization
    check_create(user, Resource.CLOUD_STORAGE, context.organization_id, organization.slug if organization else "")
    storage = CloudStorage(owner=user, organization=organization)
    _apply(storage, data, {})
    _verify(storage)
    storage.save()
    logger.info("Cloud storage %s created by user %s", storage.pk, user.pk)
    return storage


@transaction.atomic
def update_storage(user: Any, storage: CloudStorage, data: Mapping[str, Any]) -> CloudStorage:
    perms.check_change(user, storage)
    changes_type = "credentials_type" in data and data["credentials_type"] != storage.credentials_type
    current = {} if changes_type else secrets.decrypt(storage.credentials) if storage.credentials else {}
    _apply(storage, data, current)
    _verify(storage)
    storage.save()
    return storage


def check(storage: CloudStorage) -> None:
    """:class:`InvalidInput` naming the storage unless it can be listed now."""
    try:
        connect(storage, interactive=True).check()
    except providers.CloudError as exc:
        raise failure(storage, exc) from exc


def status(storage: CloudStorage) -> str:
    try:
        connect(storage, interactive=True).check()
    except providers.AccessDenied:
        return CloudStorageStatus.FORBIDDEN
    except providers.Unreachable:
        return CloudStorageStatus.UNREACHABLE
    except (providers.CloudError, InvalidInput):
        return CloudStorageStatus.NOT_FOUND
    return CloudStorageStatus.AVAILABLE


def _mime(name: str, is_dir: bool) -> str:
    if is_dir:
        return "DIR"
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        return "image"
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    if suffix in {".zip", ".tar", ".gz", ".tgz"}:
        return "archive"
    return "unknown"


def _page_size(value: Any) -> int:
    if value in (None, ""):
        return 100
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise InvalidInput({"page_size": [f"Expected a whole number, got '{value}'."]}) from None
    if not 1 <= size <= MAX_PAGE:
        raise InvalidInput({"page_size": [f"Must be between 1 and {MAX_PAGE}."]})
    return size


def _strip(prefix: str, name: str) -> str:
    return name[len(prefix):] if prefix and name.startswith(prefix) else name


def content(storage: CloudStorage, prefix: str = "", next_token: str | None = None, page_size: Any = None,
            manifest_path: str | None = None, *, interactive: bool = True) -> dict[str, Any]:
    """``CloudStorageContent``: the entries directly under ``prefix`` (relative to the storage's
    own prefix), from the bucket's listing or from a manifest, one page at a time
    (``interactive=False`` in a background request: longer timeouts, retries)."""
    size = _page_size(page_size)
    prefix = (prefix or "").lstrip("/")
    if manifest_path:
        return _manifest_content(storage, manifest_path, prefix, next_token, size)
    base = parse_attributes(storage.specific_attributes).get("prefix", "")
    if base and not base.endswith("/"):
        base += "/"
    try:
        listing = connect(storage, interactive=interactive).list(base + prefix, next_token or None, size)
    except providers.CloudError as exc:
        raise failure(storage, exc) from exc
    entries = []
    for entry in listing.entries:
        name = _strip(base + prefix, entry.name).rstrip("/")
        if name:
            entries.append({"name": name, "type": "DIR" if entry.is_dir else "REG",
                            "mime_type": _mime(entry.name, entry.is_dir)})
    return {"next": listing.next_token, "content": entries}


def manifest_names(storage: CloudStorage, manifest: str) -> list[str]:
    """The file names a CVAT manifest (``.jsonl``) lists, relative to the manifest's directory."""
    key = full_key(storage, manifest)
    try:
        provider = connect(storage)
        if (provider.head(key).size or 0) > _MAX_MANIFEST_BYTES:
            raise InvalidInput(f"{_name(storage)}: manifest '{manifest}' is larger than allowed.")
        text = provider.read(key)
    except providers.CloudError as exc:
        raise InvalidInput(f"{_name(storage)}: manifest {exc}.") from exc
    names = []
    for number, line in enumerate(text.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise InvalidInput(f"{_name(storage)}: manifest '{manifest}' line {number} is not JSON.") from exc
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            name = item["name"] + str(item.get("extension") or "")
            names.append(name)
    if not names:
        raise InvalidInput(f"{_name(storage)}: manifest '{manifest}' lists no files.")
    folder = str(PurePosixPath(manifest.lstrip("/")).parent)
    return [name if folder == "." else f"{folder}/{name}" for name in names]


def _manifest_content(storage: CloudStorage, manifest: str, prefix: str, token: str | None,
                      size: int) -> dict[str, Any]:
    if manifest not in storage.manifests:
        raise InvalidInput({"manifest_path": [f"'{manifest}' is not a manifest of {_name(storage)}."]})
    entries: dict[str, str] = {}
    for name in manifest_names(storage, manifest):
        if not name.startswith(prefix):
            continue
        head, sep, _ = name[len(prefix):].partition("/")
        entries.setdefault(head, "DIR" if sep else "REG")
    names = sorted(entries)
    try:
        start = int(token) if token else 0
    except ValueError:
        raise InvalidInput({"next_token": ["Not a token of this listing."]}) from None
    page = names[start:start + size]
    following = str(start + size) if start + size < len(names) else None
    return {"next": following, "content": [{"name": n, "type": entries[n], "mime_type": _mime(n, entries[n] == "DIR")}
                                           for n in page]}


def expand_entries(storage: CloudStorage, entries: list[str]) -> list[str]:
    """Object names (relative to the storage prefix) for ``server_files``: a name ending with
    ``/`` is every object under it, a ``.jsonl`` manifest the files it lists, else the name."""
    names: list[str] = []
    for entry in entries:
        if entry.endswith(".jsonl"):
            names.extend(manifest_names(storage, entry))
        elif entry.endswith("/"):
            names.extend(_walk(storage, entry.lstrip("/")))
        else:
            names.append(entry.lstrip("/"))
    return names


def _walk(storage: CloudStorage, folder: str) -> Iterator[str]:
    token: str | None = None
    while True:
        page = content(storage, folder, token, MAX_PAGE, interactive=False)
        for entry in page["content"]:
            if entry["type"] == "DIR":
                yield from _walk(storage, f"{folder}{entry['name']}/")
            elif not entry["name"].endswith(".jsonl"):
                yield folder + entry["name"]
        token = page["next"]
        if not token:
            return


def download(storage: CloudStorage, name: str, target: Path, budget: list[int]) -> None:
    """Copy object ``name`` to ``target``, taking its bytes from ``budget[0]``."""
    from inklab.server.media.sources import copy_limited

    try:
        with connect(storage).open(full_key(storage, name)) as stream:
            copy_limited(stream, target, budget, f"{_name(storage)}: '{name}' makes the task larger than allowed.")
    except providers.CloudError as exc:
        raise failure(storage, exc) from exc


def upload(storage: CloudStorage, name: str, stream: BinaryIO) -> None:
    try:
        connect(storage).write(full_key(storage, name), stream)
    except providers.CloudError as exc:
        raise failure(storage, exc) from exc


def preview(storage: CloudStorage) -> bytes:
    """A JPEG thumbnail of the first image found at the top of the storage (or its manifest)."""
    if storage.manifests:
        names = [n for n in manifest_names(storage, storage.manifests[0]) if _mime(n, False) == "image"]
    else:
        names = [e["name"] for e in content(storage, "", None, MAX_PAGE)["content"] if e["mime_type"] == "image"]
    if not names:
        raise InvalidInput(f"{_name(storage)} has no image at its top level to preview.")
    provider = connect(storage, interactive=True)
    try:
        key = full_key(storage, names[0])
        if (provider.head(key).size or 0) > _MAX_PREVIEW_BYTES:
            raise InvalidInput(f"{_name(storage)}: '{names[0]}' is too large to preview.")
        data = provider.read(key)
    except providers.CloudError as exc:
        raise failure(storage, exc) from exc
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail(_PREVIEW_SIZE)
            from inklab.server.media.rendering import encode_jpeg

            return encode_jpeg(image, 90)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"{_name(storage)}: '{names[0]}' is not a readable image.") from exc
