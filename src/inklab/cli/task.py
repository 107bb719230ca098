"""``inklab task ls|create|delete|frames``.

The dataset and backup commands of the group (``export-dataset``, ``import-dataset``,
``backup``, ``create-from-backup``) are in :mod:`inklab.cli.datasets`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from inklab.cli._connection import add_server_options, run_with_client
from inklab.cli._registry import command
from inklab.cli._resources import add_option, delete_ids, labels_argument, print_table, retrieve
from inklab.cli.datasets import DEFAULT_IMPORT_FORMAT
from inklab.sdk import Client, ResourceType, TqdmProgressReporter

__all__ = ["TaskCreate", "TaskDelete", "TaskFrames", "TaskList"]


@command("task", "ls")
class TaskList:
    name = "ls"
    help = "list tasks"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("--json", action="store_true", help="print the tasks as JSON")

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> None:
            if args.json:
                print(json.dumps(json.loads(client.tasks.list(return_json=True)), indent=2))
                return
            print_table(["ID", "NAME", "FRAMES", "PROJECT", "SUBSET", "STATUS"],
                        [[t.id, t.name, t.size, t.project_id or "", t.subset, t.status] for t in client.tasks.list()])

        return run_with_client(args, action)


@command("task", "create")
class TaskCreate:
    name = "create"
    help = "create a task from images, a video or archives, and print its id"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("task_name", metavar="NAME", help="name of the task")
        parser.add_argument("resource_type", choices=["local", "share", "remote"],
                            help="local files, paths in the server's share, or URLs")
        parser.add_argument("resources", nargs="+", help="files, share paths or URLs")
        parser.add_argument("--labels", type=labels_argument, default=None,
                            help="labels as JSON, or a JSON file (not with --project-id)")
        add_option(parser, "project-id", type=int, default=None, help="put the task in this project")
        add_option(parser, "subset", default=None, help="subset (Train, Validation, …)")
        add_option(parser, "segment-size", type=int, default=None, help="frames per job")
        add_option(parser, "overlap", type=int, default=None, help="frames shared by consecutive jobs")
        add_option(parser, "bug-tracker", default=None, help="bug tracker URL")
        add_option(parser, "image-quality", type=int, default=70, help="JPEG quality of compressed frames (default 70)")
        add_option(parser, "chunk-size", type=int, default=None, help="frames per chunk")
        add_option(parser, "sorting-method", default="lexicographical",
                choices=["lexicographical", "natural", "predefined", "random"], help="frame order")
        add_option(parser, "frame-step", type=int, default=None, help="keep every N-th frame")
        add_option(parser, "start-frame", type=int, default=None, help="first frame of a video")
        add_option(parser, "stop-frame", type=int, default=None, help="last frame of a video")
        add_option(parser, "copy-data", action="store_true", help="copy share files instead of referencing them")
        add_option(parser, "use-cache", action="store_true", help="make chunks on demand")
        add_option(parser, "use-zip-chunks", action="store_true", help="zip chunks for videos")
        add_option(parser, "annotation-path", type=Path, default=None,
                   help="import this annotation file once the data is processed")
        add_option(parser, "annotation-format", default=DEFAULT_IMPORT_FORMAT,
                   help="format of --annotation-path (default: %(default)s)")
        add_option(parser, "completion-verification-period", type=float, default=1.0,
                help="seconds between checks while the server processes the data (default 1)")

    def run(self, args: argparse.Namespace) -> int:
        spec: dict[str, Any] = {"name": args.task_name}
        for key in ("project_id", "subset", "segment_size", "overlap", "bug_tracker"):
            if getattr(args, key) is not None:
                spec[key] = getattr(args, key)
        if args.labels is not None:
            spec["labels"] = args.labels
        elif args.project_id is None:
            print("error: a task needs --labels, or --project-id to use a project's labels", file=sys.stderr)
            return 2
        params: dict[str, Any] = {"image_quality": args.image_quality, "sorting_method": args.sorting_method}
        for key in ("chunk_size", "frame_step", "start_frame", "stop_frame"):
            if getattr(args, key) is not None:
                params[key] = getattr(args, key)
        for key in ("copy_data", "use_cache", "use_zip_chunks"):
            if getattr(args, key):
                params[key] = True
        kind = ResourceType[args.resource_type.upper()]

        def action(client: Client) -> None:
            task = client.tasks.create_from_data(spec, args.resources, resource_type=kind, data_params=params,
                                                 annotation_path=args.annotation_path or "",
                                                 annotation_format=args.annotation_format,
                                                 status_check_period=args.completion_verification_period,
                                                 pbar=TqdmProgressReporter())
            print(task.id)

        return run_with_client(args, action)


@command("task", "delete")
class TaskDelete:
    name = "delete"
    help = "delete tasks (exit status 1 if one does not exist)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("ids", metavar="ID", type=int, nargs="+", help="task ids")

    def run(self, args: argparse.Namespace) -> int:
        return run_with_client(args, lambda client: delete_ids(client.tasks, "task", args.ids))


@command("task", "frames")
class TaskFrames:
    name = "frames"
    help = "download frames as task_<ID>_frame_<N>.<ext> files"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("task_id", metavar="TASK_ID", type=int)
        parser.add_argument("frame_ids", metavar="FRAME", type=int, nargs="+", help="frame numbers")
        parser.add_argument("--outdir", type=Path, default=Path("."), help="directory for the files (default: .)")
        parser.add_argument("--quality", choices=["original", "compressed"], default="original",
                            help="original bytes or the compressed JPEG (default: original)")

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> None:
            task = retrieve(client.tasks, "task", args.task_id)
            bad = [f for f in args.frame_ids if not 0 <= f < task.size]
            if bad:
                raise ValueError(f"task {task.id} has frames 0..{task.size - 1}; there is no frame {bad[0]}")
            paths = task.download_frames(args.frame_ids, outdir=args.outdir, quality=args.quality,
                                         filename_pattern=f"task_{task.id}_frame_{{frame_id:06d}}{{frame_ext}}",
                                         pbar=TqdmProgressReporter())
            for path in paths:
                print(path)

        return run_with_client(args, action)
