"""The report as a document (headings, sentences, tables, lists, charts), written out as HTML and Markdown.

Both outputs come from one list of blocks, so they always say the same thing. All text from the
database is escaped where it is written out: HTML with html.escape, Markdown by backslash-escaping
its punctuation (a Markdown file pasted into a web page must not carry live HTML). The HTML file is
self-contained (styles inline, charts as data: URIs) and its Content-Security-Policy lets it load
nothing and run nothing, so the file can be e-mailed and opened without reaching the network.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from bot.reporting.figures import (
    ActionLine,
    Counts,
    Report,
    ReviewSection,
    long_date,
    month_label,
)
from storage.models import Rag, Status

MARKING = "OFFICIAL-SENSITIVE: case-review action plans. Children are named only by each review's pseudonym."
STATUS_WORDS = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.COMPLETE: "complete, awaiting sign-off",
    Status.SIGNED_OFF: "signed off",
}
RAG_WORDS = {Rag.GREEN: "on track", Rag.AMBER: "at risk", Rag.RED: "off track", Rag.BLUE: "complete"}
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


# ---------------------------------------------------------------------- the document's blocks


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class Para:
    text: str
    emphasis: bool = False  # a call-out: something the reader must not miss


@dataclass(frozen=True)
class Table:
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None


@dataclass(frozen=True)
class Item:
    title: str  # e.g. the ref
    text: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Items:
    items: tuple[Item, ...]
    empty: str  # said instead of an empty list, so no list is ever silently blank


@dataclass(frozen=True)
class Image:
    name: str  # file name beside the Markdown
    alt: str
    png: bytes


Block = Heading | Para | Table | Items | Image


@dataclass(frozen=True)
class Document:
    title: str
    blocks: tuple[Block, ...]
    images: tuple[Image, ...] = field(default=())


# ---------------------------------------------------------------------- the report as blocks


def document(report: Report) -> Document:
    """The yearly report, organised under Working Together's three headings for local and national reviews."""
    period = report.period.describe()
    title = f"Case reviews: progress on action plans, {period}"
    blocks: list[Block] = [Heading(1, title)]
    codes = ", ".join(f"{section.title} ({section.code})" for section in report.reviews) or "none"
    generated = report.generated_at.astimezone(ZoneInfo(report.timezone)).strftime("%d/%m/%Y %H:%M")
    blocks.append(
        Para(
            f"Reviews: {codes}. Figures are as they stood at the end of {long_date(report.period.end)}, "
            f"rebuilt from the tracker's record of every change. Produced {generated} ({report.timezone})."
        )
    )
    if report.asked_end > report.period.end:
        blocks.append(
            Para(
                f"The period runs to {long_date(report.asked_end)} and has not ended yet: these figures are to "
                f"{long_date(report.period.end)}.",
                emphasis=True,
            )
        )
    blocks += _summary(report)
    blocks += _actions_taken(report)
    blocks += _impact(report)
    blocks += _little_progress(report)
    blocks += _definitions(report)
    images = tuple(block for block in blocks if isinstance(block, Image))
    return Document(title, tuple(blocks), images)


def _summary(report: Report) -> list[Block]:
    rows = [_counts_row(section.counts, f"{section.title} ({section.code})") for section in report.reviews]
    rows.append(_counts_row(report.total, "All reviews"))
    return [
        Heading(2, "Summary", "summary"),
        Table(COUNT_HEADINGS, tuple(rows), caption=f"Each review's action plan at {long_date(report.period.end)}"),
    ]


COUNT_HEADINGS = (
    "",
    "Actions",
    "Completed",
    "Signed off",
    "Awaiting sign-off",
    "Open",
    "Overdue",
    "Completed in period",
    "On time (original date)",
    "On time (agreed date)",
    "Median days late",
    "Extensions asked",
    "Granted",
    "Declined",
    "Waiting",
)


