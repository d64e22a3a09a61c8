"""The command line's subcommands: each registers its parser and runs against the wired bot."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot import app
from bot.commandline import Subparsers, arg, command
from bot.config import Settings
from storage import db as storage_db
from storage.models import ReviewKind


def with_database(settings: Settings, url: str) -> Settings:
    return replace(settings, database_url=url)


# ---------------------------------------------------------------------- db


def run_db(args: argparse.Namespace, settings: Settings) -> int:
    engine = storage_db.make_engine(settings.database_url)
    if args.action == "upgrade":
        from bot.progress import steps

        with steps("Database upgrade", storage_db.pending_migrations(engine)) as step:
            storage_db.upgrade(engine, applied=step.done)
    print(f"Schema at revision {storage_db.current_revision(engine)} (head is {storage_db.head_revision()}).")
    return 0


def register_db(commands: Subparsers) -> None:
    command(commands, "db", run_db, "create or upgrade the database schema",
            "Schema migrations (Alembic). 'upgrade' brings DATABASE_URL's schema to the latest revision; "
            "'current' shows where it is. The bot refuses to run until the schema is current.",
            arg("action", choices=["upgrade", "current"]))  # fmt: skip


# ---------------------------------------------------------------------- import / export / demo


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plans import import_plan
    from bot.progress import steps

    bot = app.build(settings)
    with steps("Import", 1) as step:
        step(f"checking {Path(args.file).name}" + (" (dry run)" if args.dry_run else ""))
        report = import_plan(
            bot.sessions,
            Path(args.file),
            now=bot.clock.now(),
            review=args.review,
            title=args.title,
            kind=ReviewKind(args.kind) if args.kind else None,
            dry_run=args.dry_run,
            sheet=args.sheet,
        )
    print(report.render(full=args.full))
    return 0


def register_import(commands: Subparsers) -> None:
    command(commands, "import", run_import, "load an action plan from CSV or XLSX",
            "Import an action plan spreadsheet (see templates/). Re-importing updates actions in place by ref. "
            "A sheet with any bad row is refused whole, with every problem listed, and nothing is written.",
            arg("file", help="a .csv or .xlsx file"),
            arg("--review", help="review code for sheets without a Review column, e.g. CC"),
            arg("--title", help="create or retitle that review, e.g. 'SCR Child C'"),
            arg("--kind", choices=[kind.value for kind in ReviewKind], help="the review's kind"),
            arg("--dry-run", action="store_true", help="show what would be added and changed; write nothing"),
            arg("--sheet", help="read only this sheet of a workbook (default: every sheet holding actions)"),
            arg("--full", action="store_true", help="list everything in full, however long"))  # fmt: skip


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.progress import steps

    bot = app.build(settings)
    if args.updates:
        from bot.plans import export_updates

        with steps("Export", 1) as step:
            step(f"writing {args.file}")
            count = export_updates(bot.sessions, Path(args.file), timezone=settings.timezone)
        print(f"Wrote {count} updates to {args.file}.")
        return 0
    from bot.plans import export_plan

    with steps("Export", 1) as step:
        step(f"writing {args.file}")
        count = export_plan(bot.sessions, Path(args.file), reviews=args.review or None)
    print(f"Wrote {count} actions to {args.file}.")
    return 0


def register_export(commands: Subparsers) -> None:
    command(commands, "export", run_export, "write actions to CSV or XLSX in the template",
            "Export actions in the import template (.csv or .xlsx by the file's extension); "
            "importing the export gives back the same data. --updates writes the whole change log instead.",
            arg("file", help="a .csv or .xlsx file to write"),
            arg("--review", action="append", help="only this review (repeatable)"),
            arg("--updates", action="store_true", help="write every recorded change (CSV)"))  # fmt: skip


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import load_demo
    from bot.progress import steps

    engine = storage_db.make_engine(settings.database_url)
    with steps("Demo", 2) as step:
        step("creating the schema")
        storage_db.upgrade(engine)
        bot = app.build(settings)
        step("loading the demo plans")
        summary = load_demo(bot.sessions, today=bot.actions.today(), now=bot.clock.now())
    print(summary.render())
    return 0


def register_demo(commands: Subparsers) -> None:
    command(commands, "demo", run_demo, "load the demo plans (safe to repeat)",
            "Load two fictional-but-realistic case reviews (SCR Child C, Baby M) and an external review, "
            "with people and due dates placed around today. Loading twice changes nothing.")  # fmt: skip


def run_protect(args: argparse.Namespace, settings: Settings) -> int:
    from bot.people import protect_name

    bot = app.build(settings)
    count = protect_name(bot.sessions, args.review, args.name)
    print(f"Registered. Review {args.review.upper()} has {count} protected name(s); they are never shown in chat.")
    return 0


def register_protect(commands: Subparsers) -> None:
    command(commands, "protect", run_protect, "register a real name behind a review's pseudonym",
            "Chat text (notes, evidence, reasons) that contains a protected name is refused and not stored. "
            "Names are matched whole-word, ignoring case, and are never shown.",
            arg("review", help="review code, e.g. CC"),
            arg("name", help="the name, in quotes, e.g. 'Jane Doe'"))  # fmt: skip


def register_reporting(commands: Subparsers) -> None:
    from bot.reporting.cli import register

    register(commands)


REGISTRY: list[Callable[[Subparsers], None]] = [
    register_demo,
    register_db,
    register_import,
    register_export,
    register_protect,
    register_reporting,
]
