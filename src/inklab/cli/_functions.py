"""What the auto-annotation commands share: loading a function and its parameters.

``--function-module M`` or ``--function-file F`` names the function; ``-p NAME=TYPE:VALUE``
(types ``str``, ``int``, ``float``, ``bool``) are passed to the module's ``create(**params)``,
as cvat-cli does; a module without ``create`` is itself the function and takes no
parameters. The server options are the shared ones (:mod:`inklab.cli._connection`).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inklab.cli._connection import CommandError, fail, run_with_client
from inklab.sdk import Client

__all__ = ["add_function_options", "load_function", "run_with_function"]

_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_TYPES: dict[str, Callable[[str], Any]] = {"str": str, "int": int, "float": float,
                                           "bool": lambda v: _BOOLEANS[v.lower()]}


def _parameter(text: str) -> tuple[str, Any]:
    name, sep, rest = text.partition("=")
    kind, sep2, value = rest.partition(":")
    if not (sep and sep2 and name and kind in _TYPES):
        raise argparse.ArgumentTypeError(f"'{text}': expected NAME=TYPE:VALUE with TYPE one of {', '.join(_TYPES)}")
    try:
        return name, _TYPES[kind](value)
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"'{text}': '{value}' is not a {kind}") from None


def add_function_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--function-module", metavar="MODULE", help="qualified name of a module to use as the function")
    group.add_argument("--function-file", metavar="PATH", type=Path, help="a Python file to use as the function")
    parser.add_argument("-p", "--function-parameter", metavar="NAME=TYPE:VALUE", type=_parameter, action="append",
                        default=[], dest="function_parameters", help="a parameter for the function's create()")


def load_function(args: argparse.Namespace) -> Any:
    """The function object the options name (``create(**params)`` when the module has one).

    Raises :class:`CommandError` when the module or file cannot be loaded, or ``create``
    refuses the parameters.
    """
    if args.function_module:
        try:
            module = importlib.import_module(args.function_module)
        except ImportError as exc:
            raise CommandError(f"cannot import the function module {args.function_module!r}: {exc}") from exc
    else:
        path = Path(args.function_file)
        spec = importlib.util.spec_from_file_location("__inklab_function__", path)
        if not path.is_file() or spec is None or spec.loader is None:
            raise CommandError(f"cannot load the function file {str(path)!r}: not a readable Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses in the file look their module up
        try:
            spec.loader.exec_module(module)
        except ImportError as exc:
            raise CommandError(f"cannot load the function file {str(path)!r}: {exc}") from exc
    params = dict(args.function_parameters)
    if hasattr(module, "create"):
        try:
            return module.create(**params)
        except (TypeError, ValueError, KeyError) as exc:
            raise CommandError(f"the function's create() refused its parameters {params}: {exc}") from exc
    if params:
        raise CommandError("this function takes no parameters (its module has no create())")
    return module


def run_with_function(args: argparse.Namespace, action: Callable[[Client, Any], Any]) -> int:
    """Load the function first (a bad one fails before connecting), then ``action(client, function)``
    under :func:`~inklab.cli._connection.run_with_client`'s error handling."""
    try:
        function = load_function(args)
    except CommandError as exc:
        return fail(str(exc))
    return run_with_client(args, lambda client: action(client, function))
