"""Dataset and backup commands of the ``task`` and ``project`` groups.

``inklab task|project export-dataset ID [FILE|DIR/] [--format F] [--with-images BOOL]``
``inklab task import-dataset ID FILE [--format F]`` (annotations into the task),
``inklab project import-dataset ID FILE [--format F]`` (new tasks from an archive),
``inklab task|project backup ID [FILE|DIR/]``, ``inklab task|project create-from-backup FILE``.

Arguments and defaults are cvat-cli's (``--format`` is ``CVAT for images 1.1`` for exports and
``CVAT 1.1`` for imports); a missing output name, or a directory, saves under the server's
file name. Every command prints what it made (a path or an id) on stdout, draws progress bars
on stderr and fails with one ``error: …`` line and exit status 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, ClassVar

from inklab.cli._connection import add_server_options, run_with_client
from inklab.cli._registry import command
from inklab.cli._resources import add_option, retrieve
from inklab.sdk import Client, TqdmProgressReporter

__all__ = [
    "DEFAULT_EXPORT_FORMAT",
    "DEFAULT_IMPORT_FORMAT",
    "ProjectBackup",
    "ProjectCreateFromBackup",
    "ProjectExportDataset",
    "ProjectImportDataset",
    "TaskBackup",
    "TaskCreateFromBackup",
    "TaskExportDataset",
    "TaskImportDataset",
    "to_bool",
]

DEFAULT_EXPORT_FORMAT = "CVAT for images 1.1"
DEFAULT_IMPORT_FORMAT = "CVAT 1.1"
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def to_bool(value: str) -> bool:
    """``--with-images`` and the like: true/false, yes/no, 1/0, on/off."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got '{value}'")


def _format(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--format", dest="format_name", metavar="FORMAT", default=default,
                        help="format name, as in /api/server/annotation/formats (default: %(default)s)")


def _conv_mask_to_poly(parser: argparse.ArgumentParser) -> None:
    add_option(parser, "conv-mask-to-poly", action="store_true", help="turn masks into polygons")


def _period(parser: argparse.ArgumentParser) -> None:
    add_option(parser, "completion-verification-period", type=float, default=1.0, metavar="SECONDS",
               help="seconds between checks while the server works (default 1)")


class _Command:
    """What the commands of both groups share: the resource kind and how to reach it."""

    kind: ClassVar[str] = "task"
    name: ClassVar[str]
    help: ClassVar[str]

    def _repo(self, client: Client) -> Any:
        return client.tasks if self.kind == "task" else client.projects

    def _id_argument(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("id", metavar="ID", type=int, help=f"{self.kind} id")

    def _output_argument(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("filename", metavar="FILE|DIR/", nargs="?", default="",
                            help="output file, or a directory for the server's file name (default: .)")


class _ExportDataset(_Command):
    name = "export-dataset"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        self._id_argument(parser)
        self._output_argument(parser)
        _format(parser, DEFAULT_EXPORT_FORMAT)
        parser.add_argument("--with-images", "--with_images", dest="with_images", type=to_bool, default=False,
                            metavar="BOOL", help="include the images (default: false)")
        _period(parser)

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> None:
            target = retrieve(self._repo(client), self.kind, args.id)
            path = target.export_dataset(args.format_name, args.filename, include_images=args.with_images,
                                         pbar=TqdmProgressReporter(), location="local",
                                         status_check_period=args.completion_verification_period)
            print(path)

        return run_with_client(args, action)


class _Backup(_Command):
    name = "backup"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        self._id_argument(parser)
        self._output_argument(parser)
        _period(parser)

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> None:
            target = retrieve(self._repo(client), self.kind, args.id)
            print(target.download_backup(args.filename, pbar=TqdmProgressReporter(), location="local",
                                         status_check_period=args.completion_verification_period))

        return run_with_client(args, action)


class _CreateFromBackup(_Command):
    name = "create-from-backup"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        parser.add_argument("filename", metavar="FILE", type=Path, help="a backup zip")
        _period(parser)

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> None:
            restored = self._repo(client).create_from_backup(
                args.filename, pbar=TqdmProgressReporter(), status_check_period=args.completion_verification_period)
            print(restored.id)

        return run_with_client(args, action)


@command("task", "export-dataset")
class TaskExportDataset(_ExportDataset):
    kind = "task"
    help = "export a task's annotations (and images) in a dataset format and download the archive"


@command("project", "export-dataset")
class ProjectExportDataset(_ExportDataset):
    kind = "project"
    help = "export a project's tasks in a dataset format and download the archive"


@command("task", "import-dataset")
class TaskImportDataset(_Command):
    kind = "task"
    name = "import-dataset"
    help = "import annotations into a task from a file in a dataset format"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        self._id_argument(parser)
        parser.add_argument("filename", metavar="FILE", type=Path, help="annotation file or dataset archive")
        _format(parser, DEFAULT_IMPORT_FORMAT)
        add_option(parser, "import-mode", choices=["replace", "append"], default=None,
                   help="replace the annotations (the server's default) or add to them")
        _conv_mask_to_poly(parser)
        _period(parser)

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> None:
            task = retrieve(client.tasks, "task", args.id)
            task.import_annotations(args.format_name, args.filename, import_mode=args.import_mode,
                                    conv_mask_to_poly=args.conv_mask_to_poly or None, pbar=TqdmProgressReporter(),
                                    status_check_period=args.completion_verification_period)
            print(f"imported {args.filename.name} into task {task.id}")

        return run_with_client(args, action)


@command("project", "import-dataset")
class ProjectImportDataset(_Command):
    kind = "project"
    name = "import-dataset"
    help = "import a dataset archive (images and annotations) into a project as new tasks"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_server_options(parser)
        self._id_argument(parser)
        parser.add_argument("filename", metavar="FILE", type=Path, help="dataset archive")
        _format(parser, DEFAULT_IMPORT_FORMAT)
        _conv_mask_to_poly(parser)
        _period(parser)

    def run(self, args: argparse.Namespace) -> int:
        def action(client: Client) -> None:
            project = retrieve(client.projects, "project", args.id)
            project.import_dataset(args.format_name, args.filename, conv_mask_to_poly=args.conv_mask_to_poly or None,
                                   pbar=TqdmProgressReporter(),
                                   status_check_period=args.completion_verification_period)
            print(f"imported {args.filename.name} into project {project.id}")

        return run_with_client(args, action)


@command("task", "backup")
class TaskBackup(_Backup):
    kind = "task"
    help = "download a backup of a task (data, labels, jobs, annotations)"


@command("project", "backup")
class ProjectBackup(_Backup):
    kind = "project"
    help = "download a backup of a project with its tasks"


@command("task", "create-from-backup")
class TaskCreateFromBackup(_CreateFromBackup):
    kind = "task"
    help = "restore a task from a backup and print its id"


@command("project", "create-from-backup")
class ProjectCreateFromBackup(_CreateFromBackup):
    kind = "project"
    help = "restore a project from a backup and print its id"
