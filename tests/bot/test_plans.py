"""Importing and exporting action plans: all rows or none, in place by ref, and round trips."""

from __future__ import annotations

import csv
import shutil
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.clock import FrozenClock
from bot.errors import UnknownPerson, UsageError, UserError
from bot.plans import SheetRejected, SheetUnreadable, export_plan, export_updates, import_plan
from storage import db as storage_db
from storage.models import (
    Action,
    Agency,
    Base,
    Person,
    Plan,
    ProtectedName,
    Rag,
    Recommendation,
    Review,
    ReviewKind,
    Role,
    Status,
    Update,
)
from storage.spreadsheet import read_sheet
from tests.conftest import TEST_DATABASE_URL, _postgres_schema_url

FIXTURES = Path(__file__).parents[1] / "fixtures"
HEADER = "Ref,Review,Action,Lead Agency,Lead Officer,Officer Email,Target Date,Status,RAG,Progress\n"


@pytest.fixture
def now(clock: FrozenClock) -> datetime:
    return clock.now()


@pytest.fixture
def other_db(database_template: str, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A second empty database, for importing an export somewhere fresh."""
    if not TEST_DATABASE_URL:
        path = tmp_path / "other.db"
        shutil.copyfile(database_template, path)
        engine = storage_db.make_engine(f"sqlite:///{path}")
        yield storage_db.make_sessionmaker(engine)
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = storage_db.make_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = storage_db.make_engine(_postgres_schema_url(TEST_DATABASE_URL, schema))
    try:
        storage_db.upgrade(engine)
        yield storage_db.make_sessionmaker(engine)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def dump(db: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order: equal dumps mean nothing was written."""
    with db.begin() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def count(db: sessionmaker[Session], model: type) -> int:
    with db.begin() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def actions(db: sessionmaker[Session]) -> dict[str, Action]:
    with db.begin() as session:
        query = select(Action).options(
            joinedload(Action.review), joinedload(Action.agency), joinedload(Action.owner),
            joinedload(Action.recommendation),
        )  # fmt: skip
        return {action.ref: action for action in session.scalars(query)}


def updates(db: sessionmaker[Session], ref: str) -> list[Update]:
    with db.begin() as session:
        query = select(Update).options(joinedload(Update.person)).join(Action).where(Action.ref == ref)
        return list(session.scalars(query.order_by(Update.version)))


def add_review(db: sessionmaker[Session], code: str = "CC", title: str = "SCR Child C") -> None:
    with db.begin() as session:
        session.add(Review(code=code, title=title, kind=ReviewKind.SCR))


def write(tmp_path: Path, body: str, name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# --- Messy sheets ---------------------------------------------------------------------------------


def test_a_messy_csv_is_imported(db: sessionmaker[Session], now: datetime) -> None:
    report = import_plan(
        db, FIXTURES / "messy-child-c.csv", now=now, review="cc", title="SCR Child C", kind=ReviewKind.SCR
    )

    assert report.added == ["CC-1", "CC-2", "CC-3", "CC-4", "CC-5"]
    assert report.reviews_added == ["CC (SCR Child C, scr)"]
    assert report.ignored_columns == ["'Comments' (column N)"]
    stored = actions(db)
    assert stored["CC-1"].due == date(2015, 3, 31)
    assert stored["CC-1"].status is Status.COMPLETE  # Blue on a BRAG sheet
    assert stored["CC-1"].rag is Rag.BLUE  # kept, so an export says Blue again
    assert stored["CC-1"].plan is Plan.MULTI_AGENCY
    assert stored["CC-1"].progress == "Protocol agreed\nat the safeguarding committee"
    assert stored["CC-1"].evidence == "Protocol on the intranet"
    assert stored["CC-1"].owner is not None and stored["CC-1"].owner.email == "rachel.greaves@nbt.example.org"
    assert stored["CC-1"].recommendation is not None and stored["CC-1"].recommendation.number == "1"
    assert stored["CC-2"].due == date(2015, 6, 30)  # 30.6.15
    assert (stored["CC-2"].status, stored["CC-2"].rag) == (Status.IN_PROGRESS, Rag.AMBER)
    assert stored["CC-2"].owner_id == stored["CC-1"].owner_id
    assert stored["CC-3"].due == date(2016, 3, 31)  # March 2016: the month's last day
    assert (stored["CC-3"].status, stored["CC-3"].rag) == (Status.IN_PROGRESS, Rag.RED)
    assert stored["CC-4"].due == date(2015, 9, 30)
    assert stored["CC-4"].owner is None  # a name without an e-mail that matches nobody
    assert stored["CC-4"].agency.name == "Avon & Somerset Police"
    assert stored["CC-5"].owner_id == stored["CC-3"].owner_id  # "tom okafor" matched by name
    assert (stored["CC-5"].status, stored["CC-5"].plan) == (Status.NOT_STARTED, Plan.SINGLE_AGENCY)
    assert stored["CC-5"].due == stored["CC-5"].original_due == date(2015, 12, 31)
    assert report.named_leads == ["CC-4: DI Sarah Whitfield"]  # kept, listed: cannot be nudged yet
    assert stored["CC-4"].lead_name == "DI Sarah Whitfield"
    with db.begin() as session:
        agencies = {agency.name: agency.code for agency in session.scalars(select(Agency))}
        people = {person.email: (person.name, person.role) for person in session.scalars(select(Person))}
    assert agencies == {
        "North Bristol NHS Trust": "north-bristol-nhs-trust",
        "South Glos Children's Social Care": "south-glos-childrens-social-care",
        "Avon & Somerset Police": "avon-somerset-police",
    }
    assert people == {
        "rachel.greaves@nbt.example.org": ("Dr Rachel Greaves", Role.AGENCY_LEAD),
        "tom.okafor@csc.example.org": ("Tom Okafor", Role.AGENCY_LEAD),
    }
    created = updates(db, "CC-1")
    assert [(u.kind, u.source) for u in created] == [("created", "import")]
    assert created[0].changes["due"] == [None, "2015-03-31"]
    assert created[0].note == "Imported from messy-child-c.csv, row 5"


def test_a_messy_workbook_is_imported(db: sessionmaker[Session], now: datetime) -> None:
    report = import_plan(db, FIXTURES / "messy-baby-m.xlsx", now=now, review="BM", title="Case review Baby M")

    # Row 7 has no ref: it takes the next number after every ref in the sheet, BM-7 included.
    assert report.added == ["BM-1", "BM-2", "BM-8", "BM-7"]
    stored = actions(db)
    assert stored["BM-1"].due == date(2015, 9, 30)
    assert stored["BM-1"].original_due == date(2015, 6, 30)
    assert stored["BM-2"].due == date(2015, 12, 31)
    assert stored["BM-2"].status is Status.COMPLETE
    assert stored["BM-2"].completed_on == date(2015, 11, 30)
    assert stored["BM-8"].status is Status.SIGNED_OFF
    assert stored["BM-8"].signed_off_on == date(2015, 8, 15)
    assert stored["BM-7"].due == date(2016, 3, 31)  # Mar-16
    assert stored["BM-7"].owner is not None and stored["BM-7"].owner.email == "gareth.lloyd@probation.example.org"
    assert stored["BM-1"].recommendation_id == stored["BM-2"].recommendation_id  # a merged cell
    with db.begin() as session:
        review = session.scalars(select(Review)).one()
        texts = {r.number: r.text for r in session.scalars(select(Recommendation))}
    assert (review.code, review.title, review.kind) == ("BM", "Case review Baby M", ReviewKind.CASE_REVIEW)
    assert texts == {
        "1": "Pregnant women who misuse drugs or alcohol need a joined-up plan.",
        "2": "Learning from the hot debrief must reach front-line staff quickly.",
    }


def test_a_sheet_with_one_recommendation_column_holding_the_wording(
    db: sessionmaker[Session], now: datetime, tmp_path: Path
) -> None:
    add_review(db)
    path = tmp_path / "plan.csv"
    wording = "Assessments must include every adult in the household."
    path.write_text(
        f"Recommendation,Action,Agency,Due\n{wording},Audit assessments,Police,31/03/2016\n"
        f"{wording},Train staff,Police,30/04/2016\n",
        encoding="utf-8",
    )

    import_plan(db, path, now=now, review="CC")

    with db.begin() as session:
        assert [(r.number, r.text) for r in session.scalars(select(Recommendation))] == [("1", wording)]


# --- Bad sheets -----------------------------------------------------------------------------------


def test_a_bad_sheet_is_refused_whole_listing_every_bad_row(
    db: sessionmaker[Session], now: datetime, seeded: Path
) -> None:
    add_review(db, "BM", "Case review Baby M")
    before = dump(db)

    with pytest.raises(SheetRejected) as raised:
        import_plan(db, FIXTURES / "bad-sheet.csv", now=now)

    found = [(error.cell, error.column) for error in raised.value.errors]
    assert found == [
        ("C3", "Action"),
        ("G4", "Status"),
        ("F5", "Target Date"),
        ("H5", "RAG"),
        ("D6", "Lead Agency"),
        ("A7", "Ref"),
        ("A8", "Ref"),
        ("E9", "Officer Email"),
        ("B10", "Review"),
        ("H11", "RAG"),
    ]
    reasons = {error.cell: error.reason for error in raised.value.errors}
    assert reasons["C3"].startswith("missing action text")
    assert "'Finished' is not a status word: use Not started, In progress, Complete, Signed off" in reasons["G4"]
    assert "31 February 2015 does not exist" in reasons["F5"]
    assert "'Purple' is not a RAG word" in reasons["H5"]
    assert reasons["D6"].startswith("missing lead agency")
    assert reasons["A7"] == "duplicate action number CC-1: also at bad-sheet.csv, A2"
    assert "ref of another review (BM)" in reasons["A8"]
    assert reasons["E9"].startswith("'tom.okafor at csc' is not an e-mail address")
    assert reasons["B10"].startswith("unknown review 'ZZ': create it with `python -m bot import")
    assert "--review ZZ --title" in reasons["B10"]
    assert "Blue means complete, but the status says 'In progress'" in reasons["H11"]
    message = str(raised.value)
    assert "nothing was changed" in message
    assert "10 problems in 9 rows" in message
    assert "B10 (Review): unknown review 'ZZ'" in message
    assert dump(db) == before


@pytest.fixture
def seeded(db: sessionmaker[Session], now: datetime, tmp_path: Path) -> Path:
    """Review CC with three actions imported from a sheet; returns the sheet."""
    add_review(db)
    path = write(
        tmp_path,
        "CC-1,CC,Introduce a bruising protocol,North Bristol NHS Trust,Dr Rachel Greaves,"
        "rachel.greaves@nbt.example.org,31/03/2015,In progress,Green,Drafted\n"
        "CC-2,CC,Include all adult males in assessments,Children's Social Care,Tom Okafor,"
        "tom.okafor@csc.example.org,30/06/2015,Not started,,\n"
        "CC-3,CC,Police checks on new partners,Avon and Somerset Police,,,30/09/2015,,,\n",
        "seed.csv",
    )
    import_plan(db, path, now=now)
    return path


def test_missing_columns_are_listed(db: sessionmaker[Session], now: datetime, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("Action,Owner\nAudit,Tom\n", encoding="utf-8")

    with pytest.raises(SheetRejected) as raised:
        import_plan(db, path, now=now)

    assert [(e.row, e.column) for e in raised.value.errors] == [(1, "Lead Agency"), (1, "Review")]
    assert "also read: Agency, Organisation" in str(raised.value)


def test_identifying_details_in_a_sheet_are_refused(db: sessionmaker[Session], now: datetime, tmp_path: Path) -> None:
    add_review(db)
    with db.begin() as session:
        review = session.scalars(select(Review)).one()
        session.add(ProtectedName(review_id=review.id, name="Kayleigh Smith"))
    path = write(tmp_path, ",CC,Review Kayleigh Smith's plan,Police,,,31/03/2016,,,Seen at BS16 1QY\n")

    with pytest.raises(SheetRejected) as raised:
        import_plan(db, path, now=now)

    assert [(e.column, e.reason.split(":")[0]) for e in raised.value.errors] == [
        ("Action", "looks like it contains a protected name"),
        ("Progress", "looks like it contains a UK postcode"),
    ]
    assert "Kayleigh" not in str(raised.value) and "BS16" not in str(raised.value)


def test_an_unknown_file_is_reported_not_raised_raw(db: sessionmaker[Session], now: datetime, tmp_path: Path) -> None:
    with pytest.raises(SheetUnreadable, match="Cannot read"):
        import_plan(db, tmp_path / "missing.csv", now=now)
    with pytest.raises(SheetUnreadable, match="save it as .xlsx"):
        import_plan(db, tmp_path / "old.xls", now=now)


def test_an_unknown_importer_is_refused(db: sessionmaker[Session], now: datetime, seeded: Path) -> None:
    with pytest.raises(UnknownPerson):
        import_plan(db, seeded, now=now, person_email="nobody@example.org")


def test_a_title_needs_a_review_code(db: sessionmaker[Session], now: datetime, seeded: Path) -> None:
    with pytest.raises(UsageError):
        import_plan(db, seeded, now=now, title="SCR Child C")


# --- Re-importing ---------------------------------------------------------------------------------


def test_reimporting_the_same_sheet_changes_nothing(db: sessionmaker[Session], now: datetime, seeded: Path) -> None:
    before = dump(db)

    report = import_plan(db, seeded, now=now + timedelta(days=1))

    assert (report.added, report.changed, report.unchanged) == ([], {}, 3)
    assert dump(db) == before


def test_reimporting_a_sheet_without_refs_matches_actions_by_text(
    db: sessionmaker[Session], now: datetime, tmp_path: Path
) -> None:
    before_count = count(db, Action)
    report = import_plan(db, FIXTURES / "messy-child-c.csv", now=now, review="CC", title="SCR Child C")
    assert len(report.added) == 5
    before = dump(db)

    again = import_plan(db, FIXTURES / "messy-child-c.csv", now=now, review="CC", title="SCR Child C")

    assert (again.added, again.changed, again.unchanged) == ([], {}, 5)
    assert dump(db) == before
    assert count(db, Action) == before_count + 5


def test_an_edited_sheet_updates_in_place(
    db: sessionmaker[Session], now: datetime, seeded: Path, tmp_path: Path
) -> None:
    edited = write(
        tmp_path,
        "cc-1,CC,Introduce a bruising protocol,North Bristol NHS Trust,Dr Rachel Greaves,"
        "rachel.greaves@nbt.example.org,30/04/2015,Complete,Green,Agreed by all trusts\n"
        "CC-2,CC,Include all adult males in assessments,Children's Social Care,Tom Okafor,"
        "tom.okafor@csc.example.org,30/06/2015,Not started,Amber,\n"
        ",CC,A new action from the sub-group,Avon and Somerset Police,,,31/12/2015,,,\n",
        "edited.csv",
    )
    later = now + timedelta(days=3)

    report = import_plan(db, edited, now=later)

    assert report.added == ["CC-4"]
    assert report.changed == {
        "CC-1": {
            "Target Date": ("Tue 31 Mar 2015", "Thu 30 Apr 2015"),
            "Status": ("In progress", "Complete"),
            "Progress": ("Drafted", "Agreed by all trusts"),
        },
        "CC-2": {"RAG": ("Green", "Amber")},
    }
    assert report.unchanged == 0
    assert report.not_in_sheet == ["CC-3"]
    assert "Not in the sheet, left alone: 1 (CC-3)" in report.render()
    stored = actions(db)
    assert count(db, Action) == 4
    assert (stored["CC-1"].due, stored["CC-1"].original_due) == (date(2015, 4, 30), date(2015, 3, 31))
    assert stored["CC-1"].status is Status.COMPLETE
    assert stored["CC-1"].last_update_at == later  # news from the owner's side
    history = updates(db, "CC-1")
    assert [(u.kind, u.source, u.at) for u in history] == [
        ("created", "import", now),
        ("import", "import", later),
    ]
    assert history[1].changes == {
        "due": ["2015-03-31", "2015-04-30"],
        "status": ["in_progress", "complete"],
        "progress": ["Drafted", "Agreed by all trusts"],
    }
    assert [u.kind for u in updates(db, "CC-2")] == ["created", "import"]
    assert [u.kind for u in updates(db, "CC-3")] == ["created"]
    assert [u.kind for u in updates(db, "CC-4")] == ["created"]


def test_blank_cells_keep_what_is_stored(
    db: sessionmaker[Session], now: datetime, seeded: Path, tmp_path: Path
) -> None:
    # The original plan, without the progress column filled in, must not undo progress.
    sheet = write(
        tmp_path,
        "CC-1,CC,Introduce a bruising protocol,North Bristol NHS Trust,,,31/03/2015,,,\n",
        "original.csv",
    )

    report = import_plan(db, sheet, now=now)

    assert (report.changed, report.unchanged) == ({}, 1)
    stored = actions(db)["CC-1"]
    assert (stored.status, stored.progress) == (Status.IN_PROGRESS, "Drafted")
    assert stored.owner is not None


def test_a_dry_run_reports_and_writes_nothing(
    db: sessionmaker[Session], now: datetime, seeded: Path, tmp_path: Path
) -> None:
    edited = write(
        tmp_path,
        "CC-1,CC,Introduce a bruising protocol,North Bristol NHS Trust,Dr Rachel Greaves,"
        "rachel.greaves@nbt.example.org,31/03/2015,Complete,Green,Drafted\n"
        ",CC,New,Probation,Gareth Lloyd,gareth.lloyd@probation.example.org,31/12/2015,,,\n",
    )
    before = dump(db)

    report = import_plan(db, edited, now=now, dry_run=True)

    assert report.dry_run
    assert report.added == ["CC-4"]
    assert report.changed == {"CC-1": {"Status": ("In progress", "Complete")}}
    assert report.agencies_added == ["Probation (code probation)"]
    assert report.people_added == ["Gareth Lloyd <gareth.lloyd@probation.example.org>"]
    assert report.render().startswith("Dry run of plan.csv: nothing was written.")
    assert dump(db) == before
    real = import_plan(db, edited, now=now)
    assert (real.added, real.changed) == (report.added, report.changed)


def test_the_importer_is_recorded(db: sessionmaker[Session], now: datetime, seeded: Path, tmp_path: Path) -> None:
    with db.begin() as session:
        session.add(Person(name="Mark Ellison", email="mark.ellison@lscb.example.org", role=Role.COORDINATOR))
    edited = write(tmp_path, "CC-3,CC,Police checks on new partners,Avon and Somerset Police,,,31/10/2015,,,\n")

    import_plan(db, edited, now=now, person_email="Mark.Ellison@lscb.example.org")

    last = updates(db, "CC-3")[-1]
    assert last.person is not None and last.person.name == "Mark Ellison"
    assert last.changes == {"due": ["2015-09-30", "2015-10-31"]}


def test_a_review_title_is_updated(db: sessionmaker[Session], now: datetime, seeded: Path) -> None:
    report = import_plan(db, seeded, now=now, review="CC", title="Serious case review: Child C")

    assert report.reviews_changed == ["CC: title: SCR Child C -> Serious case review: Child C"]
    with db.begin() as session:
        assert session.scalars(select(Review.title)).one() == "Serious case review: Child C"


def test_an_owner_is_matched_by_name_or_left_alone_with_a_warning(
    db: sessionmaker[Session], now: datetime, seeded: Path, tmp_path: Path
) -> None:
    sheet = write(
        tmp_path,
        "CC-3,CC,Police checks on new partners,Avon and Somerset Police,TOM  OKAFOR,,30/09/2015,,,\n"
        "CC-2,CC,Include all adult males in assessments,Children's Social Care,T. Okafor,,30/06/2015,,,\n",
    )

    report = import_plan(db, sheet, now=now)

    assert report.changed == {"CC-3": {"Lead Officer": ("", "Tom Okafor <tom.okafor@csc.example.org>")}}
    assert report.warnings == [
        "plan.csv, row 3: lead officer 'T. Okafor' has no e-mail and matches nobody the bot knows; "
        "CC-2 keeps its owner."
    ]


# --- Export and round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_reimports_with_no_changes(
    db: sessionmaker[Session], now: datetime, tmp_path: Path, suffix: str
) -> None:
    import_plan(db, FIXTURES / "messy-child-c.csv", now=now, review="CC", title="SCR Child C")
    import_plan(db, FIXTURES / "messy-baby-m.xlsx", now=now, review="BM", title="Case review Baby M")
    path = tmp_path / f"export{suffix}"
    assert export_plan(db, path) == 9
    before = dump(db)

    report = import_plan(db, path, now=now)

    assert (report.added, report.changed, report.unchanged) == ([], {}, 9)
    assert dump(db) == before


def test_an_export_can_be_limited_to_reviews(db: sessionmaker[Session], now: datetime, tmp_path: Path) -> None:
    import_plan(db, FIXTURES / "messy-child-c.csv", now=now, review="CC", title="SCR Child C")
    import_plan(db, FIXTURES / "messy-baby-m.xlsx", now=now, review="BM", title="Case review Baby M")
    path = tmp_path / "bm.csv"

    assert export_plan(db, path, reviews=["bm"]) == 4
    assert [row.get("ref") for row in read_sheet(path).rows] == ["BM-1", "BM-2", "BM-7", "BM-8"]
    with pytest.raises(UserError, match="No review with code ZZ"):
        export_plan(db, path, reviews=["ZZ"])
    with pytest.raises(UsageError):
        export_plan(db, tmp_path / "plan.pdf")


def test_the_blank_templates_import_nothing(db: sessionmaker[Session], now: datetime) -> None:
    templates = Path(__file__).parents[2] / "templates"
    for name in ("action-plan.csv", "action-plan.xlsx"):
        report = import_plan(db, templates / name, now=now, review="CC", title="SCR Child C")
        assert report.added == []
        source = "action-plan.csv" if name.endswith(".csv") else "action-plan.xlsx, sheet 'Action plan'"
        assert report.warnings == [f"{source}: no actions found under the header on row 1."]


def test_the_change_log_is_exported_with_names(
    db: sessionmaker[Session], now: datetime, seeded: Path, tmp_path: Path
) -> None:
    edited = write(
        tmp_path,
        "CC-2,CC,Include all adult males in assessments,Avon and Somerset Police,Dr Rachel Greaves,"
        "rachel.greaves@nbt.example.org,30/06/2015,,,\n",
    )
    import_plan(db, edited, now=now + timedelta(days=1))
    path = tmp_path / "changes.csv"

    assert export_updates(db, path) == 4

    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["Ref"], row["Kind"]) for row in rows] == [
        ("CC-1", "created"),
        ("CC-2", "created"),
        ("CC-3", "created"),
        ("CC-2", "import"),
    ]
    last = rows[-1]
    assert last["At"] == "2026-04-02T10:00:00+01:00"  # London time
    assert (last["Review"], last["Source"], last["By"]) == ("CC", "import", "")
    assert last["Changes"] == (
        "agency: Children's Social Care -> Avon and Somerset Police; owner: Tom Okafor -> Dr Rachel Greaves"
    )
    assert last["Note"] == "Imported from plan.csv, row 2"
    assert "review_id" not in rows[0]["Changes"]
    assert export_updates(db, tmp_path / "bm.xlsx", reviews=["BM"]) == 0
