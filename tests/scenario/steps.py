"""The console scenario of the core issue, once: what people type, what they must read, who else is told.

Run against every surface by tests/scenario/test_scenario.py (console, Slack, Teams); each surface
must give the same answers and leave the same change history, marked with where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

LEAD = "tom.okafor@csc.example.org"  # an agency lead in the demo plans
CHAIR = "helen.ashworth@lscb.example.org"  # the sub-group chair


@dataclass(frozen=True)
class Step:
    who: str  # the e-mail of the person typing
    text: str  # what they type after /action
    expect: tuple[str, ...]  # what the answer must say
    told: str | None = None  # someone else who must get a message because of it
    notice: str = ""  # what that message must say


STEPS = (
    Step(LEAD, "update bm-1 at-risk Audit tool agreed, waiting for case files",
         ("Update recorded for BM-1 (at risk).",)),
    Step(LEAD, "update BM-1 at-risk Audit tool agreed, waiting for case files", ("Already recorded",)),
    Step(LEAD, "extend BM-1 in 3 weeks Case files arrive late", ("Extension for BM-1 to", "requested"),
         told=CHAIR, notice="Tom Okafor asks to move BM-1 from"),
    Step(LEAD, "done CC-5 All assessments now record every adult in the household",
         ("CC-5 is marked complete and now waits for the chair's sign-off.",)),
    Step(CHAIR, "approve BM-1", ("Extension approved: BM-1 is now due",),
         told=LEAD, notice="Dr Helen Ashworth approved the extension for BM-1"),
    Step(CHAIR, "signoff CC-5 Audit evidence seen at sub-group", ("CC-5 is signed off.",)),
    Step(CHAIR, "outstanding review:BM", ("Outstanding actions (review BM)",)),
    Step(CHAIR, "signoff CC-99", ("There is no action CC-99.",)),
)  # fmt: skip

# The change history the scenario leaves, in order: (ref, kind). The source is the surface's name.
HISTORY = (
    ("BM-1", "update"),
    ("BM-1", "extension_requested"),
    ("CC-5", "done"),
    ("BM-1", "extension_approved"),
    ("CC-5", "signoff"),
)
