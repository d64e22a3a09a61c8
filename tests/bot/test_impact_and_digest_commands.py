"""Impact checks after sign-off, and the digest and pack commands in chat."""

from __future__ import annotations

import html
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings
from bot.jobs import Jobs
from bot.services import ActionService, Identity
from bot.views import Changed, DigestPreview, ImpactCheck, MeetingPack, Problem, Text
from handlers.slack import blocks
from handlers.teams import cards
from handlers.text import render
from storage.models import Action, Person, Role, Status, Update
from tests.bot.scheduling import LONDON, RecordingMessenger, add_action, at, make_jobs
from tests.fakes.slack import shown as slack_shown
from tests.fakes.teams import shown as teams_shown
from tests.helpers import say as typed

OWNER = "pat@police.example.org"
CHAIR = "chair@board.example.org"


def say(jobs: Jobs, email: str, text: str):  # type: ignore[no-untyped-def]
    return typed(jobs.actions, text, Identity("slack", email=email))


def sign_off(db: sessionmaker[Session], board: dict[str, int], ref_n: int, on: date) -> None:
    add_action(db, board, ref_n, "pat", on - timedelta(days=10), status=Status.SIGNED_OFF, signed_off_on=on)


def test_owners_are_asked_months_after_sign_off_whether_the_change_held(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, settings: Settings
) -> None:
    messenger = RecordingMessenger(clock)
    jobs = make_jobs(db, clock, settings, messenger)
    sign_off(db, board, 1, date(2026, 1, 14))
    day = date(2026, 4, 10)
    while day <= date(2026, 7, 20):
        clock.set(at(day))
        jobs.run_due()
        day += timedelta(days=1)
    checks = [s for s in messenger.dms() if isinstance(s.view, ImpactCheck)]
    assert [(s.at.astimezone(LONDON).date(), s.to) for s in checks] == [
        (date(2026, 4, 14), OWNER),  # 3 months
        (date(2026, 7, 14), OWNER),  # 6 months
    ]
    assert "has the change held" in checks[0].view.reminders[0].reason  # type: ignore[union-attr]


def test_impact_is_recorded_after_sign_off_only(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, settings: Settings
) -> None:
    jobs = make_jobs(db, clock, settings, RecordingMessenger(clock))
    sign_off(db, board, 1, date(2026, 1, 14))
    add_action(db, board, 2, "pat", date(2026, 6, 1))
    clock.set(at(date(2026, 4, 20)))
    recorded = say(jobs, OWNER, "impact CC-1 Re-audit: 29 of 30 injuries shared with the GP")
    assert isinstance(recorded.view, Changed) and "impact" in recorded.view.summary
    again = say(jobs, OWNER, "impact CC-1 Re-audit: 29 of 30 injuries shared with the GP")
    assert isinstance(again.view, Changed) and again.view.duplicate
    refused = say(jobs, OWNER, "impact CC-2 Not done yet")
    assert isinstance(refused.view, Problem) and "not signed off" in refused.view.message
    with db() as session:
        kinds = session.scalars(select(Update.kind).join(Action, Action.id == Update.action_id)).all()
    assert kinds == ["impact"]


def test_unanswered_impact_checks_are_listed_in_the_digest(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, settings: Settings
) -> None:
    jobs = make_jobs(db, clock, settings, RecordingMessenger(clock))
    sign_off(db, board, 1, date(2026, 1, 14))
    sign_off(db, board, 2, date(2026, 1, 14))
    clock.set(at(date(2026, 4, 14)))
    jobs.run_due()
    clock.set(at(date(2026, 4, 16)))
    say(jobs, OWNER, "impact CC-2 Fathers now seen in 18 of 20 assessments")
    clock.set(at(date(2026, 4, 27), 8))
    unanswered = [
        (p.what, p.state)
        for digest in jobs.preview_digest()
        for section in digest.sections
        if section.heading == "Impact checks not answered"
        for p in section.problems
    ]
    assert unanswered == [("impact check on CC-1 (3 months)", "unanswered")]


