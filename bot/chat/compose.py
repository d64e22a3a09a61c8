"""Every view model as the neutral document all renderers share: the one place a view's words are put
together. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatch

from bot import views as v
from bot.chat import phrases as say
from bot.chat.document import (
    BOLD,
    CANCEL,
    CHANNEL,
    CHART,
    CODE,
    DONE,
    IMPORT,
    ITALIC,
    SUBTLE,
    TITLE,
    WARNING,
    Button,
    Buttons,
    Divider,
    Element,
    Facts,
    FormPrompt,
    Item,
    Line,
    Markup,
    Paging,
    Para,
    Span,
    line,
    para,
)
from bot.dates import format_date
from bot.digest import FULL_LIST
from storage.models import Rag


@singledispatch
def document(view: object) -> list[Element]:
    """The document of any view model."""
    raise TypeError(f"no document for {type(view).__name__}")


def _listed(action: v.ActionView) -> Item:
    return Item(action, accessory=say.details(action))


def _title(*parts: str | Span) -> Para:
    return para(line(*parts), tone=TITLE)


@document.register
def _(view: v.ActionList) -> list[Element]:
    if not view.actions:
        return [para(line(Span(view.title, BOLD)), view.empty)]
    head: list[Element] = [_title(Span(view.title, BOLD), f": {say.plural(view.total, 'action')}")]
    return head + [_listed(a) for a in view.actions] + [Paging(view.page, view.pages, view.next_command)]


@document.register
def _(view: v.ActionDetail) -> list[Element]:
    action = view.action
    found: list[Element] = [
        para(line(Span(action.ref, BOLD), f" · {action.review_title} ({action.review_code})"), action.text),
        Facts(
            (
                ("RAG", line(say.rag(action.rag), *say.owner_says(action))),
                ("Due", say.due(action)),
                ("Status", line(say.status(action))),
                ("Agency", line(action.agency)),
                ("Owner", line(say.owner(action))),
            )
        ),
    ]
    wide = [(label, line(value)) for label, value in (("Latest progress", action.progress),
                                                      ("Evidence", action.evidence)) if value]  # fmt: skip
    if wide:
        found.append(Facts(tuple(wide), wide=True))
    if action.pending_extension:
        ext = action.pending_extension
        asked = line(Span("⏳ Extension asked", BOLD), f" by {ext.requested_by}: to {format_date(ext.requested_due)}")
        found.append(para(asked, f"Reason: {ext.reason}"))
    if view.recent:
        found.append(para(line(Span("Recent changes", BOLD)), *[say.history(entry) for entry in view.recent]))
    return found + [Buttons(say.change_buttons(action))]


@document.register
def _(view: v.History) -> list[Element]:
    if not view.entries:
        return [para(line(Span(view.ref, BOLD), " has no recorded changes."))]
    head = line(Span(f"History of {view.ref}", BOLD), f" ({say.plural(len(view.entries), 'change')})")
    return [para(head, *[say.history(entry) for entry in view.entries], tone=TITLE)]


def _group(group: v.OutstandingGroup) -> list[Element]:
    counts = say.count_line(len(group.actions), group.overdue, group.amber)
    title = line(Span(f"{group.review_code} {group.review_title} — {group.agency}", BOLD), f" ({counts})")
    found: list[Element] = [para(title)]
    return found + [_listed(a) for a in group.actions]


@document.register
def _(view: v.Outstanding) -> list[Element]:
    if not view.total:
        return [para(f"No outstanding actions{view.filters}.")]
    found: list[Element] = [
        _title(
            Span(f"Outstanding actions{view.filters}", BOLD), f": {say.totals(view.total, view.overdue, view.amber)}"
        )
    ]
    for group in view.groups:
        found += _group(group)
    return found + [Paging(view.page, view.pages, view.next_command)]


@document.register
def _(view: v.Changed) -> list[Element]:
    found: list[Element] = [para(view.summary, tone="" if view.duplicate else DONE), Item(view.action)]
    if view.action.progress and not view.duplicate:
        found.append(Facts((("Latest progress", line(view.action.progress)),), wide=True))
    return found + [Buttons(say.change_buttons(view.action))]


@document.register
def _(view: v.ExtensionRequested) -> list[Element]:
    action = view.action
    ask = line(Span(view.requested_by, BOLD), " asks to move ", Span(action.ref, BOLD),
               f" from {format_date(action.due)} to ", Span(format_date(view.requested_due), BOLD), ".")  # fmt: skip
    typed = line("Decide: ", Span(f"/action approve {action.ref}", CODE), " or ",
                 Span(f"/action decline {action.ref} <reason>", CODE))  # fmt: skip
    return [para(ask, f"Reason: {view.reason}"), Item(action), para(typed, tone=SUBTLE),
            Buttons(say.decide_buttons(action))]  # fmt: skip


@document.register
def _(view: v.ExtensionDecided) -> list[Element]:
    action = view.action
    verdict = "approved" if view.approved else "declined"
    said = line(f"{view.decided_by} {verdict} the extension for ", Span(action.ref, BOLD),
                f": it is due {format_date(action.due)}.")  # fmt: skip
    lines = [said] + ([line(f"Reason: {view.note}")] if view.note else [])
    return [para(*lines), Item(action), Buttons(say.change_buttons(action))]


@document.register
def _(view: v.OpenForm) -> list[Element]:
    question = [para(say.form_question(view.form, view.ref))] if view.asked else []
    return [*question, FormPrompt(view.form, view.action, view.ref, view.values)]


@document.register
def _(view: v.Text) -> list[Element]:
    return [Markup(view.body)]


@document.register
def _(view: v.Problem) -> list[Element]:
    hint = [line(say.ours(part)) for part in view.hint.split("\n")] if view.hint else []
    return [para(line(view.message), *hint, tone=WARNING)]


DM_ITEMS = 10  # actions shown whole, with their buttons, in one DM: it stays one Slack message and one Teams card
MORE_OF = {"change": "/action mine", "impact": None, "details": FULL_LIST}  # where the rest are listed


def _reminders(reminders: Sequence[v.Reminder], how: str, room: int) -> list[Element]:
    found: list[Element] = []
    for reminder in reminders[:room]:
        action = reminder.action
        if how == "change":
            found.append(Item(action, reminder.reason, buttons=say.reminder_buttons(action)))
        elif how == "impact":
            found.append(Item(action, reminder.reason, buttons=(say.impact_button(action),)))
        else:
            found.append(Item(action, reminder.reason, accessory=say.details(action)))
    if len(reminders) > room:
        found.append(_footer(*say.digest_more(len(reminders) - room, MORE_OF[how])))
    return found


def _footer(*parts: str | Span) -> Para:
    return para(line(*parts), tone=SUBTLE)


def _nudge(view: v.Nudge, room: int) -> list[Element]:
    count = len(view.reminders)
    head = para(f"Hello {view.name}: {count} of your actions need{'s' if count == 1 else ''} attention.")
    update, done = "/action update REF on-track|at-risk|off-track <note>", "/action done REF <evidence>"
    extend = "/action extend REF <date> <reason>"
    reply = _footer("Reply with ", Span(update, CODE), ", ", Span(done, CODE), ", or ", Span(extend, CODE), ".")
    return [head, *_reminders(view.reminders, "change", room), reply, _footer(say.NUDGE_WHY)]


def _impact(view: v.ImpactCheck, room: int) -> list[Element]:
    head = para(f"Hello {view.name}: months ago these actions were signed off. Has the change held for children?")
    tell = _footer("Tell the board what difference it made: ",
                   Span("/action impact REF <what has changed, and the evidence>", CODE), ".")  # fmt: skip
    return [head, *_reminders(view.reminders, "impact", room), tell]


def _escalation(view: v.Escalation, room: int) -> list[Element]:
    head = para(f"{view.name}, these actions are overdue by {view.escalate_after_days} days or more:")
    see = _footer(say.ESCALATION_WHY, " See them all with ", Span(FULL_LIST, CODE), ".")
    return [head, *_reminders(view.reminders, "details", room), see]


def _reminder_part(view: v.Nudge | v.ImpactCheck | v.Escalation, room: int) -> list[Element]:
    if isinstance(view, v.Nudge):
        return _nudge(view, room)
    return _impact(view, room) if isinstance(view, v.ImpactCheck) else _escalation(view, room)


@document.register
def _(view: v.Nudge) -> list[Element]:
    return _nudge(view, DM_ITEMS)


@document.register
def _(view: v.ImpactCheck) -> list[Element]:
    return _impact(view, DM_ITEMS)


@document.register
def _(view: v.Escalation) -> list[Element]:
    return _escalation(view, DM_ITEMS)


@document.register
def _(view: v.MeetingPack) -> list[Element]:
    found: list[Element] = [para(line(Span(view.title, BOLD)), *(view.intro if view.page == 1 else ()), tone=TITLE)]
    for section in view.sections:
        heading = say.pack_heading(section.heading, section.continued)
        if not section.entries:
            found.append(para(line(Span(heading, BOLD)), section.empty))
            continue
        found.append(para(line(Span(heading, BOLD))))
        found += [para(line(Span(e.ref, BOLD), f" {e.text}"), *e.details) for e in section.entries]
    return found + [Paging(view.page, view.pages, view.next_command)]


@document.register
def _(view: v.Reminders) -> list[Element]:
    """One person's nudges, impact checks and escalations as one DM: DM_ITEMS actions in all (one each at least)."""
    found: list[Element] = []
    room = DM_ITEMS
    for number, part in enumerate(view.parts):
        found += ([Divider()] if number else []) + _reminder_part(part, max(room, 1))
        room -= len(part.reminders)
    return found