def _counts_row(counts: Counts, label: str) -> tuple[str, ...]:
    return (
        label,
        str(counts.total),
        str(counts.completed),
        str(counts.signed_off),
        str(counts.awaiting_sign_off),
        str(counts.open),
        str(counts.overdue),
        str(counts.completed_in_period),
        _ratio(counts.on_time_original, counts.due_original),
        _ratio(counts.on_time_agreed, counts.due_agreed),
        _number(counts.median_days_late),
        str(counts.extensions_asked),
        str(counts.extensions_granted),
        str(counts.extensions_declined),
        str(counts.extensions_waiting),
    )


def _actions_taken(report: Report) -> list[Block]:
    from bot.reporting import charts  # matplotlib loads only to draw a report: the pack and chat never need it

    blocks: list[Block] = [
        Heading(2, "1. Actions taken or planned to implement each review's recommendations", "actions")
    ]
    if not report.reviews:
        blocks.append(Para("There are no reviews on the tracker yet.", emphasis=True))
    for section in report.reviews:
        blocks += _review(report, section)
    blocks.append(Heading(3, "Across reviews, by agency", "agencies"))
    rows = tuple(_counts_row(counts, counts.label) for counts in report.agencies)
    if rows:
        blocks.append(Table(("Agency", *COUNT_HEADINGS[1:]), rows, caption="Each lead agency's actions, all reviews"))
    else:
        blocks.append(Para("No actions were on these plans by the end of the period."))
    blocks.append(
        Image(
            "report-due-completed.png",
            _flow_alt(report),
            charts.flow_chart("Actions due and completed each month, all reviews", report.flow),
        )
    )
    return blocks


def _review(report: Report, section: ReviewSection) -> list[Block]:
    from bot.reporting import charts

    counts = section.counts
    blocks: list[Block] = [Heading(3, f"{section.title} ({section.code})", f"review-{_slug(section.code)}")]
    blocks.append(Para(_counts_sentence(counts)))
    last = section.rag_by_month[-1] if section.rag_by_month else None
    if section.rag_by_month:
        at_end = (
            f"at {long_date(last.on)}: {last.blue} complete, {last.green} on track, {last.amber} at risk, "
            f"{last.red} off track"
            if last
            else ""
        )
        blocks.append(
            Image(
                f"report-rag-{_slug(section.code)}.png",
                f"RAG of {section.code}'s actions at each month end, {report.period.describe()}; {at_end}.",
                charts.rag_chart(f"{section.code}: RAG at each month end", section.rag_by_month),
            )
        )
    blocks.append(Heading(4, "Completed and signed off, with the evidence recorded"))
    blocks.append(
        Items(
            tuple(
                Item(
                    line.ref,
                    line.text,
                    (
                        f"{line.agency}. Completed {_maybe_date(line.completed_on)}; "
                        f"signed off {_maybe_date(line.signed_off_on)}.",
                        f"Evidence: {line.evidence or 'none recorded'}",
                    ),
                )
                for line in section.signed_off
            ),
            "No action of this review had been signed off by the end of the period.",
        )
    )
    if section.awaiting_sign_off:
        blocks.append(Heading(4, "Completed, awaiting the board's sign-off"))
        blocks.append(
            Items(
                tuple(
                    Item(
                        line.ref,
                        line.text,
                        (
                            f"{line.agency}. Completed {_maybe_date(line.completed_on)}.",
                            f"Evidence: {line.evidence or 'none recorded'}",
                        ),
                    )
                    for line in section.awaiting_sign_off
                ),
                "",
            )
        )
    blocks.append(Heading(4, "Still open, and why"))
    blocks.append(
        Items(
            tuple(Item(line.ref, line.text, _open_details(line)) for line in section.open),
            "Nothing of this review was still open at the end of the period.",
        )
    )
    return blocks