def test_digest_preview_and_send_from_chat(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, settings: Settings
) -> None:
    messenger = RecordingMessenger(clock)
    jobs = make_jobs(db, clock, settings, messenger)
    with db.begin() as session:
        session.add(Person(name="Colin Coordinator", email="colin@board.example.org", role=Role.COORDINATOR))
    add_action(db, board, 1, "pat", date(2026, 4, 20))
    clock.set(at(date(2026, 4, 13), 8, 30))  # Monday, before the scheduled digest
    preview = say(jobs, CHAIR, "digest preview")
    assert isinstance(preview.view, DigestPreview) and preview.view.parts[0].sections
    assert messenger.digests() == []  # a preview sends nothing
    refused = say(jobs, OWNER, "digest preview")
    assert isinstance(refused.view, Problem)
    assert isinstance(say(jobs, CHAIR, "digest").view, Problem)  # the chair previews; the coordinator sends
    sent = say(jobs, "colin@board.example.org", "digest")
    assert isinstance(sent.view, Text) and "was posted" in sent.view.body
    again = say(jobs, "colin@board.example.org", "digest")
    assert isinstance(again.view, Text) and "not posted now: it is sent" in again.view.body
    assert len(messenger.digests()) == 1
    clock.set(at(date(2026, 4, 13), 9))  # the scheduled run that morning finds it sent
    jobs.run_due()
    assert len(messenger.digests()) == 1


def test_the_meeting_pack_in_chat(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, settings: Settings
) -> None:
    jobs = make_jobs(db, clock, settings, RecordingMessenger(clock))
    add_action(db, board, 1, "pat", date(2026, 3, 20))  # overdue
    clock.set(at(date(2026, 4, 1), 11))
    pack = say(jobs, CHAIR, "pack")
    assert isinstance(pack.view, MeetingPack)
    [overdue] = [section for section in pack.view.sections if section.heading.startswith("Overdue")]
    assert [entry.ref for entry in overdue.entries] == ["CC-1"] and "overdue by 12 days" in overdue.entries[0].details[
        0
    ]
    assert isinstance(say(jobs, OWNER, "pack").view, Problem)


def test_the_digest_command_in_a_process_without_jobs_says_so(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, settings: Settings
) -> None:
    with db.begin() as session:
        session.add(Person(name="Colin Coordinator", email="colin@board.example.org", role=Role.COORDINATOR))
    service = ActionService(db, clock, settings)  # no digest desk was given at construction
    reply = typed(service, "digest preview", Identity("slack", email="colin@board.example.org"))
    assert isinstance(reply.view, Problem) and reply.view.message == "The digest is not available in this process."


def test_the_meeting_pack_is_paged_and_drawn_for_every_surface(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, settings: Settings
) -> None:
    jobs = make_jobs(db, clock, settings, RecordingMessenger(clock))
    for n in range(1, 15):
        add_action(
            db, board, n, "pat", date(2026, 3, 1) + timedelta(days=n), text=f"Audit **case** files <{n}> & report"
        )
    clock.set(at(date(2026, 4, 1), 11))
    first = say(jobs, CHAIR, "pack").view
    assert isinstance(first, MeetingPack) and (first.page, first.pages) == (1, 2)
    assert first.next_command == "/action pack page:2"
    second = say(jobs, CHAIR, "pack page:2").view
    assert isinstance(second, MeetingPack) and second.page == 2 and second.next_command is None
    assert second.sections[0].continued and second.sections[0].heading.startswith("Overdue")
    refs = [e.ref for view in (first, second) for s in view.sections for e in s.entries]
    assert sorted(refs, key=lambda ref: int(ref.split("-")[1])) == [f"CC-{n}" for n in range(1, 15)]  # nothing cut
    text = render(second)
    assert "Overdue (14) (continued)" in text and "Page 2 of 2" in text and not text.startswith("#")
    slack = "\n".join(slack_shown(message) for message in blocks.messages(first))  # type: ignore[arg-type]
    assert "CC-1" in slack and "More (page 2)" in slack and "\n#" not in slack
    assert "&amp;gt;" not in slack and "<1> & report" in html.unescape(slack)  # escaped once, as Slack wants
    assert "/action pack page:2" in str(blocks.messages(first))  # the More button runs the next page
    assert slack.startswith("*SCR sub-group: exceptions for the meeting of 1 April 2026*")  # bold, not "# "
    teams = "\n".join(teams_shown(cards.as_json(card)) for card in cards.cards(first))  # type: ignore[arg-type]
    assert "CC-1" in teams and "Audit **case** files <1> & report" in teams and "&gt;" not in teams
    assert isinstance(say(jobs, CHAIR, "pack page:9").view, MeetingPack)  # past the end: the last page
