"""Fixtures shared by every test package.

* The Django settings used by in-process API tests point at a temporary data directory.
* ``INKLAB_TEST_POSTGRES=1`` runs the database tests (and live servers) on PostgreSQL instead
  of SQLite, each run in its own throw-away databases.
* ``live_server`` is one ``inklab serve`` for the whole session; ``server_factory`` starts
  extra ones for tests that must stop or reconfigure a server.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import postgres
from tests.support.azurite import AzuriteServer, azurite_executable
from tests.support.gcs import GCSServer
from tests.support.images import make_images
from tests.support.live import LiveServer
from tests.support.s3 import S3Server


def _configure_django() -> None:
    """Point Django at this session's data directory and database, before anything imports it.

    This runs when the root conftest is imported (it is always loaded first), because test
    modules and nested conftests import DRF's test helpers, which read the settings.
    """
    os.environ["INKLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="inklab-test-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "inklab.server.settings"
    if USE_POSTGRES:
        os.environ["INKLAB_DATABASE_URL"] = postgres.new_database_url()
    else:
        os.environ.pop("INKLAB_DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings

    # In-process tests create many users: a fast hasher saves ~0.5 s of PBKDF2 each. Live
    # servers (subprocesses) keep the real hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: ``INKLAB_TEST_POSTGRES=1`` runs database tests and live servers on PostgreSQL
#: (``$INKLAB_TEST_PG``, default ``postgresql://postgres@127.0.0.1:5432``), in throw-away databases.
USE_POSTGRES = os.environ.get("INKLAB_TEST_POSTGRES", "").lower() in {"1", "true", "yes"}
_configure_django()


@pytest.fixture(scope="session")
def use_postgres() -> bool:
    return USE_POSTGRES


@pytest.fixture(autouse=True)
def _live_server_helper() -> Iterator[None]:
    """Replaces pytest-django's helper of the same name, which would take our ``live_server``
    (a subprocess) for its own in-process server and try to reconfigure it."""
    yield


@pytest.fixture(scope="session")
def live_server(use_postgres: bool) -> Iterator[LiveServer]:
    server = LiveServer(postgres=use_postgres, workers=2).start()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A local S3 API (moto in server mode) that checks credentials; see :mod:`tests.support.s3`."""
    pytest.importorskip("moto")
    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def azurite_server() -> Iterator[AzuriteServer]:
    """A local Azure Blob API (Azurite); see :mod:`tests.support.azurite`."""
    pytest.importorskip("azure.storage.blob")
    executable = azurite_executable()
    if executable is None:
        pytest.skip("NODE IS MISSING: the Azure cloud storage tests need Azurite, which runs on node "
                    "(install nodejs and npm, then run scripts/ensure-azurite)")
    server = AzuriteServer(executable).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gcs_server() -> Iterator[GCSServer]:
    """A local Google Cloud Storage JSON API; see :mod:`tests.support.gcs`."""
    pytest.importorskip("google.cloud.storage")
    server = GCSServer().start()
    yield server
    server.stop()


@pytest.fixture
def server_factory(use_postgres: bool) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def start(**kwargs: object) -> LiveServer:
        server = LiveServer(postgres=use_postgres, **kwargs).start()  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.destroy()


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    """Three small distinct PNG images."""
    return make_images(tmp_path / "images", 3)