def _open_details(line: ActionLine) -> tuple[str, ...]:
    due = f"due {long_date(line.due)}"
    if line.extended:
        moved = f"; moved {_times(line.approved_extensions)} by approved extensions" if line.approved_extensions else ""
        due += f" (originally {long_date(line.original_due)}{moved})"
    # Overdue is red whatever the owner says, so say how overdue rather than "off track".
    state = STATUS_WORDS[line.status]
    state += f", overdue by {_days(line.days_overdue)}" if line.days_overdue else f", {RAG_WORDS[line.rag]}"
    details = [f"{line.agency}. {due[0].upper()}{due[1:]}; {state}."]
    if line.progress:
        when = f" ({long_date(line.progress_on)})" if line.progress_on else ""
        details.append(f"Latest update{when}: {line.progress}")
    else:
        details.append("No progress reported yet.")
    if line.waiting_extension:
        details.append(f"Extension asked for, not yet decided: {line.waiting_extension}")
    return tuple(details)


def _impact(report: Report) -> list[Block]:
    blocks: list[Block] = [Heading(2, "2. Improvements that resulted: evidence of impact", "impact")]
    signed = sum(len(section.signed_off) for section in report.reviews)
    missing = report.without_impact
    if report.impact_notes == 0:
        blocks.append(
            Para(
                "No evidence of impact has been recorded for any action of these reviews. Completing an "
                "action is not the same as improving outcomes for children"
                + (
                    f": the {_count(len(missing), 'signed-off action')} listed below "
                    f"{'has' if len(missing) == 1 else 'have'} no evidence yet that the change made a difference."
                    if missing
                    else ", and no action had been signed off by the end of the period, so none could show impact yet."
                ),
                emphasis=True,
            )
        )
    else:
        blocks.append(
            Para(
                f"{_count(report.impact_notes, 'note')} of impact recorded after sign-off; "
                f"{len(missing)} of {_count(signed, 'signed-off action')} "
                f"{'has' if len(missing) == 1 else 'have'} no evidence of impact yet."
            )
        )
    for section in report.reviews:
        blocks.append(Heading(3, f"{section.title} ({section.code})"))
        if section.impact:
            blocks.append(
                Items(
                    tuple(
                        Item(
                            note.ref,
                            note.note,
                            (f"Recorded {long_date(note.on)}" + (f" by {note.who}." if note.who else "."),),
                        )
                        for note in section.impact
                    ),
                    "",
                )
            )
        blocks.append(Heading(4, "Signed off, with no evidence of impact yet"))
        blocks.append(
            Items(
                tuple(
                    Item(line.ref, line.text, (f"{line.agency}. Signed off {_maybe_date(line.signed_off_on)}.",))
                    for line in section.without_impact
                ),
                "Every signed-off action of this review has evidence of impact."
                if section.signed_off
                else "No action of this review had been signed off, so there is no impact to evidence yet.",
            )
        )
    return blocks


def _little_progress(report: Report) -> list[Block]:
    return [
        Heading(2, "3. Areas where there has been little or no progress", "little-progress"),
        Para(
            f"Open actions at {long_date(report.period.end)} that were overdue, reported off track by their "
            f"owner, re-dated twice or more, or had no update from their owner for {report.quiet_days} days or more."
        ),
        Items(
            tuple(
                Item(
                    stalled.action.ref,
                    stalled.action.text,
                    (
                        f"{stalled.action.agency}: {'; '.join(stalled.reasons)}.",
                        *_open_details(stalled.action)[1:],
                    ),
                )
                for stalled in report.stalled
            ),
            "No open action was overdue, off track, repeatedly re-dated or without recent updates.",
        ),
    ]


