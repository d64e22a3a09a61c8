"""Sub-commands declared in a few lines: ``command(commands, name, run, help, description, arg(...), ...)``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Subparsers = Any  # argparse's _SubParsersAction is private
Argument = tuple[tuple[str, ...], dict[str, Any]]


def arg(*flags: str, **options: Any) -> Argument:
    """One argument of a sub-command, as ``add_argument`` takes it."""
    return flags, options


def command(
    commands: Subparsers, name: str, run: Callable[..., int], summary: str, description: str, *arguments: Argument
) -> argparse.ArgumentParser:
    """Add one sub-command: its one-line help, its description, what it runs, and its arguments."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=summary, description=description)
    for flags, options in arguments:
        parser.add_argument(*flags, **options)
    parser.set_defaults(run=run)
    return parser


HOST = arg("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
