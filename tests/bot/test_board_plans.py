"""Plans as boards write them: real layouts, board numbering, timescales, their words, one-pass errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from bot.people import list_named_leads
from bot.plans import SheetRejected, export_plan, import_plan
from bot.reporting.figures import Period
from bot.reporting.report import make_report
from storage.models import Action, Plan, Rag, Status, Update
from tests.bot.test_plans import dump, other_db  # noqa: F401 - other_db is a fixture
from tests.fixtures.board_plans import board_workbook, cp1252_csv, five_mistakes_workbook

NOW = datetime(2020, 4, 2, 9, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def stored(db: sessionmaker[Session]) -> dict[str, Action]:
    with db.begin() as session:
        query = select(Action).options(
            joinedload(Action.review),
            joinedload(Action.agency),
            joinedload(Action.owner),
            joinedload(Action.recommendation),
            selectinload(Action.supporting_agencies),
            selectinload(Action.supporting_owners),
        )
        return {action.ref: action for action in session.scalars(query).unique()}


def test_a_board_workbook_is_read_as_the_board_laid_it_out(db: sessionmaker[Session], tmp_path: Path) -> None:
    report = import_plan(db, board_workbook(tmp_path / "child-r.xlsx"), now=NOW, review="CR", title="SCR Child R")

    assert report.added == ["CR-CSC1", "CR-CSC2", "CR-POL1", "CR-1.1", "CR-1.2", "CR-1.3"]
    assert [line.split(" (")[0] for line in report.sheets_read] == [
        "sheet 'Single agency actions'",
        "sheet 'Multi-agency actions'",
    ]
    assert [line.split(" (")[0] for line in report.sheets_skipped] == ["'Cover'", "'Key'"]
    assert report.rows_skipped == [
        "sheet 'Single agency actions': row 5: section band 'SECTION A - CHILDREN'S SOCIAL CARE'",
        "sheet 'Single agency actions': row 10: notes row "
        "'Key: B = complete and evidenced, R = off track, A = at risk…'",
        "sheet 'Single agency actions': 1 blank row: 9",
        "sheet 'Multi-agency actions': row 6: notes row '* Timescales agreed at the Board, March 2019'",
    ]
    assert report.ignored_columns == [
        "sheet 'Single agency actions': 'Comments' (column N)",
        "sheet 'Single agency actions': 'Progress (Jan 2019)' (column I: hidden, and 'Progress to date' is already "
        "read as progress)",
    ]
    assert report.needs_date == ["CR-POL1 ('Ongoing')", "CR-1.2 ('Within 6 months')"]
    assert report.named_leads == ["CR-CSC1: Jo Bloggs", "CR-POL1: DI Sarah Whitfield"]
    actions = stored(db)
    csc1 = actions["CR-CSC1"]
    assert (csc1.plan, csc1.agency.name, csc1.due) == (Plan.SINGLE_AGENCY, "Children's Social Care", date(2019, 12, 31))
    assert (csc1.status, csc1.rag) == (Status.SIGNED_OFF, Rag.BLUE)  # "Date closed" filled: signed off
    assert (csc1.completed_on, csc1.signed_off_on) == (date(2019, 11, 15), date(2020, 1, 20))
    assert (csc1.owner, csc1.lead_name) == (None, "Jo Bloggs")
    assert csc1.recommendation is not None
    assert (csc1.recommendation.number, csc1.recommendation.text) == (
        "1",
        "Assessments must include every adult in the household",
    )
    assert csc1.progress == "Audit done: 18 of 20 named every adult"  # not the hidden older column
    assert csc1.evidence == "Audit report to the sub-group"
    csc2 = actions["CR-CSC2"]
    assert csc2.recommendation_id == csc1.recommendation_id  # the merged cell, filled down
    assert csc2.due == date(2020, 3, 31)  # an Excel date shown as Mar-20: the month's last day
    assert (csc2.status, csc2.rag) == (Status.IN_PROGRESS, Rag.AMBER)  # Partially complete; an amber fill
    assert csc2.owner is not None and csc2.owner.email == "tom.okafor@csc.example.org"
    pol1 = actions["CR-POL1"]
    assert (pol1.due, pol1.original_due, pol1.target) == (None, None, "Ongoing")
    assert (pol1.agency.name, [agency.name for agency in pol1.supporting_agencies]) == ("Police", ["CSC"])
    assert pol1.status is Status.NOT_STARTED  # Not yet due
    one = actions["CR-1.1"]
    assert (one.plan, one.due, one.status, one.rag) == (Plan.MULTI_AGENCY, date(2020, 6, 30), Status.COMPLETE, Rag.BLUE)
    assert one.completed_on == date(2020, 4, 30)  # 30th April 2020
    assert [agency.name for agency in one.supporting_agencies] == ["Sirona Care & Health"]
    two = actions["CR-1.2"]
    assert (two.agency.name, [a.name for a in two.supporting_agencies]) == ("Health", ["Education"])
    assert (two.due, two.target) == (None, "Within 6 months")
    three = actions["CR-1.3"]
    assert (three.due, three.rag) == (date(2020, 3, 31), Rag.RED)  # 31st March 2020; a red fill, no word
    # Only open actions' leads are listed for the coordinator: CR-CSC1 is signed off.
    assert [(lead.name, lead.refs, lead.reason) for lead in list_named_leads(db)] == [
        ("DI Sarah Whitfield", ("CR-POL1",), "cannot be nudged until an address is known")
    ]


def test_the_dry_run_shows_each_column_and_the_ones_it_will_not_read(db: sessionmaker[Session], tmp_path: Path) -> None:
    before = dump(db)
    report = import_plan(
        db, board_workbook(tmp_path / "child-r.xlsx"), now=NOW, review="CR", title="SCR Child R", dry_run=True
    )

    assert dump(db) == before
    text = report.render()
    assert "F 'Target Date / Timescale' -> due" in text
    assert "E 'Lead Officer / Responsible Person' -> officer" in text
    assert "M 'Date closed' -> signed_off_on" in text
    assert "K 'Evidence of Impact / Outcome' -> evidence" in text
    assert "Columns not read: sheet 'Single agency actions': 'Comments' (column N)" in text
    assert text.index("Columns read") < text.index("Added:")


def test_one_sheet_can_be_picked(db: sessionmaker[Session], tmp_path: Path) -> None:
    report = import_plan(
        db, board_workbook(tmp_path / "r.xlsx"), now=NOW, review="CR", title="SCR Child R", sheet="multi-agency actions"
    )

    assert report.added == ["CR-1.1", "CR-1.2", "CR-1.3"]
    assert {action.plan for action in stored(db).values()} == {Plan.MULTI_AGENCY}


def test_five_mistakes_are_reported_in_one_run_by_cell_and_heading(db: sessionmaker[Session], tmp_path: Path) -> None:
    before = dump(db)

    with pytest.raises(SheetRejected) as raised:
        import_plan(db, five_mistakes_workbook(tmp_path / "five.xlsx"), now=NOW, review="CR", title="SCR Child R")

    found = [(error.sheet, error.cell, error.column) for error in raised.value.errors]
    assert found == [
        ("Actions", "B4", "Action"),
        ("Actions", "D5", "Lead Officer e-mail"),
        ("Actions", "E6", "Target Date / Timescale"),
        ("Actions", "F7", "Status"),
        ("Actions", "A8", "Action No."),
    ]
    reasons = [error.reason for error in raised.value.errors]
    assert "looks month-first (13 March 2020?)" in reasons[2] and "write 13/03/2020" in reasons[2]
    assert "use Not started, In progress, Complete, Signed off" in reasons[3]
    assert reasons[4] == "duplicate action number CR-4: also at five.xlsx, sheet 'Actions', A6"
    assert "sheet 'Actions' E6 (Target Date / Timescale):" in str(raised.value)
    assert dump(db) == before  # the review was not even created


def test_a_cp1252_csv_with_title_rows_and_a_band(db: sessionmaker[Session], tmp_path: Path) -> None:
    report = import_plan(db, cp1252_csv(tmp_path / "plan.csv"), now=NOW, review="CR", title="SCR Child R")

    assert report.added == ["CR-1", "CR-2"]
    actions = stored(db)
    assert actions["CR-1"].text == "\u201cThink family\u201d training for every GP practice"
    assert actions["CR-1"].progress == "\u00a31,200 budget agreed"
    assert actions["CR-1"].plan is Plan.MULTI_AGENCY  # the band above says so
    assert (actions["CR-2"].due, actions["CR-2"].target) == (None, "Immediate")


def test_the_plans_dates_become_dated_history_marked_as_from_the_plan(
    db: sessionmaker[Session], tmp_path: Path
) -> None:
    import_plan(db, board_workbook(tmp_path / "r.xlsx"), now=NOW, review="CR", title="SCR Child R")

    with db.begin() as session:
        entries = session.execute(
            select(Update.kind, Update.source, Update.at)
            .join(Action)
            .where(Action.ref == "CR-CSC1")
            .order_by(Update.version)
        ).all()
    assert [(kind, source, at.date()) for kind, source, at in entries] == [
        ("created", "plan", date(2019, 11, 15)),
        ("done", "plan", date(2019, 11, 15)),
        ("signoff", "plan", date(2020, 1, 20)),
    ]


def listing(db: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    """Every action as a listing shows it, field by field, with its review and recommendation."""
    rows = []
    for action in sorted(stored(db).values(), key=lambda action: action.ref):
        review, rec = action.review, action.recommendation
        rows.append(
            (
                action.ref, review.code, review.title, review.kind, review.started, review.published,
                rec.number if rec else None, rec.text if rec else None, action.text, action.plan,
                action.agency.name, sorted(agency.name for agency in action.supporting_agencies),
                action.owner.email if action.owner else None, action.owner.name if action.owner else None,
                sorted(person.email for person in action.supporting_owners), action.lead_name, action.due,
                action.target, action.original_due, action.status, action.rag, action.progress, action.evidence,
                action.completed_on, action.signed_off_on,
            )
        )  # fmt: skip
    return rows


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_rebuilds_the_same_listing_in_an_empty_database(
    db: sessionmaker[Session],
    other_db: sessionmaker[Session],  # noqa: F811 - the fixture
    tmp_path: Path,
    suffix: str,
) -> None:
    import_plan(db, board_workbook(tmp_path / "r.xlsx"), now=NOW, review="CR", title="SCR Child R")
    with db.begin() as session:
        review = session.scalars(select(Action)).first()
        assert review is not None
        review.review.started = date(2018, 6, 1)
    path = tmp_path / f"export{suffix}"
    export_plan(db, path)

    report = import_plan(other_db, path, now=NOW)  # no flags

    assert len(report.added) == 6
    assert listing(other_db) == listing(db)
    assert listing(db)[0][4] == date(2018, 6, 1)


def test_a_plan_loaded_after_its_year_gives_that_years_report(db: sessionmaker[Session], tmp_path: Path) -> None:
    """Loaded on 2 April 2020, the plan's completions and sign-offs of 2019/20 are in the 2019/20 report."""
    import_plan(db, board_workbook(tmp_path / "r.xlsx"), now=NOW, review="CR", title="SCR Child R")

    report = make_report(db, Period(date(2019, 4, 1), date(2020, 3, 31)), now=NOW, timezone=LONDON, amber_days=14)

    review = next(section for section in report.reviews if section.code == "CR").counts
    assert (review.completed_in_period, review.signed_off_in_period) == (1, 1)  # CR-CSC1: Nov 2019, Jan 2020
    assert review.total == 1  # the others have no date in 2019/20: on the plan from the day it was loaded
    assert [month.completed for month in report.flow if month.completed] == [1]
