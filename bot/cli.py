"""The command line's subcommands: each registers its parser and runs against the wired bot."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot import app
from bot.clock import FrozenClock, SystemClock
from bot.config import ConfigError, Settings
from bot.errors import UsageError
from bot.ports import Messenger, NoMessenger
from storage import db as storage_db
from storage.models import ReviewKind, Role

Subparsers = Any  # argparse's _SubParsersAction is private


def with_database(settings: Settings, url: str) -> Settings:
    return replace(settings, database_url=url)


# ---------------------------------------------------------------------- db


def run_db(args: argparse.Namespace, settings: Settings) -> int:
    engine = storage_db.make_engine(settings.database_url)
    if args.action == "upgrade":
        storage_db.upgrade(engine)
    print(f"Schema at revision {storage_db.current_revision(engine)} (head is {storage_db.head_revision()}).")
    return 0


def register_db(commands: Subparsers) -> None:
    parser = commands.add_parser("db", help="create or upgrade the database schema", description=(
        "Schema migrations (Alembic). 'upgrade' brings DATABASE_URL's schema to the latest revision; "
        "'current' shows where it is. The bot refuses to run until the schema is current."
    ))  # fmt: skip
    parser.add_argument("action", choices=["upgrade", "current"])
    parser.set_defaults(run=run_db)


# ---------------------------------------------------------------------- import / export / demo


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plans import import_plan

    bot = app.build(settings)
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
    parser = commands.add_parser("import", help="load an action plan from CSV or XLSX", description=(
        "Import an action plan spreadsheet (see templates/). Re-importing updates actions in place by ref. "
        "A sheet with any bad row is refused whole, with every problem listed, and nothing is written."
    ))  # fmt: skip
    parser.add_argument("file", help="a .csv or .xlsx file")
    parser.add_argument("--review", help="review code for sheets without a Review column, e.g. CC")
    parser.add_argument("--title", help="create or retitle that review, e.g. 'SCR Child C'")
    parser.add_argument("--kind", choices=[kind.value for kind in ReviewKind], help="the review's kind")
    parser.add_argument("--dry-run", action="store_true", help="show what would be added and changed; write nothing")
    parser.add_argument("--sheet", help="read only this sheet of a workbook (default: every sheet holding actions)")
    parser.add_argument("--full", action="store_true", help="list everything in full, however long")
    parser.set_defaults(run=run_import)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    bot = app.build(settings)
    if args.updates:
        from bot.plans import export_updates

        count = export_updates(bot.sessions, Path(args.file), timezone=settings.timezone)
        print(f"Wrote {count} updates to {args.file}.")
        return 0
    from bot.plans import export_plan

    count = export_plan(bot.sessions, Path(args.file), reviews=args.review or None)
    print(f"Wrote {count} actions to {args.file}.")
    return 0


def register_export(commands: Subparsers) -> None:
    parser = commands.add_parser("export", help="write actions to CSV or XLSX in the template", description=(
        "Export actions in the import template (.csv or .xlsx by the file's extension); "
        "importing the export gives back the same data. --updates writes the whole change log instead."
    ))  # fmt: skip
    parser.add_argument("file", help="a .csv or .xlsx file to write")
    parser.add_argument("--review", action="append", help="only this review (repeatable)")
    parser.add_argument("--updates", action="store_true", help="write every recorded change (CSV)")
    parser.set_defaults(run=run_export)


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import load_demo

    engine = storage_db.make_engine(settings.database_url)
    storage_db.upgrade(engine)
    bot = app.build(settings)
    summary = load_demo(bot.sessions, today=bot.actions.today(), now=bot.clock.now())
    print(summary.render())
    return 0


def register_demo(commands: Subparsers) -> None:
    parser = commands.add_parser("demo", help="load the demo plans (safe to repeat)", description=(
        "Load two fictional-but-realistic case reviews (SCR Child C, Baby M) and an external review, "
        "with people and due dates placed around today. Loading twice changes nothing."
    ))  # fmt: skip
    parser.set_defaults(run=run_demo)


# ---------------------------------------------------------------------- list / people / reviews


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot import commands
    from handlers.text import RAG_WORDS, STATUS_WORDS, table

    bot = app.build(settings)
    parsed = commands.parse("list " + " ".join(args.filters), bot.actions.today())
    if isinstance(parsed, UsageError) or not isinstance(parsed, commands.ListActions):
        raise parsed if isinstance(parsed, UsageError) else UsageError("Only list filters are allowed here.")
    views = bot.actions.list_actions(parsed)
    rows = [
        [
            v.ref,
            v.agency,
            v.owner or "—",
            v.due.strftime("%d/%m/%Y") if v.due else "needs a date",
            RAG_WORDS[v.rag],
            STATUS_WORDS[v.status],
        ]
        for v in views
    ]
    print(table(rows, ["ref", "agency", "owner", "due", "RAG", "status"]) if rows else "No actions match.")
    return 0


def register_list(commands: Subparsers) -> None:
    parser = commands.add_parser("list", help="print actions as a table", description=(
        "Print actions (ref, agency, owner, due, RAG, status) with the filters of /action list, e.g. "
        "python -m bot list review:CC agency:police overdue due:14d"
    ))  # fmt: skip
    parser.add_argument("filters", nargs="*", help="review:CODE agency:NAME owner:EMAIL status:STATUS overdue due:DATE")
    parser.set_defaults(run=run_list)


def run_people(args: argparse.Namespace, settings: Settings) -> int:
    from bot import people
    from handlers.text import table

    bot = app.build(settings)
    if args.people_action == "add":
        people.add_person(bot.sessions, args.email, args.name, Role(args.role), args.agency, args.slack)
        print(f"Added {args.name} <{args.email.lower()}> as {args.role}.")
    elif args.people_action == "set":
        row = people.change_person(
            bot.sessions, args.email, name=args.name, role=Role(args.role) if args.role else None,
            agency=args.agency, slack_user_id=args.slack,
        )  # fmt: skip
        print(f"{row.name} <{row.email}> is now {row.role.value}" + (f" at {row.agency}." if row.agency else "."))
    else:
        rows = [
            [p.name, p.email, p.role.value, p.agency or "—", p.slack_user_id or "—", p.unreachable or ""]
            for p in people.list_people(bot.sessions)
        ]
        print(table(rows, ["name", "email", "role", "agency", "slack", "unreachable"]) if rows else "Nobody yet.")
        leads = [[lead.name, lead.agency, ", ".join(lead.refs)] for lead in people.list_named_leads(bot.sessions)]
        if leads:
            print('\nNamed leads who cannot be nudged until an address is known (person add EMAIL "Name"):')
            print(table(leads, ["name", "agency", "actions"]))
    return 0


def register_people(commands: Subparsers) -> None:
    parser = commands.add_parser("people", help="list, add and change people and their roles", description=(
        "People are matched to chat users by e-mail. Roles: coordinator (loads plans, runs the sub-group), "
        "chair (queries, approves extensions, signs off), agency_lead (owns actions), member (reads)."
    ))  # fmt: skip
    parser.set_defaults(run=run_people, people_action="list")
    actions = parser.add_subparsers(dest="people_action", metavar="ACTION")
    actions.add_parser("list", help="everyone the bot knows")
    roles = [role.value for role in Role]
    add = actions.add_parser("add", help="add a person")
    add.add_argument("email")
    add.add_argument("name")
    add.add_argument("--role", choices=roles, default=Role.AGENCY_LEAD.value)
    add.add_argument("--agency", help="agency code or name")
    add.add_argument("--slack", help="Slack user id (found automatically by e-mail when omitted)")
    change = actions.add_parser("set", help="change a person's name, role, agency or Slack id")
    change.add_argument("email")
    change.add_argument("--name")
    change.add_argument("--role", choices=roles)
    change.add_argument("--agency")
    change.add_argument("--slack")


def run_protect(args: argparse.Namespace, settings: Settings) -> int:
    from bot.people import protect_name

    bot = app.build(settings)
    count = protect_name(bot.sessions, args.review, args.name)
    print(f"Registered. Review {args.review.upper()} has {count} protected name(s); they are never shown in chat.")
    return 0


def register_protect(commands: Subparsers) -> None:
    parser = commands.add_parser("protect", help="register a real name behind a review's pseudonym", description=(
        "Chat text (notes, evidence, reasons) that contains a protected name is refused and not stored. "
        "Names are matched whole-word, ignoring case, and are never shown."
    ))  # fmt: skip
    parser.add_argument("review", help="review code, e.g. CC")
    parser.add_argument("name", help="the name, in quotes, e.g. 'Jane Doe'")
    parser.set_defaults(run=run_protect)


# ---------------------------------------------------------------------- console


def console(args: argparse.Namespace, settings: Settings, *, demo: bool) -> int:
    from bot.jobs import Jobs
    from handlers.console import Console, ConsoleMessenger, tick

    clock = FrozenClock(SystemClock().now()) if demo else SystemClock()
    if demo:
        from bot.demo import load_demo

        storage_db.upgrade(storage_db.make_engine(settings.database_url))
        settings = replace(settings, digest_channel=settings.digest_channel or "safeguarding-scr-subgroup")
    bot = app.build(settings, clock)
    email = args.as_email
    if demo:
        summary = load_demo(bot.sessions, today=bot.actions.today(), now=clock.now())
        email = email or summary.first_email
        print(summary.render())
    shell = Console(bot.actions, email)
    jobs = Jobs(bot.sessions, clock, settings, bot.actions, ConsoleMessenger(shell), pause=lambda _: None)
    bot.actions.digests = jobs
    if isinstance(clock, FrozenClock):
        demo_clock = clock
        shell.extra["/tick"] = lambda words: tick(demo_clock, jobs, words)
    shell.run(sys.stdin)
    return 0


def run_console(args: argparse.Namespace, settings: Settings) -> int:
    if args.demo:
        with tempfile.TemporaryDirectory(prefix="action-bot-demo-") as folder:
            return console(args, with_database(settings, f"sqlite:///{Path(folder) / 'demo.db'}"), demo=True)
    return console(args, settings, demo=False)


def register_console(commands: Subparsers) -> None:
    parser = commands.add_parser("console", help="chat with the bot in the terminal", description=(
        "A terminal chat: type /action lines as a person and read the replies; /as EMAIL switches person. "
        "--demo runs on a throwaway database loaded with the demo plans. Piped input is read line by line."
    ))  # fmt: skip
    parser.add_argument("--as", dest="as_email", metavar="EMAIL", help="act as this person")
    parser.add_argument("--demo", action="store_true", help="use a throwaway database with the demo data")
    parser.set_defaults(run=run_console)


# ---------------------------------------------------------------------- the clock and the digest


CHAT_TIMEOUT = 10.0  # seconds per call to a chat platform's API


def chat_messenger(bot: app.Bot, *, slack: Messenger | None = None, timeout: float = CHAT_TIMEOUT) -> Messenger:
    """The chat port for scheduled messages: Slack, Teams, or both (each person on the platform that reaches them)."""
    from bot.routing import messenger_for

    if slack is None and bot.settings.slack_bot_token:
        from handlers.slack.cli import slack_messenger

        slack = slack_messenger(bot, timeout)
    teams = None
    if bot.settings.teams_app_id:
        from handlers.teams.app import teams_messenger

        teams = teams_messenger(bot, timeout=timeout)
    try:
        return messenger_for(slack=slack, teams=teams)
    except ValueError as error:
        raise ConfigError(f"{error} (see docs/slack.md or docs/teams.md).") from None


def run_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from bot import scheduler

    logging.getLogger().setLevel(logging.INFO)
    bot = app.build(settings)
    jobs = app.attach_jobs(bot, chat_messenger(bot, timeout=args.timeout))
    scheduler.start(jobs, settings, background=False)  # blocks until the process is stopped
    return 0


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.text import render

    bot = app.build(settings)
    if args.send:
        if not settings.digest_channel:
            raise ConfigError("DIGEST_CHANNEL must be set to the sub-group channel to send the digest.")
        print(app.attach_jobs(bot, chat_messenger(bot, timeout=args.timeout)).send_digest_now())
        return 0
    jobs = app.attach_jobs(bot, NoMessenger())  # printing sends nothing and records nothing
    print("\n\n".join(render(part) for part in jobs.preview_digest()))
    return 0


def register_clock(commands: Subparsers) -> None:
    clock = commands.add_parser("scheduler", help="the clock process: nudges, escalations and the digest", description=(
        "Run the scheduled jobs: the working-day nudge sweep (SWEEP_AT), escalations, the weekly digest "
        "(DIGEST_SCHEDULE) and retries of failed sends, at local time in BOT_TIMEZONE. Run exactly one; a second "
        "one sends nothing twice but is not needed. On start it catches up on anything missed while it was down."
    ))  # fmt: skip
    clock.add_argument("--timeout", type=float, default=CHAT_TIMEOUT, help="seconds per chat platform call")
    clock.set_defaults(run=run_scheduler)
    digest = commands.add_parser("digest", help="show the weekly digest, or post it now", description=(
        "--print shows the digest as it would go out now (nothing is sent or recorded); --send posts this "
        "week's digest to DIGEST_CHANNEL now if it has not gone yet (the scheduled run then finds it sent)."
    ))  # fmt: skip
    mode = digest.add_mutually_exclusive_group()
    mode.add_argument("--print", action="store_true", default=True, help="show it here (the default)")
    mode.add_argument("--send", action="store_true", help="post it to the sub-group channel now")
    digest.add_argument("--timeout", type=float, default=CHAT_TIMEOUT, help="seconds per chat platform call")
    digest.set_defaults(run=run_digest)


def _slack(commands: Subparsers) -> None:
    from handlers.slack.cli import register

    register(commands)


def _teams(commands: Subparsers) -> None:
    from handlers.teams.cli import register

    register(commands)


def _reporting(commands: Subparsers) -> None:
    from bot.reporting.cli import register

    register(commands)


REGISTRY: list[Callable[[Subparsers], None]] = [
    register_console,
    register_demo,
    register_db,
    register_import,
    register_export,
    register_list,
    register_people,
    register_protect,
    _reporting,
    _slack,
    register_clock,
    _teams,
]
