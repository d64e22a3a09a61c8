"""Import and export action plans: every row is checked, then all are applied in one transaction or none.

The rules a board sees (the README repeats them):

- A sheet with any bad row is refused whole, listing every bad row; the database is unchanged.
- Actions are matched by ref; a row without a ref matches an action of its review with the
  same text, else becomes the review's next ref. Re-importing a sheet changes nothing.
- A blank cell in an optional column keeps what is stored (so re-loading an old sheet never
  undoes progress reported in chat); on a new action it takes the column's default.
- Actions of the sheet's reviews that are not in the sheet are left alone.

An import runs in phases, one module each: ``loading`` fetches what the sheet refers to,
``checking`` turns every row into a target or an error, ``importer`` compares and applies.
``vocabulary`` holds the sheet's words, ``report`` what an import tells its caller, and
``export`` writes the template layout and the change log.
"""

from bot.plans.export import LONDON, UPDATE_HEADINGS, export_plan, export_updates
from bot.plans.importer import import_plan, import_sheet
from bot.plans.report import ImportReport, RowError, SheetRejected, SheetUnreadable
from bot.plans.targets import AgencyLike, PersonLike, RecLike
from bot.plans.vocabulary import (
    CHOICES,
    DEFAULT_KIND,
    INSTRUCTIONS,
    OWNER_SIDE,
    PLAN_LABELS,
    PLAN_WORDS,
    RAG_LABELS,
    RAG_WORDS,
    STATUS_LABELS,
    STATUS_WORDS,
)

__all__ = [
    "CHOICES",
    "DEFAULT_KIND",
    "INSTRUCTIONS",
    "LONDON",
    "OWNER_SIDE",
    "PLAN_LABELS",
    "PLAN_WORDS",
    "RAG_LABELS",
    "RAG_WORDS",
    "STATUS_LABELS",
    "STATUS_WORDS",
    "UPDATE_HEADINGS",
    "AgencyLike",
    "ImportReport",
    "PersonLike",
    "RecLike",
    "RowError",
    "SheetRejected",
    "SheetUnreadable",
    "export_plan",
    "export_updates",
    "import_plan",
    "import_sheet",
]