def digest_title(view: v.Digest) -> Line:
    """'Weekly digest, week of Mon 30 Mar 2026 (1 of 2)'."""
    part = f" ({view.part} of {view.parts})" if view.parts > 1 else ""
    return line(Span(f"Weekly digest, week of {format_date(view.week)}", BOLD), part)


def _section(section: v.DigestSection) -> Para:
    lines = [say.digest_counts(section.counts)] if section.counts else []
    lines += [say.review_line(review) for review in section.reviews]
    lines += [say.brief(action) for action in section.actions]
    lines += [say.update_line(update) for update in section.updates]
    lines += [say.problem_line(problem) for problem in section.problems]
    if section.more:
        lines.append(say.digest_more(section.more, section.more_command))
    return para(*(lines or [line(Span(section.empty, ITALIC))]), heading=section.heading)


@document.register
def _(view: v.Digest) -> list[Element]:
    found: list[Element] = [para(digest_title(view), tone=TITLE)]
    found += [_section(section) for section in view.sections]
    # Charts are pictures of the numbers above; where a picture cannot go, their words do.
    found += [para(chart.fallback, tone=CHART) for chart in view.charts]
    if view.part == view.parts:  # the pointer to the whole list, once, at the end
        found += [_footer(*say.full_list(FULL_LIST)), Buttons((say.full_list_button(FULL_LIST),))]
    return found


