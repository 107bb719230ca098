"""``inklab function create-native | delete | run-agent``: native functions and their agents."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from inklab.cli._connection import add_server_options, run_with_client
from inklab.cli._functions import add_function_options, run_with_function
from inklab.cli._registry import command
from inklab.sdk import Client, NotFoundError, SdkError, TqdmProgressReporter

__all__ = ["FunctionCreateNative", "FunctionDelete", "FunctionRunAgent"]


def _labels_v2(function: Any) -> list[dict[str, object]]:
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
    for label in function.spec.labels:
        item = entry(label)
        if _get(label, "sublabels"):
            item["sublabels"] = [entry(point) for point in _get(label, "sublabels")]
        labels.append(item)
    return labels


def _remote_fields(function: Any) -> dict[str, object]:
    """The kind of function and what the server records of its spec (as cvat-cli sends them)."""
    from inklab.sdk.auto_annotation.interactive import function_kind

    kind = function_kind(function)
    spec = function.spec
    if kind == "interactor":
        fields: dict[str, object] = {"kind": kind, "min_pos_points": spec.min_pos_points}
        if spec.min_neg_points is not None:
            fields["min_neg_points"] = spec.min_neg_points
        if spec.min_bounding_boxes == 0:
            fields["startswith_box_optional"] = True
        elif spec.min_bounding_boxes == 1:
            fields["startswith_box"] = True
        return fields
    if kind == "tracker":
        return {"kind": kind, "supported_shape_types": sorted(spec.supported_shape_types)}
    return {"kind": kind, "labels_v2": _labels_v2(function)}


@command("function", "create-native")
class FunctionCreateNative:
    name = "create-native"
    help = "register a function on the server, to be served by agents; prints its id"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("function_name", metavar="NAME", help="a name for the function")
        parser.add_argument("--visibility", choices=("private", "public"), default="private")
        add_function_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client, function: Any) -> None:
            body = {"provider": "native", "name": args.function_name, "visibility": args.visibility,
                    **_remote_fields(function)}
            print(client.send_json("POST", "/api/functions", body)["id"])

        return run_with_function(args, action)


@command("function", "delete")
class FunctionDelete:
    name = "delete"
    help = "delete functions (missing ones are reported and skipped)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("function_ids", type=int, nargs="+", metavar="ID")

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> int:
            status = 0
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

        return run_with_client(args, action)


@command("function", "run-agent")
class FunctionRunAgent:
    name = "run-agent"
    help = "serve a native function's requests (batch annotation, clicks, tracker steps) with a local function"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("function_id", type=int, metavar="ID")
        add_function_options(parser)
        parser.add_argument("--burst", action="store_true", help="process the queued requests, then exit")
        parser.add_argument("--poll-interval", type=float, default=60.0,
                            help="seconds between polls while the queue's event stream is unavailable; with it, "
                                 "ten times as long (default 60)")

    def run(self, args: argparse.Namespace) -> int:
        from inklab.sdk.auto_annotation.agent import run_agent

        if args.poll_interval <= 0:
            return _usage("--poll-interval must be positive")
        logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO,
                            format="%(asctime)s %(levelname)s %(message)s")
        pbar = TqdmProgressReporter() if sys.stderr.isatty() else None

        def action(client: Client, function: Any) -> int:
            done = run_agent(client, function, args.function_id, burst=args.burst,
                             poll_interval=args.poll_interval, pbar=pbar)
            print(f"Completed {done} annotation requests")
            return 0

        return run_with_function(args, action)


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
