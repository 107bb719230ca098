"""Files the server prepares in the background: request, wait, then stream the result to disk.

The CVAT flow for dataset exports and backups:

1. ``POST <export endpoint>?<params>`` → 202 ``{"rq_id": …}``;
2. poll ``/api/requests/{rq_id}`` until it is finished (:meth:`Client.wait_for_completion`);
3. ``GET <result_url>``, streamed to a temporary file next to the target, which is renamed into
   place once every byte has arrived. A download that breaks leaves no file behind.

When the target is a directory the file name comes from the server's
``Content-Disposition: attachment; filename="…"``; only plain, portable names are accepted.
An existing file is never overwritten.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from inklab.sdk import models
from inklab.sdk._atomic import atomic_output
from inklab.sdk.client._errors import SdkError, TransportError
from inklab.sdk.client._progress import NullProgressReporter, ProgressReporter

if TYPE_CHECKING:
    from inklab.sdk.client._client import Client

__all__ = ["DOWNLOAD_PIECE_SIZE", "download_file", "is_directory_target", "prepare_file", "server_filename"]

#: Bytes read from the connection and written to disk at a time.
DOWNLOAD_PIECE_SIZE: Final = 4 * 2**20
_SAFE_NAME = re.compile(r"[A-Za-z0-9_. -]+")


def server_filename(content_disposition: str) -> str | None:
    """The ``filename=`` of a ``Content-Disposition`` header when it is a safe, plain file name.

    Safe means: at most 254 characters of ``A-Z a-z 0-9 _ - .`` and space, not starting with a
    dot, with a stem and an extension. Anything else (a path, ``..``, RFC 5987 ``filename*=``)
    gives None.
    """
    for part in content_disposition.split(";"):
        key, sep, value = part.strip().partition("=")
        if not sep or key.strip().lower() != "filename":
            continue
        name = value.strip().strip('"')
        stem, ext = os.path.splitext(name)
        if (len(name) <= 254 and _SAFE_NAME.fullmatch(name) and not name.startswith(".")
                and stem and len(ext) >= 2):
            return name
        return None
    return None


def is_directory_target(target: str | os.PathLike[str]) -> bool:
    """Whether ``target`` names a directory: an existing one, or a path ending with a separator."""
    text = os.fspath(target)
    return text == "" or text.endswith(("/", os.sep)) or Path(text).is_dir()


def prepare_file(client: Client, path: str, params: Mapping[str, Any], *, status_check_period: float | None = None,
                 pbar: ProgressReporter | None = None, log_prefix: str | None = None) -> models.Request:
    """Start a background export at ``path`` (``POST`` with ``params``) and wait until it finishes.

    Returns the finished request. Raises :class:`ApiError` when the server refuses the export
    (an unknown format, a bad parameter: the message is the server's) and
    :class:`BackgroundRequestError` when it fails while running.
    """
    response = client.request("POST", path, params=params, json=None, expect=(202,))
    rq_id = response.json().get("rq_id")
    if not rq_id:
        raise SdkError(f"The server accepted POST {path} but named no request to wait for.")
    return client.wait_for_completion(str(rq_id), status_check_period=status_check_period, pbar=pbar,
                                      log_prefix=log_prefix)


def download_file(client: Client, url: str, target: str | os.PathLike[str], *,
                  pbar: ProgressReporter | None = None, desc: str = "Downloading") -> Path:
    """Stream ``GET url`` into ``target`` (a file path, or a directory: see the module docstring).

    Returns the path written. Raises ``FileExistsError`` (before anything is downloaded when the
    path is known) rather than overwrite a file, :class:`SdkError` when the server names no usable
    file for a directory target, :class:`TransportError` when the connection breaks or delivers
    fewer bytes than announced; in every failure no file is left at the target.
    """
    as_directory = is_directory_target(target)
    output = Path(target)
    if not as_directory and output.exists():
        raise FileExistsError(f"{output} already exists; not overwriting it.")
    reporter = pbar or NullProgressReporter()
    response = client.request("GET", url, stream=True)
    with response:
        if as_directory:
            name = server_filename(response.headers.get("Content-Disposition", ""))
            if name is None:
                raise SdkError(f"The server sent no usable file name for {url}; pass a file path instead "
                               "of a directory.")
            output = output / name
            if output.exists():
                raise FileExistsError(f"{output} already exists; not overwriting it.")
        length_header = response.headers.get("Content-Length")
        expected = int(length_header) if length_header and length_header.isdigit() else None
        received = 0
        with atomic_output(output) as out:
            with reporter.task(total=expected, desc=desc, unit="B", unit_scale=True, unit_divisor=1024):
                for piece in response.iter_bytes(DOWNLOAD_PIECE_SIZE):
                    out.write(piece)
                    received += len(piece)
                    reporter.advance(len(piece))
            if expected is not None and received != expected:
                raise TransportError(f"The download of {url} stopped after {received} of {expected} bytes.",
                                     request=response.request.info)
            if output.exists():  # appeared while downloading
                raise FileExistsError(f"{output} already exists; not overwriting it.")
    return output