def _definitions(report: Report) -> list[Block]:
    return [
        Heading(2, "How these figures are counted", "definitions"),
        Items(
            (
                Item("Actions", "Every action on the reviews' plans at the end of the period."),
                Item(
                    "Completed",
                    "Marked complete (awaiting sign-off) or signed off by the board at the end of the period.",
                ),
                Item("Overdue", "Open (not started or in progress) with its agreed date before the period's end."),
                Item(
                    "On time",
                    "Of the actions whose original (or agreed, after approved extensions) target date fell in the "
                    "period, how many were completed on or before it.",
                ),
                Item(
                    "Median days late",
                    "Over the actions completed in the period after their original target date: the middle value "
                    "of the days between that date and completion.",
                ),
                Item(
                    "Extensions",
                    "Requests made in the period; granted and declined in the period; waiting: undecided at its end.",
                ),
                Item(
                    "RAG",
                    "Blue when complete; red when overdue; otherwise the owner's own view, shown amber when due "
                    f"within {report.amber_days} days with no update in that time. Month by month, it is rebuilt "
                    "from the record of changes.",
                ),
                Item(
                    "Impact",
                    "Notes recorded after sign-off (/action impact) saying whether the change has held. "
                    "Evidence of completion is not evidence of impact.",
                ),
            ),
            "",
        ),
    ]


# ---------------------------------------------------------------------- words


def _counts_sentence(counts: Counts) -> str:
    parts = [
        f"{_count(counts.total, 'action')}: {counts.completed} completed "
        f"({counts.signed_off} signed off, {counts.awaiting_sign_off} awaiting sign-off), "
        f"{counts.open} open, {counts.overdue} overdue; {counts.completed_in_period} completed in the period."
    ]
    if counts.due_original:
        parts.append(
            f"Of the {_count(counts.due_original, 'action')} due in the period by their original target date, "
            f"{counts.on_time_original} ({_pct(counts.pct_on_time_original)}) were completed by it"
        )
        if counts.due_agreed:
            parts[-1] += (
                f"; by the agreed date, {counts.on_time_agreed} of {counts.due_agreed} "
                f"({_pct(counts.pct_on_time_agreed)})."
            )
        else:
            parts[-1] += "."
    else:
        parts.append("No action was due in the period by its original target date.")
    if counts.completed_late:
        parts.append(
            f"{_count(counts.completed_late, 'action')} completed late, by a median of "
            f"{_number(counts.median_days_late)} days."
        )
    parts.append(
        f"Extensions: {counts.extensions_asked} asked, {counts.extensions_granted} granted, "
        f"{counts.extensions_declined} declined, {counts.extensions_waiting} waiting for a decision."
    )
    return " ".join(parts)


def _flow_alt(report: Report) -> str:
    months = "; ".join(
        f"{month_label(flow.month)}: {flow.due_original} due (original), {flow.due_agreed} due (agreed), "
        f"{flow.completed} completed"
        for flow in report.flow
        if flow.due_original or flow.due_agreed or flow.completed
    )
    return f"Actions due and completed each month, {report.period.describe()}. {months or 'None.'}"


def _ratio(part: int, whole: int) -> str:
    return f"{part} of {whole} ({_pct(part / whole)})" if whole else "none due"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _times(number: int) -> str:
    return "once" if number == 1 else "twice" if number == 2 else f"{number} times"


def _days(number: int) -> str:
    return _count(number, "day")


def _maybe_date(day: date | None) -> str:
    return long_date(day) if day is not None else "(date not recorded)"


