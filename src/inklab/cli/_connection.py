"""What every command that talks to a server shares: the server and credential options, the
client they make, and turning SDK errors into one-line messages with exit status 1.

Credentials, in order: ``--auth USER:PASSWORD``; ``--auth USER`` with the password from
``$INKLAB_PASSWORD`` (or ``$PASS``) or a prompt; a personal access token from
``$INKLAB_ACCESS_TOKEN`` (or ``$CVAT_ACCESS_TOKEN``). The server is ``--server-host`` (default
``$INKLAB_SERVER_HOST`` or ``http://localhost:8080``) and ``--server-port``; ``--org SLUG``
picks the organization (``--org ""``: the personal workspace).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from inklab.sdk import Client, Config, SdkError, make_client

__all__ = ["CommandError", "add_server_options", "connect", "fail", "run_with_client"]

DEFAULT_HOST = "http://localhost:8080"
TOKEN_VARIABLES = ("INKLAB_ACCESS_TOKEN", "CVAT_ACCESS_TOKEN")
PASSWORD_VARIABLES = ("INKLAB_PASSWORD", "PASS")


class CommandError(Exception):
    """A problem to report in one line (bad arguments found late, missing credentials)."""


def add_server_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("server")
    group.add_argument("--server-host", default=os.environ.get("INKLAB_SERVER_HOST", DEFAULT_HOST),
                       help=f"server address (default: $INKLAB_SERVER_HOST or {DEFAULT_HOST})")
    group.add_argument("--server-port", type=int, default=None, help="server port, if not in --server-host")
    group.add_argument("--auth", metavar="USER[:PASSWORD]", default=None,
                       help="log in with a password (else $INKLAB_PASSWORD, $PASS, or a prompt); without --auth "
                            "the token in $INKLAB_ACCESS_TOKEN or $CVAT_ACCESS_TOKEN is used")
    group.add_argument("--organization", "--org", dest="org", metavar="SLUG", default=None,
                       help="work in this organization (its tasks and projects, and new ones go there); an empty "
                            "string is the personal workspace; without it, everything you can see")
    group.add_argument("--insecure", action="store_true", help="do not verify the server's TLS certificate")
    group.add_argument("--debug", action="store_true", help="log every HTTP request")


def _password(user: str) -> str:
    for name in PASSWORD_VARIABLES:
        if os.environ.get(name):
            return os.environ[name]
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {user}: ")
    raise CommandError(f"No password for '{user}': use --auth {user}:PASSWORD or set $INKLAB_PASSWORD.")


def connect(args: argparse.Namespace) -> Client:
    """A logged-in client from the server options, in the organization of ``--org``."""
    client = _connect(args)
    if getattr(args, "org", None) is not None:
        client.organization_slug = args.org
    return client


def _connect(args: argparse.Namespace) -> Client:
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    config = Config(verify_ssl=False if args.insecure else None, status_check_period=1.0)
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not user:
            raise CommandError("--auth needs a user name: --auth USER[:PASSWORD]")
        return make_client(args.server_host, port=args.server_port, credentials=(user, password if sep else _password(user)),
                           config=config)
    token = next((os.environ[name] for name in TOKEN_VARIABLES if os.environ.get(name)), None)
    if token is None:
        raise CommandError("No credentials: use --auth USER[:PASSWORD] or set $INKLAB_ACCESS_TOKEN.")
    return make_client(args.server_host, port=args.server_port, access_token=token, config=config)


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def run_with_client(args: argparse.Namespace, action: Callable[[Client], Any]) -> int:
    """Connect, run ``action(client)``; errors become ``error: …`` on stderr and exit status 1."""
    try:
        with connect(args) as client:
            result = action(client)
    except (SdkError, CommandError) as exc:
        return fail(str(exc))
    except (OSError, ValueError) as exc:  # local files, bad JSON given on the command line
        return fail(str(exc))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return int(result or 0)
