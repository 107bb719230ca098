"""``inklab project ls|create|delete``.

The dataset and backup commands of the group (``export-dataset``, ``import-dataset``,
``backup``, ``create-from-backup``) are in :mod:`inklab.cli.datasets`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from inklab.cli._connection import add_server_options, run_with_client
from inklab.cli._registry import command
from inklab.cli._resources import add_option, delete_ids, labels_argument, print_table
from inklab.cli.datasets import DEFAULT_IMPORT_FORMAT
from inklab.sdk import Client, TqdmProgressReporter

__all__ = ["ProjectCreate", "ProjectDelete", "ProjectList"]


@command("project", "ls")
class ProjectList:
    name = "ls"
    help = "list projects"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("--json", action="store_true", help="print the projects as JSON")

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> None:
            if args.json:
                print(json.dumps(json.loads(client.projects.list(return_json=True)), indent=2))
                return
            print_table(["ID", "NAME", "TASKS", "STATUS"],
                        [[p.id, p.name, p.tasks.count if p.tasks else "", p.status] for p in client.projects.list()])

        return run_with_client(args, action)


@command("project", "create")
class ProjectCreate:
    name = "create"
    help = "create a project and print its id"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("project_name", metavar="NAME")
        parser.add_argument("--labels", type=labels_argument, default=[], help="labels as JSON, or a JSON file")
        parser.add_argument("--bug-tracker", "--bug_tracker", dest="bug_tracker", default=None, help="bug tracker URL")
        add_option(parser, "dataset-path", type=Path, default=None,
                   help="import this dataset archive into the new project (its tasks are made from it)")
        add_option(parser, "dataset-format", default=DEFAULT_IMPORT_FORMAT,
                   help="format of --dataset-path (default: %(default)s)")
        add_option(parser, "completion-verification-period", type=float, default=1.0, metavar="SECONDS",
                   help="seconds between checks while the server imports the dataset (default 1)")

    def run(self, args: argparse.Namespace) -> int:
        spec: dict[str, Any] = {"name": args.project_name, "labels": args.labels}
        if args.bug_tracker:
            spec["bug_tracker"] = args.bug_tracker

        def action(client: Client) -> None:
            project = client.projects.create_from_dataset(
                spec, dataset_path=args.dataset_path or "", dataset_format=args.dataset_format,
                pbar=TqdmProgressReporter(), status_check_period=args.completion_verification_period)
            print(project.id)

        return run_with_client(args, action)


@command("project", "delete")
class ProjectDelete:
    name = "delete"
    help = "delete projects with their tasks (exit status 1 if one does not exist)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("ids", metavar="ID", type=int, nargs="+", help="project ids")

    def run(self, args: argparse.Namespace) -> int:
        return run_with_client(args, lambda client: delete_ids(client.projects, "project", args.ids))