def _slug(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", code)


# ---------------------------------------------------------------------- HTML


STYLE = """
body{font-family:Arial,Helvetica,sans-serif;color:#1b1b1b;max-width:1150px;margin:24px auto;padding:0 16px;
line-height:1.45;font-size:15px}
h1{font-size:26px;color:#0b3d66}h2{font-size:21px;color:#0b3d66;border-bottom:2px solid #0b3d66;margin-top:36px}
h3{font-size:18px;margin-top:28px}h4{font-size:15px;margin:18px 0 6px}
.marking{font-weight:bold;letter-spacing:.02em;background:#f3e6e6;border:1px solid #b71c1c;padding:4px 8px}
.callout{border-left:6px solid #b71c1c;background:#fdf1f1;padding:8px 12px;font-weight:bold}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0 16px;width:100%}
th,td{border:1px solid #c8ccd2;padding:4px 6px;vertical-align:top;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#e6ecf3}
caption{text-align:left;font-style:italic;padding:4px 0}
ul.items{padding-left:18px}ul.items li{margin:6px 0}.detail{color:#444;font-size:13.5px}
.ref{font-weight:bold;white-space:nowrap}img{max-width:100%;height:auto;display:block;margin:8px 0 16px}
.empty{color:#555;font-style:italic}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}img,table{break-inside:avoid}}
"""


def to_html(doc: Document) -> str:
    """A self-contained HTML page: every text escaped, charts as data: URIs, nothing loaded or run."""
    esc = _html
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="robots" content="noindex, nofollow">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(doc.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f'<p class="marking">{esc(MARKING)}</p>',
    ]
    for block in doc.blocks:
        parts.append(_html_block(block))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _html(text: str) -> str:
    return html.escape(text, quote=True)


def _html_block(block: Block) -> str:
    esc = _html
    if isinstance(block, Heading):
        anchor = f' id="{esc(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{esc(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        return f'<p class="callout">{esc(block.text)}</p>' if block.emphasis else f"<p>{esc(block.text)}</p>"
    if isinstance(block, Table):
        caption = f"<caption>{esc(block.caption)}</caption>" if block.caption else ""
        head = "".join(f'<th scope="col">{esc(text)}</th>' for text in block.headings)
        body = "".join(
            "<tr>"
            + "".join(
                f'<th scope="row">{esc(cell)}</th>' if n == 0 else f"<td>{esc(cell)}</td>" for n, cell in enumerate(row)
            )
            + "</tr>"
            for row in block.rows
        )
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Items):
        if not block.items:
            return f'<p class="empty">{esc(block.empty)}</p>' if block.empty else ""
        items = "".join(
            f'<li><span class="ref">{esc(item.title)}</span> {esc(item.text)}'
            + "".join(f'<br><span class="detail">{esc(detail)}</span>' for detail in item.details)
            + "</li>"
            for item in block.items
        )
        return f'<ul class="items">{items}</ul>'
    encoded = base64.b64encode(block.png).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{esc(block.alt)}">'


# ---------------------------------------------------------------------- Markdown

# Characters that can start markup anywhere in a line; "&" only where it could start an entity.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])|&(?=#?\w+;)")


def _md(text: str) -> str:
    """Text safe in Markdown: one line, punctuation escaped, so nothing turns into markup or HTML."""
    return _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(0), " ".join(text.split()))


def to_markdown(doc: Document) -> str:
    """Markdown to paste into the annual report; charts are the PNG files named in the document."""
    lines = [f"> **{_md(MARKING)}**", ""]
    for block in doc.blocks:
        lines += _markdown_block(block)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * block.level + " " + _md(block.text), ""]
    if isinstance(block, Para):
        return [f"**{_md(block.text)}**" if block.emphasis else _md(block.text), ""]
    if isinstance(block, Table):
        lines = [f"*{_md(block.caption)}*", ""] if block.caption else []
        lines.append("| " + " | ".join(_md(text) or " " for text in block.headings) + " |")
        lines.append("|" + "|".join(":---" if n == 0 else "---:" for n in range(len(block.headings))) + "|")
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in block.rows]
        return [*lines, ""]
    if isinstance(block, Items):
        if not block.items:
            return [f"*{_md(block.empty)}*", ""] if block.empty else []
        lines = []
        for item in block.items:
            lines.append(f"- **{_md(item.title)}** {_md(item.text)}")
            lines += [f"  - {_md(detail)}" for detail in item.details]
        return [*lines, ""]
    return [f"![{_md(block.alt)}]({block.name})", ""]
