"""An example plan laid out the way safeguarding boards publish them: ``templates/example-board-plan.xlsx``.

``python templates/make_templates.py`` writes it; the tests import the same workbook.

Title rows above the header, a band across the table, a recommendation merged down across its
actions, a key row under the table, a hidden older progress column, a RAG cell coloured but
empty, Excel date cells shown as ``mmm-yy``, two action sheets, a cover sheet and a key sheet.
Everything is invented.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

AMBER_FILL = PatternFill("solid", fgColor="FFC000")
RED_FILL = PatternFill("solid", fgColor="FF0000")
SINGLE_HEADINGS = [
    "No.",
    "Recommendation",
    "Action",
    "Lead Agency",
    "Lead Officer / Responsible Person",
    "Target Date / Timescale",
    "Status",
    "RAG",
    "Progress (Jan 2019)",  # an older progress column the board hid
    "Progress to date",
    "Evidence of Impact / Outcome",
    "Date Completed",
    "Date closed",
    "Comments",
]


def board_workbook(path: Path) -> Path:
    """SCR Child R's plan: a cover sheet, a single-agency sheet, a multi-agency sheet and a key."""
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["Northshire Safeguarding Children Partnership"])
    cover.append(["Serious Case Review: Child R - Action plan"])
    cover.append(["Agreed by the Board on 12 March 2019"])
    _single_agency(workbook.create_sheet("Single agency actions"))
    _multi_agency(workbook.create_sheet("Multi-agency actions"))
    key = workbook.create_sheet("Key")
    key.append(["BRAG key"])
    key.append(["Blue", "Complete and evidenced"])
    key.append(["Red", "Off track"])
    workbook.save(path)
    return path


def _single_agency(sheet) -> None:  # type: ignore[no-untyped-def]
    sheet.append(["SCR Child R: single agency action plan"])
    sheet.merge_cells("A1:N1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["Updated for the SCR sub-group, 2 April 2020"])
    sheet.append([])
    sheet.append(SINGLE_HEADINGS)  # row 4
    sheet.append(["SECTION A - CHILDREN'S SOCIAL CARE"])  # row 5: a band across the table
    sheet.merge_cells("A5:N5")
    rec = "1. Assessments must include every adult in the household"
    sheet.append(
        ["CSC1", rec, "Audit 20 assessments for the adults they name", "Children's Social Care", "Jo Bloggs",
         "Q3 2019/20", "Complete", "Blue", "Audit planned", "Audit done: 18 of 20 named every adult",
         "Audit report to the sub-group", datetime(2019, 11, 15), datetime(2020, 1, 20), ""]
    )  # fmt: skip
    sheet.append(
        ["CSC2", None, "Train every social worker in assessing new partners", "CSC",
         "tom.okafor@csc.example.org", datetime(2020, 3, 1), "Partially complete", None, "",
         "Two of three sessions held", "", None, None, "see minutes"]
    )  # fmt: skip
    sheet.merge_cells("B6:B7")  # the recommendation merged down across its two actions
    sheet["F7"].number_format = "mmm-yy"  # shows Mar-20: the board means March 2020
    sheet["H7"].fill = AMBER_FILL  # coloured amber, no word typed
    sheet.append(
        ["POL1", "2. Police checks on new partners", "Check every new partner against police records",
         "Police / CSC", "DI Sarah Whitfield", "Ongoing", "Not yet due", "Green", "", "", "", None, None, ""]
    )  # fmt: skip
    sheet.append([])
    sheet.append(["Key: B = complete and evidenced, R = off track, A = at risk, G = on track"])
    sheet.column_dimensions["I"].hidden = True


def _multi_agency(sheet) -> None:  # type: ignore[no-untyped-def]
    sheet.append(["SCR Child R: multi-agency action plan"])
    sheet.append(
        ["Ref", "Action(s)", "Lead agency", "Timescale", "BRAG", "Outcome", "Completed", "Supporting agencies"]
    )
    sheet.append(
        ["1.1", "Write a protocol for injuries to non-mobile babies", "North Bristol NHS Trust",
         "End of Q1 2020/21", "Achieved", "Protocol on the intranet", "30th April 2020", "Sirona Care & Health"]
    )  # fmt: skip
    sheet.append(
        ["1.2", "Every partner agency adopts the protocol", "Health / Education", "Within 6 months", "In progress",
         "", "", ""]
    )  # fmt: skip
    sheet.append(["1.3", "Audit the protocol's use", "North Bristol NHS Trust", "31st March 2020", None, "", "", ""])
    sheet["E5"].fill = RED_FILL
    sheet.append(["* Timescales agreed at the Board, March 2019"])
