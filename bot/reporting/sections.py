"""The yearly report as a Document: organised under Working Together's three headings for the yearly report
(actions taken or planned, evidence of impact, areas of little or no progress), then the definitions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.reporting import words
from bot.reporting.blocks import (
    RAG_WORDS,
    SHOWN_RAG_WORDS,
    STATUS_WORDS,
    Block,
    Document,
    Heading,
    Image,
    Item,
    Items,
    Para,
    Table,
)
from bot.reporting.model import ActionLine, Counts, Report, ReviewSection, long_date
from storage.models import Rag


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
        words.ratio(counts.on_time_original, counts.due_original),
        words.ratio(counts.on_time_agreed, counts.due_agreed),
        words.number(counts.median_days_late),
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
            words.flow_alt(report),
            charts.flow_chart("Actions due and completed each month, all reviews", report.flow),
        )
    )
    return blocks


def _review(report: Report, section: ReviewSection) -> list[Block]:
    blocks: list[Block] = [Heading(3, f"{section.title} ({section.code})", f"review-{words.slug(section.code)}")]
    blocks.append(Para(words.counts_sentence(section.counts)))
    if section.rag_by_month:
        blocks.append(_rag_image(report, section))
    blocks.append(Heading(4, "Completed and signed off, with the evidence recorded"))
    blocks.append(
        Items(
            tuple(_done_item(line, signed=True) for line in section.signed_off),
            "No action of this review had been signed off by the end of the period.",
        )
    )
    if section.awaiting_sign_off:
        blocks.append(Heading(4, "Completed, awaiting the board's sign-off"))
        blocks.append(Items(tuple(_done_item(line, signed=False) for line in section.awaiting_sign_off), ""))
    blocks.append(Heading(4, "Still open, and why"))
    blocks.append(
        Items(
            tuple(Item(line.ref, line.text, _open_details(line)) for line in section.open),
            "Nothing of this review was still open at the end of the period.",
        )
    )
    return blocks


def _rag_image(report: Report, section: ReviewSection) -> Image:
    """The review's RAG chart, its text alternative giving the last month end's counts in the legend's words."""
    from bot.reporting import charts  # matplotlib loads only to draw a report: the pack and chat never need it

    last = section.rag_by_month[-1]
    shown = ", ".join(f"{getattr(last, rag.value)} {SHOWN_RAG_WORDS[rag]}" for rag in CHART_ORDER)
    return Image(
        f"report-rag-{words.slug(section.code)}.png",
        f"RAG of {section.code}'s actions at each month end, {report.period.describe()}; "
        f"at {long_date(last.on)}: {shown}.",
        charts.rag_chart(f"{section.code}: RAG at each month end", section.rag_by_month),
    )


CHART_ORDER = (Rag.BLUE, Rag.GREEN, Rag.AMBER, Rag.RED)


def _done_item(line: ActionLine, *, signed: bool) -> Item:
    when = f"Completed {words.maybe_date(line.completed_on)}"
    when += f"; signed off {words.maybe_date(line.signed_off_on)}." if signed else "."
    return Item(line.ref, line.text, (f"{line.agency}. {when}", f"Evidence: {line.evidence or 'none recorded'}"))


def _open_details(line: ActionLine) -> tuple[str, ...]:
    due = f"due {long_date(line.due)}"
    if line.extended:
        moved = (
            f"; moved {words.times(line.approved_extensions)} by approved extensions"
            if line.approved_extensions
            else ""
        )
        due += f" (originally {long_date(line.original_due)}{moved})"
    # Overdue is red whatever the owner says, so say how overdue rather than "off track".
    state = STATUS_WORDS[line.status]
    state += f", overdue by {words.days(line.days_overdue)}" if line.days_overdue else f", {RAG_WORDS[line.rag]}"
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
                    f": the {words.count(len(missing), 'signed-off action')} listed below "
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
                f"{words.count(report.impact_notes, 'note')} of impact recorded after sign-off; "
                f"{len(missing)} of {words.count(signed, 'signed-off action')} "
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
                    Item(line.ref, line.text, (f"{line.agency}. Signed off {words.maybe_date(line.signed_off_on)}.",))
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