@document.register
def _(view: v.DigestPreview) -> list[Element]:
    where = Span(view.channel, CHANNEL) if view.channel else Span(say.NO_DIGEST_CHANNEL)
    found: list[Element] = [para(line("Preview of the digest for ", where, ":"))]
    for part in view.parts:
        found += [Divider(), *document(part)]
    return found


def plain_words(spans: tuple[Span, ...]) -> str:
    """A line without markup, a RAG as its label: for notifications and fallbacks."""
    return "".join(say.RAG_LABELS[Rag(s.text)] if s.style == "rag" else s.text for s in spans)


def headline(view: object, elements: Sequence[Element] | None = None) -> str:
    """One line for a notification or a card's fallback text: the view's first words.

    ``elements``: the view's document, when the caller has it already (it is not composed twice).
    """
    if isinstance(view, v.OpenForm):
        return say.FORM_TITLES[view.form].format(ref=view.ref)
    for element in document(view) if elements is None else elements:
        if isinstance(element, Para) and element.lines:
            return say.shorten(plain_words(element.lines[0]), 150)
        if isinstance(element, Markup):
            return say.shorten(element.body.strip().split("\n")[0], 150)
    return ""


@document.register
def _(view: v.UploadPreview) -> list[Element]:
    head, *rest = view.report.split("\n")
    body = para(line(Span(head, BOLD)), *(line(text) for text in rest))
    go, stop = say.UPLOAD_BUTTONS
    return [body, Buttons((Button(go, IMPORT, view.token, style="primary"), Button(stop, CANCEL, view.token)))]


# --- people in chat -----------------------------------------------------------------------------


@document.register
def _(view: v.PeopleList) -> list[Element]:
    if not view.people:
        return [para(line(Span(view.title, BOLD)), "Nobody matches.")]
    count = f": {view.total} {'person' if view.total == 1 else 'people'}"
    found: list[Element] = [_title(Span(view.title, BOLD), count)]
    found.append(para(*[part for person in view.people for part in say.person_line(person)]))
    return found + [Paging(view.page, view.pages, view.next_command)]


@document.register
def _(view: v.ReminderChoice) -> list[Element]:
    said = line(Span("Saved." if view.saved else "Your reminders", BOLD), " ",
                "They now come " if view.saved else "come ", say.pace_said(view.pace.value), ".")  # fmt: skip
    how = line("Change it with a button, or type ", Span("/action settings weekly", CODE), " or ",
               Span("/action settings daily", CODE), ".")  # fmt: skip
    return [para(said), para(how, tone=SUBTLE), Buttons(say.pace_buttons(view.pace.value))]
