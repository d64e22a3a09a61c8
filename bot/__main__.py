"""Entry point: ``python -m bot <command>``; ``python -m bot <command> --help`` explains each.

With bot/wiring.py, the only module in bot/ that imports a chat platform: the commands that talk
to people (the console, the clock, the digest, the Slack and Teams servers, the tables printed
with the text renderer) are registered here; the rest live in bot/cli.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.error import URLError

from slack_sdk.errors import SlackClientError
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

from bot import app, cli, wiring
from bot.commandline import Subparsers, arg, command
from bot.config import ConfigError, Settings
from bot.errors import UsageError, UserError
from bot.wiring import CHAT_TIMEOUT
from handlers.slack import cli as slack_cli
from handlers.teams import cli as teams_cli
from handlers.text import RAG_WORDS, STATUS_WORDS, render, table
from storage.db import SchemaOutOfDate
from storage.models import Role

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
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the one boundary: a sentence for people, the traceback only when asked
        if args.debug:
            raise
        print(f"{explain(error)} (Run again with --debug to see the details.)", file=sys.stderr)
        return 1


def explain(error: Exception) -> str:
    """One plain sentence for an expected failure: what went wrong and how to put it right."""
    if isinstance(error, ArgumentError | NoSuchModuleError):
        return (
            "DATABASE_URL is not a database address this bot can use: set it to e.g. sqlite:///actions.db or "
            "postgresql+psycopg://USER:PASSWORD@HOST:5432/DBNAME."
        )
    if isinstance(error, OperationalError | InterfaceError):
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0] if str(error).strip() else "no answer"
        return f"The database did not answer ({reason}): check DATABASE_URL and that the database is running."
    if isinstance(error, PermissionError | FileNotFoundError | NotADirectoryError | IsADirectoryError):
        where = error.filename or "the output folder"
        return f"Cannot write {where} ({error.strerror}): choose a folder that exists and that you can write to."
    if isinstance(error, SlackClientError | URLError | ConnectionError | TimeoutError):
        return f"Slack could not be reached ({error}): check the network, SLACK_API_URL and the tokens."
    return f"Something went wrong: {type(error).__name__}: {error}."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Case-review action tracker: keeps safeguarding action plans moving.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full error (a traceback) when a command fails")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    for register in REGISTRY:
        register(commands)
    return parser


# ---------------------------------------------------------------------- list / people / reviews


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot import commands

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
    command(commands, "list", run_list, "print actions as a table",
            "Print actions (ref, agency, owner, due, RAG, status) with the filters of /action list, e.g. "
            "python -m bot list review:CC agency:police overdue due:14d",
            arg("filters", nargs="*",
                help="review:CODE agency:NAME owner:EMAIL status:STATUS overdue due:DATE"))  # fmt: skip


def run_people(args: argparse.Namespace, settings: Settings) -> int:
    from bot import people

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
    parser = command(commands, "people", run_people, "list, add and change people and their roles",
                     "People are matched to chat users by e-mail. Roles: coordinator (loads plans, runs the "
                     "sub-group), chair (queries, approves extensions, signs off), agency_lead (owns actions), "
                     "member (reads).")  # fmt: skip
    parser.set_defaults(people_action="list")
    actions = parser.add_subparsers(dest="people_action", metavar="ACTION")
    actions.add_parser("list", help="everyone the bot knows")
    roles = [role.value for role in Role]
    add = actions.add_parser("add", help="add a person")
    for flags, options in (
        arg("email"), arg("name"), arg("--role", choices=roles, default=Role.AGENCY_LEAD.value),
        arg("--agency", help="agency code or name"),
        arg("--slack", help="Slack user id (found automatically by e-mail when omitted)"),
    ):  # fmt: skip
        add.add_argument(*flags, **options)
    change = actions.add_parser("set", help="change a person's name, role, agency or Slack id")
    for flags, options in (arg("email"), arg("--name"), arg("--role", choices=roles), arg("--agency"), arg("--slack")):
        change.add_argument(*flags, **options)


# ---------------------------------------------------------------------- console


def run_console(args: argparse.Namespace, settings: Settings) -> int:
    if args.demo:
        with tempfile.TemporaryDirectory(prefix="action-bot-demo-") as folder:
            demo_settings = cli.with_database(settings, f"sqlite:///{Path(folder) / 'demo.db'}")
            return wiring.run_console(demo_settings, args.as_email, demo=True)
    return wiring.run_console(settings, args.as_email, demo=False)


def register_console(commands: Subparsers) -> None:
    command(commands, "console", run_console, "chat with the bot in the terminal",
            "A terminal chat: type /action lines as a person and read the replies; /as EMAIL switches person. "
            "--demo runs on a throwaway database loaded with the demo plans. Piped input is read line by line.",
            arg("--as", dest="as_email", metavar="EMAIL", help="act as this person"),
            arg("--demo", action="store_true", help="use a throwaway database with the demo data"))  # fmt: skip


# ---------------------------------------------------------------------- the clock and the digest


def run_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from bot import scheduler

    logging.getLogger().setLevel(logging.INFO)
    scheduler.run(wiring.scheduled_jobs(settings, timeout=args.timeout), settings)  # until SIGTERM: then in order
    return 0


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    if args.send:
        if not settings.digest_channel:
            raise ConfigError("DIGEST_CHANNEL must be set to the sub-group channel to send the digest.")
        jobs = wiring.scheduled_jobs(settings, timeout=args.timeout)
        print(jobs.send_digest_now())
        return 0 if jobs.digest_sent_this_week() else 1
    jobs = wiring.scheduled_jobs(settings, send=False)  # printing sends nothing and records nothing
    print("\n\n".join(render(part) for part in jobs.preview_digest()))
    return 0


def run_sweep(args: argparse.Namespace, settings: Settings) -> int:
    jobs = wiring.scheduled_jobs(settings, send=False) if args.dry_run else wiring.scheduled_jobs(settings)
    if not jobs.working_day():
        print(f"{jobs.local_now():%a %d %b %Y} is not a working day: the clock sends no reminders today.")
        return 0
    if args.dry_run:
        planned = jobs.plan_sweep()
        for message in planned:
            print(f"→ DM to {message.name} <{message.email}>\n{render(message.view)}\n")
        print(f"A sweep now would send {len(planned)} message{'s' if len(planned) != 1 else ''}; nothing was sent.")
        return 0
    summary = jobs.retry()
    jobs.sweep(summary)
    print(f"Sent {summary.sent}, failed {summary.failed} (retried later), uncertain {summary.uncertain}.")
    return 1 if summary.failed and not summary.sent else 0


def register_clock(commands: Subparsers) -> None:
    timeout = arg("--timeout", type=float, default=CHAT_TIMEOUT, help="seconds per chat platform call")
    command(commands, "scheduler", run_scheduler, "the clock process: nudges, escalations and the digest",
            "Run the scheduled jobs: the working-day nudge sweep (SWEEP_AT), escalations, the weekly digest "
            "(DIGEST_SCHEDULE) and retries of failed sends, at local time in BOT_TIMEZONE. Run exactly one; a "
            "second one sends nothing twice but is not needed. On start it catches up on anything missed while "
            "it was down.", timeout)  # fmt: skip
    command(commands, "sweep", run_sweep, "run today's nudge sweep once, or show what it would send",
            "Run one working-day sweep (nudges, escalations, impact checks, retries) through the ledger, exactly "
            "as the clock would: a reminder already sent is never sent again, so running it twice sends nothing "
            "more. --dry-run prints to whom, which actions and why, and sends and records nothing. For boards "
            "that run the sweep from cron, and for checking a new install.",
            arg("--dry-run", action="store_true", help="show what would be sent; send and record nothing"),
            timeout)  # fmt: skip
    digest = command(commands, "digest", run_digest, "show the weekly digest, or post it now",
                     "--print shows the digest as it would go out now (nothing is sent or recorded); --send posts "
                     "this week's digest to DIGEST_CHANNEL now if it has not gone yet (the scheduled run then finds "
                     "it sent).", timeout)  # fmt: skip
    mode = digest.add_mutually_exclusive_group()
    mode.add_argument("--print", action="store_true", default=True, help="show it here (the default)")
    mode.add_argument("--send", action="store_true", help="post it to the sub-group channel now")


REGISTRY: list[Callable[[Subparsers], None]] = [
    register_console,
    cli.register_demo,
    cli.register_db,
    cli.register_import,
    cli.register_export,
    register_list,
    register_people,
    cli.register_protect,
    cli.register_reporting,
    slack_cli.register,
    register_clock,
    teams_cli.register,
]


if __name__ == "__main__":
    sys.exit(main())
