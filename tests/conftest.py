"""Fixtures shared by every test package.

* The Django settings used by in-process API tests point at a temporary data directory.
* ``--postgres`` runs the database tests (and live servers) on PostgreSQL instead of SQLite,
  each run in its own throw-away databases.
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
from tests.support.images import make_images
from tests.support.live import LiveServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--postgres", action="store_true",
                     help="use PostgreSQL ($INKLAB_TEST_PG, default postgresql://postgres@127.0.0.1:5432)")


def pytest_configure(config: pytest.Config) -> None:
    # Django is configured here, not from the ini file, so that the settings module reads
    # this session's data directory and database.
    os.environ["INKLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="inklab-test-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "inklab.server.settings"
    if config.getoption("--postgres"):
        os.environ["INKLAB_DATABASE_URL"] = postgres.new_database_url()
    else:
        os.environ.pop("INKLAB_DATABASE_URL", None)
    import django

    django.setup()


@pytest.fixture(scope="session")
def use_postgres(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--postgres"))


@pytest.fixture(scope="session")
def live_server(use_postgres: bool) -> Iterator[LiveServer]:
    server = LiveServer(postgres=use_postgres, workers=2).start()
    yield server
    server.destroy()


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
