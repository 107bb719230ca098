"""Gathering the files of a new task: uploads, archives, the server share, remote URLs.

Everything that comes from outside is checked before it is used:

* archive members with absolute paths, ``..`` components, links or device entries are
  refused; so are archives with more than ``INKLAB_MAX_ARCHIVE_MEMBERS`` members or more
  than ``INKLAB_MAX_ARCHIVE_BYTES`` unpacked (the byte count is enforced while unpacking,
  not taken from the archive's own claims);
* share paths must stay inside the share root after resolving links;
* remote URLs must be ``http(s)`` and, unless ``INKLAB_REMOTE_ALLOW_PRIVATE=1``, must not
  point at loopback or private addresses.

Failures raise :class:`~inklab.server.errors.InvalidInput` naming the file at fault.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import shutil
import socket
import stat
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import unquote, urlparse

import urllib3

from inklab.server.errors import InvalidInput

__all__ = [
    "IMAGE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "Limits",
    "MediaFile",
    "expand_archives",
    "fetch_remote",
    "natural_key",
    "resolve_share",
]

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm",
                    ".ppm", ".pbm", ".jfif"}
VIDEO_EXTENSIONS = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".mpeg", ".mpg", ".m4v", ".wmv", ".flv"}
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_JUNK = re.compile(r"(^|/)(__MACOSX|\.DS_Store|Thumbs\.db)(/|$)")
_COPY_BLOCK = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Limits:
    """Upload limits, read from the environment when created."""

    max_members: int = field(default_factory=lambda: _env_int("INKLAB_MAX_ARCHIVE_MEMBERS", 200_000))
    max_bytes: int = field(default_factory=lambda: _env_int("INKLAB_MAX_ARCHIVE_BYTES", 64 * 1024**3))
    max_remote_bytes: int = field(default_factory=lambda: _env_int("INKLAB_MAX_REMOTE_BYTES", 4 * 1024**3))


@dataclass(frozen=True)
class MediaFile:
    """A file to become frames: ``name`` is the frame name users will see."""

    name: str
    path: Path

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    @property
    def is_image(self) -> bool:
        return self.suffix in IMAGE_EXTENSIONS

    @property
    def is_video(self) -> bool:
        return self.suffix in VIDEO_EXTENSIONS


def natural_key(name: str) -> list[object]:
    """Sort key that orders ``img2`` before ``img10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def is_archive(name: str) -> bool:
    return name.lower().endswith(_ARCHIVE_SUFFIXES)


def _member_name(archive: str, raw: str) -> str | None:
    """Validate and normalise an archive member path; None for entries to skip."""
    name = raw.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise InvalidInput(f"Archive '{archive}' contains an absolute path '{raw}'.")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InvalidInput(f"Archive '{archive}' contains an unsafe path '{raw}'.")
    clean = "/".join(parts)
    if not clean or _JUNK.search(clean) or parts[-1].startswith("."):
        return None
    return clean


def _copy_limited(src: BinaryIO, dst_path: Path, budget: list[int], too_big: str) -> None:
    dst_path.parent.mkdir(parents=True, exist_ok=True)
    with open(dst_path, "wb") as dst:
        while True:
            block = src.read(_COPY_BLOCK)
            if not block:
                return
            budget[0] -= len(block)
            if budget[0] < 0:
                raise InvalidInput(too_big)
            dst.write(block)


def _too_big(archive: str, member: str) -> str:
    return f"Archive '{archive}' unpacks to more than the allowed size (stopped at '{member}')."


