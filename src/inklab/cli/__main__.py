"""``inklab``: the command-line entry point."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from inklab import __version__
from inklab.cli import auto_annotate, datasets, function, project, server, task  # noqa: F401 - modules that register commands
from inklab.cli._registry import commands

__all__ = ["build_parser", "main"]

_GROUP_HELP = {
    "task": "work with tasks on a server",
    "project": "work with projects on a server",
    "function": "auto-annotation functions and agents",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="inklab", description="inklab: visual annotation platform")
    parser.add_argument("--version", action="version", version=f"inklab {__version__}")
    top = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    groups: dict[str, argparse._SubParsersAction] = {}
    for path, cls in sorted(commands().items()):
        instance = cls()
        if len(path) == 1:
            sub = top.add_parser(path[0], help=instance.help, description=instance.help)
        else:
            group = groups.get(path[0])
            if group is None:
                group_parser = top.add_parser(path[0], help=_GROUP_HELP.get(path[0], ""))
                group = group_parser.add_subparsers(dest="subcommand", metavar="COMMAND", required=True)
                groups[path[0]] = group
            sub = group.add_parser(path[1], help=instance.help, description=instance.help)
        instance.configure(sub)
        sub.set_defaults(_command=instance)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args._command.run(args)


if __name__ == "__main__":
    sys.exit(main())
