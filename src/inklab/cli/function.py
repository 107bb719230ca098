"""``inklab function create-native | delete | run-agent``: native functions and their agents."""

from __future__ import annotations

import argparse
import logging
import sys

from inklab.cli._functions import add_connection_options, add_function_options, connect, load_function
from inklab.cli._registry import command

__all__ = ["FunctionCreateNative", "FunctionDelete", "FunctionRunAgent"]


def _labels_v2(function: object) -> list[dict[str, object]]:
    """The function's spec as ``POST /api/functions`` takes it."""
    from inklab.sdk.auto_annotation.interface import _get

    def entry(label: object) -> dict[str, object]:
        out: dict[str, object] = {"name": _get(label, "name"), "attributes": [
            {"name": _get(a, "name"), "input_type": str(_get(a, "input_type")), "values": list(_get(a, "values") or [])}
            for a in _get(label, "attributes") or []]}
        kind = str(_get(label, "type", "any") or "any")
        if kind != "any":
            out["type"] = kind
        return out

    labels = []
    for label in function.spec.labels:  # type: ignore[attr-defined]
        item = entry(label)
        if _get(label, "sublabels"):
            item["sublabels"] = [entry(point) for point in _get(label, "sublabels")]
        labels.append(item)
    return labels


@command("function", "create-native")
class FunctionCreateNative:
    name = "create-native"
    help = "register a function on the server, to be served by agents; prints its id"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_connection_options(parser)
        parser.add_argument("function_name", metavar="NAME", help="a name for the function")
        parser.add_argument("--visibility", choices=("private", "public"), default="private")
        add_function_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        from inklab.sdk import SdkError

        try:
            function = load_function(args)
            body = {"provider": "native", "kind": "detector", "name": args.function_name,
                    "visibility": args.visibility, "labels_v2": _labels_v2(function)}
            with connect(args) as client:
                created = client.send_json("POST", "/api/functions", body)
        except (SdkError, ValueError, TypeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(created["id"])
        return 0


@command("function", "delete")
class FunctionDelete:
    name = "delete"
    help = "delete functions (missing ones are reported and skipped)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_connection_options(parser)
        parser.add_argument("function_ids", type=int, nargs="+", metavar="ID")

    def run(self, args: argparse.Namespace) -> int:
        from inklab.sdk import NotFoundError, SdkError

        status = 0
        with connect(args) as client:
            for function_id in args.function_ids:
                try:
                    client.request("DELETE", f"/api/functions/{function_id}")
                    print(f"Function #{function_id} deleted")
                except NotFoundError:
                    print(f"warning: function #{function_id} not found", file=sys.stderr)
                except SdkError as exc:
                    print(f"error: function #{function_id}: {exc}", file=sys.stderr)
                    status = 1
        return status


@command("function", "run-agent")
class FunctionRunAgent:
    name = "run-agent"
    help = "serve a native function's annotation requests with a local function"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_connection_options(parser)
        parser.add_argument("function_id", type=int, metavar="ID")
        add_function_options(parser)
        parser.add_argument("--burst", action="store_true", help="process the queued requests, then exit")
        parser.add_argument("--poll-interval", type=float, default=10.0, help="seconds between polls (default 10)")

    def run(self, args: argparse.Namespace) -> int:
        from inklab.sdk import SdkError
        from inklab.sdk.auto_annotation.agent import run_agent

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        try:
            function = load_function(args)
            with connect(args) as client:
                done = run_agent(client, function, args.function_id, burst=args.burst,
                                 poll_interval=args.poll_interval)
        except (SdkError, ValueError, TypeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
        print(f"Completed {done} annotation requests")
        return 0
