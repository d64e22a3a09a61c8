"""Entry point: ``python -m bot <command>``; ``python -m bot <command> --help`` explains each."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from bot.config import ConfigError, Settings
from bot.errors import UserError
from storage.db import SchemaOutOfDate

Command = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    # Quiet by default: the console and the CLI print what matters; servers raise this to INFO.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        return int(args.run(args, settings))
    except (ConfigError, SchemaOutOfDate, UserError) as error:
        print(error, file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Case-review action tracker: keeps safeguarding action plans moving.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    from bot import cli

    for register in cli.REGISTRY:
        register(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
