"""Write the blank action-plan templates: ``python templates/make_templates.py``.

Both files have the import's headings in order; the workbook adds drop-downs for Plan, Status
and RAG, UK date cells, and a second sheet saying what goes in each column. The example plan
(``example-board-plan.xlsx``) is laid out the way boards publish theirs, to try the import on.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script from anywhere in the checkout

from bot.plans import CHOICES, INSTRUCTIONS  # noqa: E402
from storage.spreadsheet import write_sheet  # noqa: E402
from templates.example_board_plan import board_workbook  # noqa: E402


def main() -> None:
    write_sheet(HERE / "action-plan.csv", [])
    write_sheet(HERE / "action-plan.xlsx", [], choices=CHOICES, instructions=INSTRUCTIONS)
    board_workbook(HERE / "example-board-plan.xlsx")  # a plan as boards lay them out, for the README


if __name__ == "__main__":
    main()
