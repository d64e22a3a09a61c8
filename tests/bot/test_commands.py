"""The /action language: every form in SPEC.md, the forms people really type, and what bad input is told."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import (
    HELP_TOPICS,
    USAGE,
    AddAction,
    Approve,
    Assign,
    Code,
    Command,
    Decline,
    Digest,
    Done,
    EditAction,
    Extend,
    Find,
    Help,
    HelpEntry,
    HelpPage,
    History,
    Impact,
    Import,
    Link,
    ListActions,
    Mention,
    Mine,
    Outstanding,
    Pack,
    Show,
    SignOff,
    UpdateAction,
    Withdraw,
    describe_filters,
    help_page,
    help_text,
    parse,
    plain_text,
    with_page,
)
from bot.commands.types import Away, Leaver, People, PersonAdd, ReminderSettings, Snooze
from bot.errors import UsageError
from storage.models import Rag, Status

WEDNESDAY = date(2026, 4, 1)
FRIDAY = date(2026, 4, 3)
COMMAND_TYPES = (
    Help, Mine, ListActions, Show, UpdateAction, Done, Extend, Approve, Decline, Outstanding, SignOff,
    History, Digest, Impact, Pack, Link, Import, Withdraw, AddAction, EditAction, Assign, Find,
    History, Digest, Impact, Pack, Link, Import, Withdraw,
    People, PersonAdd, Leaver, Away, Snooze, ReminderSettings,
)  # fmt: skip
JO = Mention(None, "jo", None)
ME = Mention(None, "me", None)
EVERY_FILTER = ListActions("CC", "police", JO, Status.IN_PROGRESS, True, date(2026, 4, 15))


def parsed(text: str, today: date = WEDNESDAY) -> Command:
    result = parse(text, today)
    assert not isinstance(result, UsageError), f"{text!r}: {result}"
    return result


def refused(text: str, today: date = WEDNESDAY) -> UsageError:
    result = parse(text, today)
    assert isinstance(result, UsageError), f"{text!r} was accepted as {result!r}"
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every form in SPEC.md
        ("/action help", Help(None)),
        ("/action mine", Mine()),
        ("/action list", ListActions()),
        (
            "/action list review:CC agency:police owner:@jo status:in_progress overdue due:14d",
            EVERY_FILTER,
        ),
        ("/action show CC-3", Show("CC-3")),
        ("/action update CC-3 on-track meeting booked", UpdateAction("CC-3", Rag.GREEN, "meeting booked")),
        ("/action update CC-3 at-risk no staff", UpdateAction("CC-3", Rag.AMBER, "no staff")),
        ("/action update CC-3 off-track funding cut", UpdateAction("CC-3", Rag.RED, "funding cut")),
        ("/action update CC-3 training booked", UpdateAction("CC-3", None, "training booked")),
        ("/action update CC-3", UpdateAction("CC-3", None, None)),
        ("/action done CC-3 policy published", Done("CC-3", "policy published")),
        ("/action extend CC-3 31/05/2026 staff ill", Extend("CC-3", date(2026, 5, 31), "staff ill")),
        ("/action approve CC-3", Approve("CC-3")),
        ("/action decline CC-3 no reason given", Decline("CC-3", "no reason given")),
        ("/action outstanding", Outstanding()),
        ("/action outstanding agency:police review:CC", Outstanding("police", "CC")),
        ("/action signoff CC-3", SignOff("CC-3", None)),
        ("/action signoff CC-3 evidence seen in May", SignOff("CC-3", "evidence seen in May")),
        ("/action history CC-3", History("CC-3")),
        ("/action digest", Digest(preview=False)),
        ("/action digest preview", Digest(preview=True)),
        ("/action impact CC-3 audit in June shows it held", Impact("CC-3", "audit in June shows it held")),
        ("/action pack", Pack()),
        ("/action pack page:2", Pack(page=2)),
    ],
)
def test_every_spec_form(text: str, expected: Command) -> None:
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the leading command word is optional, and any case works
        ("", Help(None)),
        ("   ", Help(None)),
        ("/action", Help(None)),
        ("help", Help(None)),
        ("action help", Help(None)),
        ("/ACTION MINE", Mine()),
        ("Action Show cc-3", Show("CC-3")),
        ("?", Help(None)),
        # refs: any case, leading zeros, a trailing colon or comma, a phone's dash
        ("show cc-3", Show("CC-3")),
        ("show CC-03", Show("CC-3")),
        ("show CC-3:", Show("CC-3")),
        ("show CC\u20133", Show("CC-3")),
        ("show scr21-12", Show("SCR21-12")),
        ("show BABY-M-4", Show("BABY-M-4")),
        ("CC-3", Show("CC-3")),
        # extra spaces, tabs and non-breaking spaces
        ("  show \u00a0  CC-3  ", Show("CC-3")),
        ("show\tCC-3", Show("CC-3")),
        ("history\u202fcc-7", History("CC-7")),
        # sign off in three spellings
        ("sign off CC-3", SignOff("CC-3", None)),
        ("Sign-Off CC-3 all good", SignOff("CC-3", "all good")),
        ("sign_off CC-3", SignOff("CC-3", None)),
        ("digest PREVIEW", Digest(preview=True)),
        ("mine page:2", Mine(page=2)),
    ],
)
def test_forms_people_type(text: str, expected: Command) -> None:
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("topic_text", "topic"),
    [
        ("help update", "update"),
        ("help UPDATE", "update"),
        ("help /action extend", "extend"),
        ("help sign off", "signoff"),
        ("help sign-off", "signoff"),
        ("help dates", "dates"),
    ],
)
def test_help_topics(topic_text: str, topic: str) -> None:
    assert parsed(topic_text) == Help(topic)


def test_help_on_an_unknown_topic_lists_the_topics() -> None:
    error = refused("help frobnicate")
    assert error.message == "There is no help on 'frobnicate'."
    assert error.hint and "update" in error.hint and "dates" in error.hint


@pytest.mark.parametrize(
    ("text", "rag", "note"),
    [
        ("update CC-3 on track meeting booked", Rag.GREEN, "meeting booked"),
        ("update CC-3 On-Track: meeting booked", Rag.GREEN, "meeting booked"),
        ("update CC-3 on_track, meeting booked", Rag.GREEN, "meeting booked"),
        ("update CC-3 green meeting booked", Rag.GREEN, "meeting booked"),
        ("update CC-3 GREEN", Rag.GREEN, None),
        ("update CC-3 at risk - no staff", Rag.AMBER, "no staff"),
        ("update CC-3 amber no staff", Rag.AMBER, "no staff"),
        ("update CC-3 at-risk", Rag.AMBER, None),
        ("update CC-3 off track \u2013 funding cut", Rag.RED, "funding cut"),
        ("update CC-3 red funding cut", Rag.RED, "funding cut"),
        ("update CC-3 off\u2013track funding cut", Rag.RED, "funding cut"),
        # a word that only starts like a RAG word is part of the note
        ("update CC-3 greenlit by the panel", None, "greenlit by the panel"),
        ("update CC-3 red-flag raised", None, "red-flag raised"),
        ("update CC-3 on holiday until May", None, "on holiday until May"),
        ("update CC-3 at the panel", None, "at the panel"),
    ],
)
def test_update_rag_words(text: str, rag: Rag | None, note: str | None) -> None:
    assert parsed(text) == UpdateAction("CC-3", rag, note)


@pytest.mark.parametrize(
    ("text", "note"),
    [
        # the note keeps the person's own text, spacing and punctuation, trimmed
        ("update CC-3   Spoke to  Jo;   meeting   booked.  ", "Spoke to  Jo;   meeting   booked."),
        ("update CC-3 line one\n  line two\n", "line one\n  line two"),
        ("update CC-3 \u201cAgreed\u201d at the panel \u2018today\u2019", "\"Agreed\" at the panel 'today'"),
        ("update CC-3 50% done \u2013 <@U0123ABC|jo> chasing", "50% done \u2013 <@U0123ABC|jo> chasing"),
        ("update CC-3 action: list show update", "action: list show update"),
    ],
)
def test_notes_keep_the_original_text(text: str, note: str) -> None:
    assert parsed(text) == UpdateAction("CC-3", None, note)


@pytest.mark.parametrize(
    ("text", "today", "due", "reason"),
    [
        ("extend CC-3 31/05/2026 staff sickness", WEDNESDAY, date(2026, 5, 31), "staff sickness"),
        ("extend CC-3 31 May 2026 staff sickness", WEDNESDAY, date(2026, 5, 31), "staff sickness"),
        ("extend CC-3 31st of May 2026 staff sickness", WEDNESDAY, date(2026, 5, 31), "staff sickness"),
        ("extend CC-3 Sun 31 May 2026 staff sickness", WEDNESDAY, date(2026, 5, 31), "staff sickness"),
        ("extend CC-3 2026-05-31 staff sickness", WEDNESDAY, date(2026, 5, 31), "staff sickness"),
        ("extend CC-3 31 May 2 staff off sick", WEDNESDAY, date(2026, 5, 31), "2 staff off sick"),
        ("extend CC-3 next friday panel moved", WEDNESDAY, date(2026, 4, 3), "panel moved"),
        ("extend CC-3 next friday panel moved", FRIDAY, date(2026, 4, 10), "panel moved"),
        ("extend CC-3 friday panel moved", FRIDAY, date(2026, 4, 10), "panel moved"),
        ("extend CC-3 in 2 weeks waiting for IT", WEDNESDAY, date(2026, 4, 15), "waiting for IT"),
        ("extend CC-3 in 3 months new system", WEDNESDAY, date(2026, 7, 1), "new system"),
        ("extend CC-3 end of month audit late", WEDNESDAY, date(2026, 4, 30), "audit late"),
        ("extend CC-3 end of next month audit late", WEDNESDAY, date(2026, 5, 31), "audit late"),
        ("extend CC-3 14d audit late", WEDNESDAY, date(2026, 4, 15), "audit late"),
        ("extend CC-3 today  last  chance", WEDNESDAY, WEDNESDAY, "last  chance"),
        ("extend CC-3 \u201cnext friday\u201d panel moved", WEDNESDAY, date(2026, 4, 3), "panel moved"),
        ("extend cc-3 30/04 Easter", WEDNESDAY, date(2026, 4, 30), "Easter"),
    ],
)
def test_extend_takes_the_longest_date(text: str, today: date, due: date, reason: str) -> None:
    assert parsed(text, today) == Extend("CC-3", due, reason)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("extend CC-3 31/03/2026 late", "Tue 31 Mar 2026 is in the past."),
        ("extend CC-3 2026-03-31 late", "Tue 31 Mar 2026 is in the past."),
        ("extend CC-3 1 Jan 2020 late", "Wed 1 Jan 2020 is in the past."),
        ("extend CC-3 31/02/2027 late", "31 February 2027 does not exist."),
        ("extend CC-3 31 Feb 2027 late", "31 February 2027 does not exist."),
        # a contradicting weekday is refused, not read as a shorter date
        ("extend CC-3 fri 3 apr 2027 late", "3 April 2027 is a Saturday, not a Friday."),
        ("extend CC-3 05/13/2026 late", "has no month 13"),
        ("extend CC-3 soon because", "'extend' needs the new due date first: I can't read 'soon' as a date."),
        ("extend CC-3", "'extend' needs the new due date and a reason."),
        ("extend CC-3 in 2 weeks", "'extend' needs a reason for moving the due date to Wed 15 Apr 2026."),
        ("extend", "Which action? Give its ref after 'extend', e.g. CC-3."),
    ],
)
def test_extend_refusals(text: str, message: str) -> None:
    error = refused(text)
    assert message in error.message
    assert error.hint and error.hint.startswith(USAGE["extend"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("list review:cc", ListActions(review="CC")),
        ("list REVIEW:CC", ListActions(review="CC")),
        ("list agency:police", ListActions(agency="police")),
        ('list agency:"social care"', ListActions(agency="social care")),
        ("list agency:\u201csocial care\u201d", ListActions(agency="social care")),
        ("list owner:me", ListActions(owner=Mention(None, "me", None))),
        ("list owner:@me", ListActions(owner=Mention(None, "me", None))),
        ("list owner:jo", ListActions(owner=Mention(None, "jo", None))),
        ("list owner:<@U0123ABC|jo>", ListActions(owner=Mention("U0123ABC", "jo", None))),
        ("list owner:<@U0123ABC>", ListActions(owner=Mention("U0123ABC", None, None))),
        ("list owner:<@U0123ABC|jo smith>", ListActions(owner=Mention("U0123ABC", "jo smith", None))),
        ("list owner:Jo.Bloggs@Police.org", ListActions(owner=Mention(None, None, "jo.bloggs@police.org"))),
        ("list owner:<mailto:jo@x.org|jo@x.org>", ListActions(owner=Mention(None, None, "jo@x.org"))),
        ('list owner:"Jo Smith"', ListActions(owner=Mention(None, "Jo Smith", None))),
        # a person on their own is the owner filter
        ("list @jo", ListActions(owner=Mention(None, "jo", None))),
        ("list <@U0123ABC>", ListActions(owner=Mention("U0123ABC", None, None))),
        ("list jo@x.org", ListActions(owner=Mention(None, None, "jo@x.org"))),
        # status spellings
        ("list status:in_progress", ListActions(status=Status.IN_PROGRESS)),
        ("list status:in-progress", ListActions(status=Status.IN_PROGRESS)),
        ("list status:In_Progress", ListActions(status=Status.IN_PROGRESS)),
        ("list status:in progress", ListActions(status=Status.IN_PROGRESS)),
        ("list status:not-started", ListActions(status=Status.NOT_STARTED)),
        ("list status:not started", ListActions(status=Status.NOT_STARTED)),
        ("list status:complete", ListActions(status=Status.COMPLETE)),
        ("list status:done", ListActions(status=Status.COMPLETE)),
        ("list status:signed-off", ListActions(status=Status.SIGNED_OFF)),
        ("list status:signed off", ListActions(status=Status.SIGNED_OFF)),
        # overdue and due:
        ("list overdue", ListActions(overdue=True)),
        ("list OVERDUE", ListActions(overdue=True)),
        ("list due:14d", ListActions(due_by=date(2026, 4, 15))),
        ("list due:2w", ListActions(due_by=date(2026, 4, 15))),
        ("list due:31/03/2026", ListActions(due_by=date(2026, 3, 31))),
        ("list due:2026-11-06", ListActions(due_by=date(2026, 11, 6))),
        ("list due:friday", ListActions(due_by=date(2026, 4, 3))),
        ("list due:next friday", ListActions(due_by=date(2026, 4, 3))),
        ('list due:"next friday"', ListActions(due_by=date(2026, 4, 3))),
        ("list due:31 May 2026 overdue", ListActions(overdue=True, due_by=date(2026, 5, 31))),
        ("list due: end of month review:CC", ListActions(review="CC", due_by=date(2026, 4, 30))),
        ("list due:end of month", ListActions(due_by=date(2026, 4, 30))),
        # any order, extra spaces
        (
            "list   overdue  due:14d owner:@jo  status:in_progress agency:police review:CC",
            EVERY_FILTER,
        ),
        ("list review:CC, overdue, agency:police", ListActions(review="CC", agency="police", overdue=True)),
        ("list page:3 review:CC", ListActions(review="CC", page=3)),
        ("outstanding review:cc", Outstanding(review="CC")),
        ("outstanding agency:health review:cc page:2", Outstanding("health", "CC", page=2)),
    ],
)  # fmt: skip
def test_filters(text: str, expected: Command) -> None:
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("list colour:red", "Unknown filter 'colour'. 'list' takes review:, agency:, owner:, status:, due:"),
        ("list stat:open", "Unknown filter 'stat' (did you mean 'status'?)"),
        ("list police", "Unknown filter 'police'"),
        ("list status:open", "'open' is not a status: use one of not_started, in_progress, complete"),
        ("list review:CC review:DD", "'review:' is given twice."),
        ("list review:", "'review:' needs a value, e.g. review:CC."),
        ("list owner:", "'owner:' needs a value"),
        ("list review:C*C", "'C*C' is not a review code"),
        ("list due:", "'due:' needs a date or a span"),
        ("list due:soon", "due: I can't read 'soon' as a date."),
        ("list due:31/02/2026", "due: 31 February 2026 does not exist."),
        ("list owner:<@>", "is not a person"),
        ("list page:0", "'page:0' needs a page number"),
        ("list page:two", "'page:two' needs a page number"),
        ("outstanding overdue", "Unknown filter 'overdue'. 'outstanding' takes agency:, review:"),
        ("outstanding owner:me", "Unknown filter 'owner'"),
        ("outstanding due:14d", "Unknown filter 'due'"),
    ],
)
def test_filter_refusals(text: str, message: str) -> None:
    error = refused(text)
    assert message in error.message
    verb = text.split()[0]
    assert error.hint and error.hint.startswith(USAGE[verb])


@pytest.mark.parametrize(
    ("text", "message", "verb"),
    [
        ("updte CC-3 note", "Unknown command 'updte'. Did you mean 'update'?", None),
        ("frobnicate", "Unknown command 'frobnicate'.", None),
        ("CC-3 done", "Unknown command 'CC-3'.", None),
        ("show", "Which action? Give its ref after 'show', e.g. CC-3.", "show"),
        ("show 3", "'3' is not an action ref", "show"),
        ("show CC3", "'CC3' is not an action ref", "show"),
        ("history #3", "'#3' is not an action ref", "history"),
        ("show CC-3 please", "'show' takes nothing after the ref: 'please'.", "show"),
        ("approve CC-3 agreed", "'approve' takes nothing after the ref: 'agreed'.", "approve"),
        ("history CC-3 all", "'history' takes nothing after the ref", "history"),
        ("mine now", "Unknown filter 'now'", "mine"),
        ("pack now", "Unknown filter 'now'. 'pack' takes page:.", "pack"),
        ("digest now", "'digest' takes only 'preview', not 'now'.", "digest"),
        ("update", "Which action?", "update"),
        ("done CC-3", "'done' needs the evidence that shows the action is complete.", "done"),
        ("done CC-3   ", "'done' needs the evidence", "done"),
        ("decline CC-3", "'decline' needs a reason.", "decline"),
        ("impact CC-3", "'impact' needs a note on whether the change has held.", "impact"),
        ("signoff", "Which action?", "signoff"),
    ],
)
def test_usage_errors_say_what_was_wrong_and_show_the_form(text: str, message: str, verb: str | None) -> None:
    error = refused(text)
    assert message in error.message
    expected_hint = USAGE[verb] if verb else "\n".join(USAGE.values())
    assert error.hint and error.hint.startswith(expected_hint)


@pytest.mark.parametrize(
    ("command", "noun"),
    [("update CC-3", "note"), ("done CC-3", "evidence"), ("decline CC-3", "reason"), ("impact CC-3", "note"),
     ("signoff CC-3", "note"), ("extend CC-3 next friday", "reason")],
)  # fmt: skip
def test_texts_over_slacks_limit_are_refused(command: str, noun: str) -> None:
    assert not isinstance(parse(f"{command} {'x' * 2990}", WEDNESDAY), UsageError)
    error = refused(f"{command} {'x' * 3001}")
    assert error.message == f"The {noun} is 3,001 characters; the limit is 3,000."


def test_usage_mirrors_the_spec() -> None:
    assert set(USAGE) == {
        "help", "mine", "list", "show", "update", "done", "extend", "approve", "decline", "outstanding",
        "signoff", "history", "digest", "impact", "pack", "link", "import", "withdraw",
        "add", "edit", "assign", "find",
        "people", "person", "leaver", "away", "snooze", "settings",
    }  # fmt: skip
    assert USAGE["update"] == "/action update CC-3 [on-track|at-risk|off-track] <note>"
    assert USAGE["list"] == (
        "/action list [review:CC] [agency:police] [owner:@user] [status:in_progress] [overdue] [due:<date|14d>]"
    )


@pytest.mark.parametrize("topic", HELP_TOPICS)
def test_help_text_for_every_topic(topic: str) -> None:
    body = help_text(topic)
    if topic != "dates":
        assert USAGE[topic] in body
    assert parsed(f"help {topic}") == Help(topic)


def test_help_text_overview_lists_every_command() -> None:
    body = help_text(None)
    for line in USAGE.values():
        assert line in body
    assert "next friday" in body


@pytest.mark.parametrize(
    "command",
    [
        Mine(),
        ListActions(),
        ListActions("CC", "social care", ME, Status.NOT_STARTED, True, date(2026, 11, 6)),
        ListActions(owner=Mention("U0123ABC", "jo", None)),
        ListActions(owner=Mention("U0123ABC", None, None)),
        ListActions(owner=Mention(None, None, "jo@x.org")),
        ListActions(owner=Mention(None, "Jo Smith", None)),
        ListActions(owner=Mention(None, "jo", None), due_by=date(2026, 3, 31)),
        Outstanding(),
        Outstanding("police", "CC", page=2),
    ],
)
def test_with_page_parses_back_to_the_same_listing(command: Mine | ListActions | Outstanding) -> None:
    text = with_page(command, 4)
    assert text.startswith("/action ")
    assert parsed(text) == replace(command, page=4)


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (ListActions(), ""),
        (Mine(), ""),
        (
            replace(EVERY_FILTER, owner=ME),
            "review CC, agency police, owner me, status in progress, overdue, due by Wed 15 Apr 2026",
        ),
        (ListActions(owner=Mention("U0123ABC", "jo", None)), "owner @jo"),
        (Outstanding("police", "CC"), "review CC, agency police"),
    ],
)
def test_describe_filters(command: Mine | ListActions | Outstanding, words: str) -> None:
    assert describe_filters(command) == words


def test_me_is_the_sender() -> None:
    assert Mention(None, "me", None).is_me
    assert not Mention(None, "jo", None).is_me
    assert not Mention("U0123ABC", "me", None).is_me


# --- properties ---------------------------------------------------------------------------

KEYWORDS = [
    *USAGE, "sign", "off", "CC-3", "cc-12", "review:CC", "agency:", "owner:", "status:", "due:", "page:",
    "overdue", "on-track", "at risk", "red", "next", "friday", "in", "2", "weeks", "31/02/2026", "<@U1|a>",
    "<mailto:", '"', "\u201c", "\u00a0", "\u2013", "/action", "@", ":", "\n", "-",
]  # fmt: skip
WORDY = st.lists(st.one_of(st.sampled_from(KEYWORDS), st.text(max_size=6)), max_size=8).map(" ".join)
TODAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))


def assert_command_or_usage_error(result: object) -> None:
    if isinstance(result, UsageError):
        assert result.message and result.hint
    else:
        assert isinstance(result, COMMAND_TYPES)
        assert is_dataclass(result)
        for field in fields(result):
            value = getattr(result, field.name)
            if isinstance(value, str) and field.name in ("note", "evidence", "reason"):
                assert value == value.strip() and 0 < len(value) <= 3000


@given(text=st.text(), today=TODAYS)
def test_any_text_parses_to_a_command_or_a_usage_error(text: str, today: date) -> None:
    assert_command_or_usage_error(parse(text, today))


@given(text=WORDY, today=TODAYS)
def test_command_like_text_parses_to_a_command_or_a_usage_error(text: str, today: date) -> None:
    assert_command_or_usage_error(parse(text, today))


@given(text=WORDY)
def test_parse_is_deterministic(text: str) -> None:
    first, second = parse(text, WEDNESDAY), parse(text, WEDNESDAY)
    if isinstance(first, UsageError):
        assert isinstance(second, UsageError) and str(first) == str(second)
    else:
        assert first == second


AGENCIES = st.text(alphabet=st.sampled_from(list("abcdefgXYZ &'()-.,;123")), max_size=20).map(str.strip)
SLACK_IDS = st.from_regex(r"U[A-Z0-9]{2,10}", fullmatch=True)
EMAILS = st.from_regex(r"[a-z]{1,5}\.[a-z]{1,5}@[a-z]{1,6}\.org", fullmatch=True)
MENTIONS = st.one_of(
    st.builds(Mention, SLACK_IDS, st.sampled_from([None, "jo", "ann"]), st.none()),
    st.builds(Mention, st.none(), st.none(), EMAILS),
    st.builds(Mention, st.none(), st.sampled_from(["me", "jo", "Jo Smith", "o'neil", "jo,"]), st.none()),
)


@given(
    review=st.one_of(st.none(), st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True)),
    agency=st.one_of(st.none(), AGENCIES.filter(bool)),  # a value parse would give: trimmed, not empty
    owner=st.one_of(st.none(), MENTIONS),
    status=st.one_of(st.none(), st.sampled_from(Status)),
    overdue=st.booleans(),
    due_by=st.one_of(st.none(), TODAYS),
    page=st.integers(min_value=1, max_value=500),
)
def test_with_page_round_trips(
    review: str | None,
    agency: str | None,
    owner: Mention | None,
    status: Status | None,
    overdue: bool,
    due_by: date | None,
    page: int,
) -> None:
    listing = ListActions(review, agency, owner, status, overdue, due_by)
    assert parse(with_page(listing, page), WEDNESDAY) == replace(listing, page=page)
    outstanding = Outstanding(agency, review)
    assert parse(with_page(outstanding, page), WEDNESDAY) == replace(outstanding, page=page)


def test_help_is_a_neutral_page_with_code_marked_as_code() -> None:
    page = help_page("update")
    [entry] = page.entries
    assert entry.usage == USAGE["update"]
    assert Code("/action update CC-3") in entry.summary  # code is a span, not back-quotes or asterisks
    assert not any("`" in span or "*" in span for span in entry.summary if isinstance(span, str))
    overview = help_page(None)
    assert overview.title == "Commands" and [e.usage for e in overview.entries] == list(USAGE.values())
    assert help_page("dates").title == "Dates" and help_page("dates").entries == ()


@pytest.mark.parametrize(
    ("page", "text"),
    [
        (HelpPage("Dates", (), (("a ", Code("friday"), " b"),)), "Dates\na friday b"),
        (HelpPage(None, (HelpEntry("/action show CC-3", ("Shows ", Code("it"), ".")),)),
         "/action show CC-3\nShows it."),
        (HelpPage("Commands", (HelpEntry("/action mine"), HelpEntry("/action pack")), ((), ("More",))),
         "Commands\n/action mine\n/action pack\n\nMore"),
    ],
)  # fmt: skip
def test_help_renders_as_plain_text(page: HelpPage, text: str) -> None:
    assert plain_text(page) == text
    assert "`" not in plain_text(help_page(None)) and "*" not in plain_text(help_page(None))
