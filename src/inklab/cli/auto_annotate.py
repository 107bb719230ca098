"""``inklab task auto-annotate``: run an auto-annotation function over a task."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from inklab.cli._connection import add_server_options
from inklab.cli._functions import add_function_options, run_with_function
from inklab.cli._registry import command
from inklab.sdk import Client, TqdmProgressReporter

__all__ = ["TaskAutoAnnotate"]


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


@command("task", "auto-annotate")
class TaskAutoAnnotate:
    name = "auto-annotate"
    help = "annotate a task with a function (a module or a file), uploading as it goes"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("task_id", type=int, help="the task to annotate")
        add_function_options(parser)
        parser.add_argument("--clear-existing", action="store_true", help="remove the task's annotations first")
        parser.add_argument("--allow-unmatched-labels", action="store_true",
                            help="drop results for function labels the task does not have, instead of failing")
        parser.add_argument("--conf-threshold", type=_threshold, default=None, help="confidence threshold (0..1)")
        parser.add_argument("--conv-mask-to-poly", action="store_true", help="ask for polygons instead of masks")
        parser.add_argument("--batch-size", type=_positive, default=None, help="images per detect_batch call")
        parser.add_argument("--resume", action="store_true",
                            help="skip frames an interrupted run of the same function finished")

    def run(self, args: argparse.Namespace) -> int:
        from inklab.sdk.auto_annotation import annotate_task

        def action(client: Client, function: Any) -> int:
            try:
                summary = annotate_task(client, args.task_id, function, pbar=TqdmProgressReporter(),
                                        clear_existing=args.clear_existing,
                                        allow_unmatched_labels=args.allow_unmatched_labels,
                                        conf_threshold=args.conf_threshold, conv_mask_to_poly=args.conv_mask_to_poly,
                                        batch_size=args.batch_size, resume=args.resume)
            except KeyboardInterrupt:
                print("interrupted: the finished frames were uploaded; rerun with --resume to continue",
                      file=sys.stderr)
                return 130
            print(f"Annotated {summary.frames} frames of task {args.task_id} ({summary.skipped} skipped): "
                  f"{summary.shapes} shapes, {summary.tags} tags")
            return 0

        return run_with_function(args, action)
