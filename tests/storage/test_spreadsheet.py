"""Reading messy action-plan sheets and writing the template layout: format only, no database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from storage.spreadsheet import (
    TEMPLATE_HEADINGS,
    SheetFormatError,
    match_heading,
    parse_table,
    read_sheet,
    write_sheet,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
TEMPLATES = Path(__file__).parents[2] / "templates"


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Ref", "ref"),
        (" REF. ", "ref"),
        ("Action ref", "ref"),
        ("Reference", "ref"),
        ("Review", "review"),
        ("Rec", "recommendation"),
        ("Recommendation No.", "recommendation"),
        ("Recommendation Text", "recommendation_text"),
        ("Action", "action"),
        ("ACTIONS", "action"),
        ("Action(s)", "action"),
        ("Action to be taken", "action"),
        ("Plan", "plan"),
        ("Single / Multi", "plan"),
        ("Lead Agency", "agency"),
        ("Agency", "agency"),
        ("Organisation", "agency"),
        ("Lead Officer", "officer"),
        ("Owner", "officer"),
        ("Responsible officer", "officer"),
        ("Officer Email", "officer_email"),
        ("E-mail", "officer_email"),
        ("Target Date", "due"),
        ("target  date (dd/mm/yyyy)", "due"),
        ("Timescale", "due"),
        ("By when?", "due"),
        ("Due", "due"),
        ("Deadline", "due"),
        ("Target completion date", "due"),
        ("Original Target Date", "original_due"),
        ("Status", "status"),
        ("RAG", "rag"),
        ("BRAG", "rag"),
        ("RAG status", "rag"),
        ("B.R.A.G. Status", "rag"),
        ("RAG (Red/Amber/Green)", "rag"),
        ("Progress", "progress"),
        ("Progress update", "progress"),
        ("Update", "progress"),
        ("Evidence", "evidence"),
        ("Evidence of completion", "evidence"),
        ("Evidence of impact", "evidence"),
        ("Completed On", "completed_on"),
        ("Signed Off On", "signed_off_on"),
        ("Comments", None),
        ("Action plan", None),
        ("", None),
    ],
)
def test_headings_are_matched_tolerantly(heading: str, key: str | None) -> None:
    assert match_heading(heading) == key


def test_a_messy_csv_is_read_below_its_title_rows() -> None:
    sheet = read_sheet(FIXTURES / "messy-child-c.csv")

    assert sheet.header_row == 4
    assert sheet.columns["ref"] == "REF."  # the byte-order mark and spaces are gone
    assert set(sheet.columns) == {
        "ref",
        "review",
        "recommendation",
        "action",
        "plan",
        "agency",
        "officer",
        "officer_email",
        "due",
        "status",
        "rag",
        "progress",
        "evidence",
    }
    assert sheet.ignored == ["'Comments' (column N)"]
    assert [row.number for row in sheet.rows] == [5, 6, 8, 9, 10]  # the blank row 7 is skipped
    first = sheet.rows[0]
    assert first.get("review") == "cc"
    assert first.get("due") == "31/03/2015"  # dates stay text: the import reads them
    assert first.get("progress") == "Protocol agreed\nat the safeguarding committee"
    assert sheet.rows[3].get("officer_email") == ""


def test_a_windows_csv_is_read_in_its_code_page() -> None:
    sheet = read_sheet(FIXTURES / "messy-cp1252.csv")

    assert sheet.rows[0].get("agency") == "Children\u2019s Social Care"
    assert sheet.rows[0].get("progress") == "Caf\u00e9 meeting held"


def test_a_semicolon_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("Action;Lead Agency;Timescale\nAudit assessments;Police, Avon;31/03/2016\n", encoding="utf-8")

    sheet = read_sheet(path)

    assert dict(sheet.rows[0].values) == {
        "action": "Audit assessments",
        "agency": "Police, Avon",
        "due": "31/03/2016",
    }


def test_a_messy_workbook_is_read_from_its_first_sheet_with_a_header() -> None:
    sheet = read_sheet(FIXTURES / "messy-baby-m.xlsx")

    assert sheet.source == "messy-baby-m.xlsx, sheet 'Action plan v3'"
    assert sheet.header_row == 3
    assert "'Notes' (column P)" in sheet.ignored
    rows = {row.number: row for row in sheet.rows}
    assert sorted(rows) == [4, 5, 7, 8]
    assert rows[4].get("due") == date(2015, 9, 30)  # an Excel date cell
    assert rows[5].get("due") == "31/12/2015"  # a date typed as text
    assert rows[5].get("recommendation") == "1"  # Excel's 1.0
    # The recommendation merged down across its two actions reaches both.
    assert rows[5].get("recommendation_text") == rows[4].get("recommendation_text") != ""
    assert rows[5].get("completed_on") == date(2015, 11, 30)


def test_a_sheet_can_be_named(tmp_path: Path) -> None:
    sheet = read_sheet(FIXTURES / "messy-baby-m.xlsx", "action PLAN v3")
    assert len(sheet.rows) == 4

    with pytest.raises(SheetFormatError, match="no sheet called 'Plan'.*'Cover', 'Action plan v3'"):
        read_sheet(FIXTURES / "messy-baby-m.xlsx", "Plan")


def test_a_sheet_without_a_header_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("Minutes of the sub-group\nNothing to report\n", encoding="utf-8")

    with pytest.raises(SheetFormatError, match="no header row found.*'Action' column"):
        read_sheet(path)


@pytest.mark.parametrize("name", ["plan.xls", "plan.ods", "plan.pdf"])
def test_other_file_types_are_refused_with_what_to_do(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(SheetFormatError, match=r"\.xlsx"):
        read_sheet(path)


def test_a_broken_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(SheetFormatError, match="cannot open it as an Excel workbook"):
        read_sheet(path)


def test_a_heading_used_twice_is_read_once_and_reported() -> None:
    sheet = parse_table([["Action", "RAG", "BRAG", "Agency"], ["Audit", "Red", "Blue", "Police"]], "test")

    assert sheet.rows[0].get("rag") == "Red"
    assert sheet.ignored == ["'BRAG' (column C: 'RAG' is already read as rag)"]


ROWS = [
    {
        "ref": "CC-1",
        "review": "CC",
        "action": "Introduce a protocol, with training",
        "agency": "Avon and Somerset Police",
        "due": date(2015, 3, 31),
        "original_due": date(2015, 1, 31),
        "status": "In progress",
        "progress": '=HYPERLINK("http://example.org")',  # text, never a formula
        "evidence": "Line one\nline two",
    },
    {
        "ref": "CC-2",
        "review": "CC",
        "action": "- a bullet and +1",
        "agency": "Police",
        "due": date(2016, 1, 1),
    },
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_written_rows_read_back_the_same(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plan{suffix}"

    assert write_sheet(path, ROWS) == 2

    sheet = read_sheet(path)
    assert sheet.header_row == 1
    assert list(sheet.columns.values()) == list(TEMPLATE_HEADINGS)
    for written, row in zip(ROWS, sheet.rows, strict=True):
        read = {key: value for key, value in row.values.items() if value != ""}
        expected = {
            key: value if suffix == ".xlsx" or not isinstance(value, date) else value.strftime("%d/%m/%Y")
            for key, value in written.items()
        }
        assert read == expected


def test_a_workbook_keeps_text_that_looks_like_a_formula_as_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_sheet(path, ROWS)

    cell = load_workbook(path)["Action plan"]["N2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_a_csv_guards_text_that_looks_like_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    write_sheet(path, ROWS)

    assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")
    assert ",- a bullet and +1," in path.read_text(encoding="utf-8-sig")


def test_a_workbook_offers_drop_downs_and_instructions(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_sheet(path, ROWS, choices={"status": ["Not started", "Complete"]}, instructions=[("Ref", "Leave blank")])

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Action plan", "How to fill this in"]
    validations = workbook["Action plan"].data_validations.dataValidation
    assert [v.formula1 for v in validations] == ['"Not started,Complete"']
    assert workbook["Action plan"]["J2"].number_format == "DD/MM/YYYY"


@pytest.mark.parametrize("name", ["action-plan.csv", "action-plan.xlsx"])
def test_the_templates_have_the_template_headings_and_no_rows(name: str) -> None:
    sheet = read_sheet(TEMPLATES / name)

    assert list(sheet.columns.values()) == list(TEMPLATE_HEADINGS)
    assert sheet.rows == []
    assert sheet.ignored == []


def test_an_empty_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    with pytest.raises(SheetFormatError, match="no header row"):
        read_sheet(path)


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Target Date / Timescale", "due"),
        ("Lead Officer / Responsible Person", "officer"),
        ("Progress to date", "progress"),
        ("Date closed", "signed_off_on"),
        ("Outcome", "evidence"),
        ("Evidence of Impact / Success measure", "evidence"),
        ("No.", "ref"),
        ("Rec No.", "recommendation"),
        ("Responsible Agency", "agency"),
        ("*Action(s)*", "action"),
        ("Original Timescale", "original_due"),
        ("Supporting agencies", "supporting"),
        ("Date Completed", "completed_on"),
        ("Comments", None),
    ],
)
def test_boards_headings_are_matched_by_meaning(heading: str, key: str | None) -> None:
    assert match_heading(heading) == key


def test_fills_read_as_rag_colours() -> None:
    from openpyxl.styles import PatternFill

    from storage.sheet_xlsx import fill_colour

    cell = Workbook().active["A1"]  # type: ignore[index]
    for rgb, colour in (("FF0000", "red"), ("FFC000", "amber"), ("FFFF00", "amber"), ("00B050", "green"),
                        ("0070C0", "blue"), ("FFFFFF", None), ("D9D9D9", None)):  # fmt: skip
        cell.fill = PatternFill("solid", fgColor=rgb)
        assert fill_colour(cell) == colour, rgb