def _extract(archive_name: str, path: Path, dest: Path, limits: Limits, budget: list[int]) -> Iterator[MediaFile]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > limits.max_members:
                raise InvalidInput(f"Archive '{archive_name}' has {len(infos)} members; "
                                   f"the limit is {limits.max_members}.")
            for info in infos:
                name = _member_name(archive_name, info.filename)
                if name is None:
                    continue
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise InvalidInput(f"Archive '{archive_name}' contains a link '{info.filename}'.")
                target = dest / name
                try:
                    with zf.open(info) as src:
                        _copy_limited(src, target, budget, _too_big(archive_name, info.filename))
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    logger.info("Archive %s: member %s could not be read: %s", archive_name, info.filename, exc)
                    raise InvalidInput(f"Archive '{archive_name}': member '{info.filename}' is corrupt.") from exc
                yield MediaFile(name, target)
        return
    try:
        tar = tarfile.open(path)
    except (tarfile.TarError, OSError) as exc:
        logger.info("Archive %s could not be opened: %s", archive_name, exc)
        raise InvalidInput(f"'{archive_name}' is not a readable zip or tar archive.") from exc
    with tar:
        count = 0
        try:
            for member in tar:
                if member.isdir():
                    continue
                count += 1
                if count > limits.max_members:
                    raise InvalidInput(f"Archive '{archive_name}' has more than {limits.max_members} members.")
                name = _member_name(archive_name, member.name)
                if name is None:
                    continue
                if not member.isfile():
                    raise InvalidInput(f"Archive '{archive_name}' contains a link or special file "
                                       f"'{member.name}'.")
                src = tar.extractfile(member)
                if src is None:
                    continue
                target = dest / name
                _copy_limited(src, target, budget, _too_big(archive_name, member.name))
                yield MediaFile(name, target)
        except (tarfile.TarError, EOFError, OSError) as exc:
            logger.info("Archive %s could not be read: %s", archive_name, exc)
            raise InvalidInput(f"Archive '{archive_name}' is corrupt.") from exc


def expand_archives(files: Iterable[MediaFile], workdir: Path, limits: Limits | None = None) -> list[MediaFile]:
    """Replace each archive by its members (names relative to the archive's root)."""
    limits = limits or Limits()
    budget = [limits.max_bytes]
    result: list[MediaFile] = []
    for index, item in enumerate(files):
        if is_archive(item.name):
            result.extend(_extract(item.name, item.path, workdir / f"archive{index}", limits, budget))
        else:
            result.append(item)
    return result


def resolve_share(root: Path, entries: Iterable[str]) -> list[MediaFile]:
    """Files named by ``server_files`` (files or directories, relative to the share root)."""
    root = root.resolve()
    result: list[MediaFile] = []
    for entry in entries:
        relative = entry.strip().lstrip("/")
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root):
            raise InvalidInput(f"'{entry}' is outside the server share.")
        if not candidate.exists():
            raise InvalidInput(f"'{entry}' does not exist in the server share.")
        if candidate.is_dir():
            for dirpath, dirnames, filenames in os.walk(candidate):
                dirnames.sort()
                for filename in sorted(filenames):
                    path = (Path(dirpath) / filename).resolve()
                    if not path.is_relative_to(root):
                        raise InvalidInput(f"'{Path(dirpath, filename).relative_to(root)}' links outside "
                                           "the server share.")
                    name = str(Path(dirpath, filename).relative_to(root))
                    if not _JUNK.search(name) and not filename.startswith("."):
                        result.append(MediaFile(name, path))
        else:
            result.append(MediaFile(relative, candidate))
    return result


def _check_public_host(url: str, host: str) -> None:
    if os.environ.get("INKLAB_REMOTE_ALLOW_PRIVATE", "").lower() in {"1", "true", "yes"}:
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        logger.info("Host of %s could not be resolved: %s", url, exc)
        raise InvalidInput(f"Cannot resolve the host of '{url}'.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            raise InvalidInput(f"'{url}' points to a private address; remote files must be public.")


def fetch_remote(urls: Iterable[str], workdir: Path, limits: Limits | None = None) -> list[MediaFile]:
    """Download ``remote_files`` into ``workdir``."""
    limits = limits or Limits()
    workdir.mkdir(parents=True, exist_ok=True)
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=60), retries=urllib3.Retry(2))
    result = []
    for index, url in enumerate(urls):
        parsed = urlparse(url)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise InvalidInput(f"'{url}' is not an http(s) URL.")
        _check_public_host(url, parsed.hostname)
        name = unquote(PurePosixPath(parsed.path).name) or f"remote_{index}"
        target = workdir / f"{index}_{name}"
        try:
            response = http.request("GET", url, preload_content=False, redirect=False)
        except urllib3.exceptions.HTTPError as exc:
            logger.info("%s could not be downloaded: %s", url, exc)
            raise InvalidInput(f"Cannot download '{url}': the server could not connect or did not answer.") from exc
        with response:
            if response.status != 200:
                raise InvalidInput(f"Cannot download '{url}': the server answered {response.status}.")
            budget = [limits.max_remote_bytes]
            _copy_limited(response, target, budget, f"'{url}' is larger than the allowed "
                          f"{limits.max_remote_bytes} bytes.")
        result.append(MediaFile(name, target))
    return result


def move_or_copy(src: Path, dst: Path, *, move: bool) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if move:
        os.replace(src, dst)
    else:
        shutil.copyfile(src, dst)
