"""What the auto-annotation commands share: connecting, loading a function, its parameters.

``-p NAME=TYPE:VALUE`` (types ``str``, ``int``, ``float``, ``bool``) are passed to the
module's ``create(**params)``, as cvat-cli does; a module without ``create`` is itself the
function and takes no parameters.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
from pathlib import Path
from typing import Any

__all__ = ["add_connection_options", "add_function_options", "connect", "load_function"]

_TYPES = {"str": str, "int": int, "float": float,
          "bool": lambda v: {"true": True, "false": False, "1": True, "0": False}[v.lower()]}


def _parameter(text: str) -> tuple[str, Any]:
    name, sep, rest = text.partition("=")
    kind, sep2, value = rest.partition(":")
    if not (sep and sep2 and name and kind in _TYPES):
        raise argparse.ArgumentTypeError(f"'{text}': expected NAME=TYPE:VALUE with TYPE one of {', '.join(_TYPES)}")
    try:
        return name, _TYPES[kind](value)
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"'{text}': '{value}' is not a {kind}") from None


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server-host", default=os.environ.get("INKLAB_SERVER", "http://127.0.0.1:8080"),
                        help="server URL (default $INKLAB_SERVER or http://127.0.0.1:8080)")
    parser.add_argument("--auth", default=os.environ.get("INKLAB_AUTH"),
                        help="USER[:PASSWORD] (password default $INKLAB_PASSWORD); or set INKLAB_ACCESS_TOKEN")


def add_function_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--function-module", metavar="MODULE", help="qualified name of a module to use as the function")
    group.add_argument("--function-file", metavar="PATH", type=Path, help="a Python file to use as the function")
    parser.add_argument("-p", "--function-parameter", metavar="NAME=TYPE:VALUE", type=_parameter, action="append",
                        default=[], dest="function_parameters", help="a parameter for the function's create()")


def connect(args: argparse.Namespace) -> Any:
    from inklab.sdk import make_client

    token = os.environ.get("INKLAB_ACCESS_TOKEN") or os.environ.get("CVAT_ACCESS_TOKEN")
    if args.auth:
        user, _, password = args.auth.partition(":")
        password = password or os.environ.get("INKLAB_PASSWORD", "")
        return make_client(args.server_host, credentials=(user, password))
    if token:
        return make_client(args.server_host, access_token=token)
    raise SystemExit("error: give --auth USER[:PASSWORD] or set INKLAB_ACCESS_TOKEN")


def load_function(args: argparse.Namespace) -> Any:
    """The function object the options name (``create(**params)`` when the module has one)."""
    if args.function_module:
        module = importlib.import_module(args.function_module)
    else:
        spec = importlib.util.spec_from_file_location("__inklab_function__", args.function_file)
        if spec is None or spec.loader is None:
            raise SystemExit(f"error: cannot load {args.function_file}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    params = dict(args.function_parameters)
    if hasattr(module, "create"):
        return module.create(**params)
    if params:
        raise SystemExit("error: this function takes no parameters (its module has no create())")
    return module
