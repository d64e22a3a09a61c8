"""``python -m bot report`` and ``python -m bot pack``: register(commands) adds both subcommands."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

from bot.commandline import Subparsers, arg, command
from bot.config import Settings
from bot.dates import parse_date

REPORT_HELP = (
    "Write the yearly report on the case reviews' action plans, under the three headings Working Together "
    "asks a safeguarding partnership's yearly report to cover: actions taken or planned, evidence of impact, "
    "and areas with little or no progress. Writes report.html (self-contained, charts embedded), report.md "
    "with its chart PNGs beside it (to paste into the annual report) and report.xlsx (the figures). "
    "Figures are as they stood at the end of the period, rebuilt from the record of every change, so a "
    "past period reads the same whenever it is run. Default period: the last complete reporting year, "
    "1 April to 31 March; --from alone covers a year from that date, --to alone the year up to it; a period "
    "not over yet ends today."
)
PACK_HELP = (
    "Write the exceptions-only paper for the next SCR sub-group meeting (pack.md and pack.html): overdue "
    "actions, actions off track, actions re-dated since the last meeting (with how often each has slipped), "
    "actions waiting for sign-off, and extension requests waiting for a decision. --since is the last "
    "meeting's date; without it, six weeks ago."
)
DATES = "a UK or ISO date, e.g. 01/04/2025 or 2025-04-01"


def register(commands: Subparsers) -> None:
    """Add the ``report`` and ``pack`` subcommands to ``python -m bot``."""
    out = arg("--out", default=".", metavar="DIR", help="folder to write into (default: this one)")
    command(commands, "report", run_report, "write the yearly report (HTML, Markdown, XLSX)", REPORT_HELP,
            arg("--from", dest="start", metavar="DATE", help=f"first day of the period: {DATES}"),
            arg("--to", dest="end", metavar="DATE", help=f"last day of the period: {DATES}"),
            arg("--review", action="extend", nargs="+", metavar="CODE",
                help="only these reviews (default: all), e.g. CC BM"), out)  # fmt: skip
    command(commands, "pack", run_pack, "write the sub-group meeting pack (exceptions only)", PACK_HELP,
            arg("--since", metavar="DATE", help=f"the last meeting's date (default: six weeks ago): {DATES}"),
            out)  # fmt: skip


def period_for(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The period the options ask for (see REPORT_HELP), as first and last day."""
    from bot.reporting.figures import reporting_year

    first = parse_date(start, today) if start else None
    last = parse_date(end, today) if end else None
    if first and last:
        return first, last
    if first:
        return first, first + relativedelta(years=1, days=-1)
    if last:
        return last - relativedelta(years=1, days=-1), last
    year = reporting_year(today)
    return year.start, year.end


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot import app
    from bot.progress import steps
    from bot.reporting.figures import Period, long_date
    from bot.reporting.report import make_report, write_report

    with steps("Report", 3) as step:
        step("opening the database")
        bot = app.build(settings)
        today = bot.actions.today()
        period = Period(*period_for(args.start, args.end, today))
        step("rebuilding the figures from the record of changes")
        report = make_report(
            bot.sessions,
            period,
            now=bot.clock.now(),
            timezone=settings.timezone,
            amber_days=settings.amber_days,
            reviews=args.review or (),
        )
        step("drawing the charts and writing the files")
        written = write_report(report, Path(args.out))
    actions = report.total.total
    print(
        f"Report for {long_date(report.period.start)} to {long_date(report.period.end)}: "
        f"{len(report.reviews)} review(s), {actions} action(s)."
    )
    for path in written:
        print(f"Wrote {path}")
    return 0


def run_pack(args: argparse.Namespace, settings: Settings) -> int:
    from bot import app
    from bot.progress import steps
    from bot.reporting.pack import build_pack, pack_document
    from bot.reporting.render import to_html, to_markdown

    folder = Path(args.out)
    with steps("Pack", 2) as step:
        step("opening the database")
        bot = app.build(settings)
        today = bot.actions.today()
        since = parse_date(args.since, today) if args.since else None
        step("finding the exceptions")
        pack = build_pack(bot.sessions, today, since, timezone=settings.timezone)
        doc = pack_document(pack)
        folder.mkdir(parents=True, exist_ok=True)
        pages = (("pack.md", to_markdown(doc)), ("pack.html", to_html(doc)))
        for name, text in pages:
            (folder / name).write_text(text, encoding="utf-8")
    for name, _text in pages:
        print(f"Wrote {folder / name}")
    counts = (
        f"{len(pack.overdue)} overdue, {len(pack.red)} off track, {len(pack.redated)} re-dated, "
        f"{len(pack.awaiting_sign_off)} waiting for sign-off, {len(pack.extension_requests)} extension request(s)"
    )
    print(f"Pack for the meeting of {today:%d/%m/%Y}, changes since {pack.since:%d/%m/%Y}: {counts}.")
    return 0
