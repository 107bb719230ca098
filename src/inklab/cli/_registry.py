"""Commands register here; ``inklab <command>`` and ``inklab <group> <command>`` dispatch to them.

A command is a class with ``name``, ``help``, ``configure(parser)`` and ``run(args) -> int``
(the exit status). Groups (``task``, ``project``, ``function``) hold commands of their own.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Protocol

__all__ = ["Command", "command", "commands"]


class Command(Protocol):
    name: str
    help: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


_COMMANDS: dict[tuple[str, ...], type[Command]] = {}


def command(*path: str) -> Callable[[type[Command]], type[Command]]:
    """Register a command class under ``path`` (e.g. ``("serve",)`` or ``("task", "ls")``)."""

    def register(cls: type[Command]) -> type[Command]:
        if path in _COMMANDS:
            raise ValueError(f"The command 'inklab {' '.join(path)}' is already registered.")
        _COMMANDS[path] = cls
        return cls

    return register


def commands() -> dict[tuple[str, ...], type[Command]]:
    return dict(_COMMANDS)
