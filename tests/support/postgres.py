"""Throw-away PostgreSQL databases for tests (the server must be reachable; CI starts it)."""

from __future__ import annotations

import os
import secrets

__all__ = ["base_url", "create_database", "drop_database", "new_database_url"]


def base_url() -> str:
    return os.environ.get("INKLAB_TEST_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


def new_database_url(prefix: str = "inklab_test") -> str:
    return f"{base_url()}/{prefix}_{os.getpid()}_{secrets.token_hex(4)}"


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"{base_url()}/postgres", autocommit=True)


def create_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
