"""The ``inklab`` command line: server administration and a client for the API."""

from inklab.cli.__main__ import main

__all__ = ["main"]
