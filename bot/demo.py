"""Demo data: three fictional action plans, loaded through the same import service as a real sheet.

The reviews follow the shape of a real LSCB annual report (SCR Child C, case review Baby M, another
board's review examined for learning); every person, e-mail address and detail is invented. Due
dates are counted from ``today`` so that any day's demo has overdue, due-soon, on-track and
completed actions. Loading it again on the same day changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.plans import PLAN_LABELS, RAG_LABELS, STATUS_LABELS, import_sheet
from storage.models import Action, Agency, Person, Plan, Rag, Review, ReviewKind, Role, Status, Update
from storage.spreadsheet import COLUMNS, TEMPLATE_HEADINGS, Cell, parse_table

AGENCIES = (
    ("police", "Avon and Somerset Police"),
    ("csc", "South Gloucestershire Children's Social Care"),
    ("nbt", "North Bristol NHS Trust"),
    ("sirona", "Sirona Care & Health"),
    ("probation", "National Probation Service"),
    ("das", "South Gloucestershire Drug and Alcohol Service"),
)
REVIEWS = (
    ("CC", "SCR Child C", ReviewKind.SCR),
    ("BM", "Case review Baby M", ReviewKind.CASE_REVIEW),
    ("EX", "External SCR: Family W (another LSCB)", ReviewKind.EXTERNAL),
)
# (name, e-mail, role, agency code): the board's own people; officers come in with the plan rows.
BOARD = (
    ("Dr Helen Ashworth", "helen.ashworth@lscb.example.org", Role.CHAIR, None),
    ("Mark Ellison", "mark.ellison@lscb.example.org", Role.COORDINATOR, None),
    ("Priya Natarajan", "priya.natarajan@lscb.example.org", Role.MEMBER, "csc"),
)
COORDINATOR_EMAIL = "mark.ellison@lscb.example.org"
OFFICERS = {
    "sarah.whitfield@police.example.org": "DI Sarah Whitfield",
    "tom.okafor@csc.example.org": "Tom Okafor",
    "claire.benson@csc.example.org": "Claire Benson",
    "rachel.greaves@nbt.example.org": "Dr Rachel Greaves",
    "joanne.pryce@sirona.example.org": "Joanne Pryce",
    "gareth.lloyd@probation.example.org": "Gareth Lloyd",
    "amina.yusuf@das.example.org": "Amina Yusuf",
}
RECOMMENDATIONS = {
    (
        "CC",
        "1",
    ): "Injuries to non-mobile babies must be recognised and acted on by every professional who sees them.",
    (
        "CC",
        "2",
    ): "Assessments must include every adult in the household, especially men who are new to the family.",
    ("CC", "3"): "Professionals must bring a parent's own history into focus when assessing risk to a baby.",
    ("BM", "1"): "Pregnant women who misuse drugs or alcohol need a joined-up plan from their first booking.",
    ("BM", "2"): "Learning from the hot debrief must reach front-line staff quickly.",
    ("EX", "1"): "Test our own practice against the learning from Family W.",
}

S, M = Plan.SINGLE_AGENCY, Plan.MULTI_AGENCY
NS, IP, DONE, SIGNED = Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETE, Status.SIGNED_OFF
G, A, R = Rag.GREEN, Rag.AMBER, Rag.RED


@dataclass(frozen=True)
class DemoAction:
    """One demo action; ``due`` and the completion dates are days from today."""

    ref: str
    recommendation: str
    text: str
    plan: Plan
    agency: str
    officer: str
    due: int
    status: Status = NS
    rag: Rag = G
    progress: str | None = None
    evidence: str | None = None
    completed: int | None = None
    signed_off: int | None = None
    extended_by: int = 0  # days the target has moved since it was agreed


ACTIONS = (
    DemoAction(
        "CC-1",
        "1",
        "Introduce a protocol for bruising in non-mobile babies across all health settings",
        M,
        "nbt",
        "rachel.greaves@nbt.example.org",
        -120,
        SIGNED,
        evidence="Protocol published; audit of 40 ED attendances found it followed in 38.",
        completed=-140,
        signed_off=-100,
    ),
    DemoAction(
        "CC-2",
        "1",
        "Train emergency department and minor injury unit staff in the non-mobile baby protocol, "
        "keeping a record of attendance",
        S,
        "nbt",
        "rachel.greaves@nbt.example.org",
        -10,
        DONE,
        evidence="92% of ED and MIU staff trained; attendance register held by the safeguarding team.",
        completed=-12,
    ),
    DemoAction(
        "CC-3",
        "1",
        "Health visitors to record every injury seen in a baby under six months and share it with "
        "the GP and children's social care",
        S,
        "sirona",
        "joanne.pryce@sirona.example.org",
        10,
        IP,
        progress="Recording template agreed; roll-out to teams planned.",
    ),
    DemoAction(
        "CC-4",
        "1",
        "Refer every injury to a non-mobile baby reported to the police to children's social care "
        "the same day",
        S,
        "police",
        "sarah.whitfield@police.example.org",
        -21,
        IP,
        A,
        progress="Guidance drafted; waiting for the force policy board.",
        extended_by=28,
    ),
    DemoAction(
        "CC-5",
        "2",
        "Ensure assessments include all adult males in the household, including new partners",
        M,
        "csc",
        "tom.okafor@csc.example.org",
        45,
        IP,
        A,
        progress="Assessment template changed; practice week planned with the police and health visiting.",
    ),
    DemoAction(
        "CC-6",
        "2",
        "Audit 20 child and family assessments for how fathers and new partners were seen and assessed",
        S,
        "csc",
        "tom.okafor@csc.example.org",
        75,
    ),
    DemoAction(
        "CC-7",
        "2",
        "Run police checks on any new partner joining a household where a child has a plan",
        S,
        "police",
        "sarah.whitfield@police.example.org",
        -30,
        DONE,
        evidence="Checks added to the strategy discussion record; dip sample of 15 cases.",
        completed=-35,
    ),
    DemoAction(
        "CC-8",
        "3",
        "Add a prompt to pre-birth and new-birth assessments about a parent's own history as a "
        "looked-after child or care leaver",
        S,
        "csc",
        "claire.benson@csc.example.org",
        -200,
        SIGNED,
        evidence="Prompt live in the case record system since the spring.",
        completed=-210,
        signed_off=-180,
    ),
    DemoAction(
        "CC-9",
        "3",
        "Plan the move from children's to adult services for young parents known to children's social care",
        M,
        "csc",
        "claire.benson@csc.example.org",
        -6,
        IP,
        A,
        progress="Draft protocol with adult services; sign-off delayed by their restructure.",
    ),
    DemoAction(
        "CC-10",
        "3",
        "Bring the family history into focus: share a chronology with health visiting at the first "
        "strategy discussion",
        M,
        "sirona",
        "joanne.pryce@sirona.example.org",
        120,
    ),
    DemoAction(
        "BM-1",
        "1",
        "Audit pre-birth assessments where parents misuse substances",
        S,
        "csc",
        "tom.okafor@csc.example.org",
        13,
        IP,
        progress="Case list drawn up; auditors identified.",
    ),
    DemoAction(
        "BM-2",
        "1",
        "Drug and alcohol workers to tell midwifery and children's social care of every pregnancy "
        "on their caseload",
        S,
        "das",
        "amina.yusuf@das.example.org",
        -15,
        DONE,
        evidence="Notification step added to the service's pregnancy procedure.",
        completed=-20,
    ),
    DemoAction(
        "BM-3",
        "1",
        "Agree a joint pathway for pregnant women in treatment across midwifery, drug and alcohol "
        "services and health visiting",
        M,
        "das",
        "amina.yusuf@das.example.org",
        30,
        IP,
        progress="Pathway drafted; workshop with midwives booked.",
    ),
    DemoAction(
        "BM-4",
        "1",
        "Offender managers to ask about pregnancy and tell maternity services when a supervised "
        "person's partner is pregnant",
        S,
        "probation",
        "gareth.lloyd@probation.example.org",
        -45,
    ),
    DemoAction(
        "BM-5",
        "2",
        "Circulate a seven-minute briefing on the Baby M learning to all partner agencies",
        M,
        "csc",
        "claire.benson@csc.example.org",
        -60,
        SIGNED,
        evidence="Briefing sent to 14 agencies; used in team meetings.",
        completed=-70,
        signed_off=-50,
    ),
    DemoAction(
        "BM-6",
        "2",
        "Include substance misuse in pregnancy in the multi-agency training programme",
        M,
        "nbt",
        "rachel.greaves@nbt.example.org",
        60,
        IP,
        R,
        progress="No trainer available this year; looking for a commissioned course.",
    ),
    DemoAction(
        "BM-7",
        "2",
        "Probation to check with children's social care whenever a supervised parent's partner is pregnant",
        S,
        "probation",
        "gareth.lloyd@probation.example.org",
        5,
        IP,
        progress="Check added to the supervision checklist; briefing teams.",
    ),
    DemoAction(
        "EX-1",
        "1",
        "Test whether our strategy discussions include health when a child has an unexplained injury",
        M,
        "police",
        "sarah.whitfield@police.example.org",
        90,
    ),
    DemoAction(
        "EX-2",
        "1",
        "Brief health visitors on the Family W learning about missed appointments ('was not brought')",
        S,
        "sirona",
        "joanne.pryce@sirona.example.org",
        -3,
        DONE,
        evidence="Briefing given at all four locality meetings.",
        completed=-4,
    ),
    DemoAction(
        "EX-3",
        "1",
        "Check our neglect toolkit against the Family W recommendations and report to the sub-group",
        S,
        "csc",
        "tom.okafor@csc.example.org",
        150,
    ),
)


@dataclass(frozen=True)
class DemoSummary:
    """What the database holds after loading the demo, and what this load added or changed."""

    reviews: int
    agencies: int
    people: int
    actions: int
    updates: int
    added: int
    changed: int


def load_demo(sessions: sessionmaker[Session], *, today: date, now: datetime) -> DemoSummary:
    """Load (or refresh) the demo plans; loading twice on the same day changes nothing."""
    with sessions.begin() as session:
        _ensure_board(session)
    sheet = parse_table(
        [list(TEMPLATE_HEADINGS), *(_row(action, today) for action in ACTIONS)], "the demo data"
    )
    report = import_sheet(sessions, sheet, now=now, person_email=COORDINATOR_EMAIL)
    with sessions.begin() as session:

        def count(model: type) -> int:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

        return DemoSummary(
            reviews=count(Review),
            agencies=count(Agency),
            people=count(Person),
            actions=count(Action),
            updates=count(Update),
            added=len(report.added),
            changed=len(report.changed),
        )


def _ensure_board(session: Session) -> None:
    """The reviews, agencies and board people the plan rows refer to, created when missing."""
    agencies = {agency.code: agency for agency in session.scalars(select(Agency))}
    for code, name in AGENCIES:
        if code not in agencies:
            agencies[code] = Agency(code=code, name=name)
            session.add(agencies[code])
    existing_reviews = set(session.scalars(select(Review.code)))
    for code, title, kind in REVIEWS:
        if code not in existing_reviews:
            session.add(Review(code=code, title=title, kind=kind))
    session.flush()
    emails = set(session.scalars(select(Person.email)))
    for name, email, role, agency in BOARD:
        if email not in emails:
            session.add(
                Person(name=name, email=email, role=role, agency_id=agencies[agency].id if agency else None)
            )


def _row(action: DemoAction, today: date) -> list[Cell]:
    def day(offset: int | None) -> Cell:
        return today + timedelta(days=offset) if offset is not None else ""

    review = action.ref.split("-")[0]
    values: dict[str, Cell] = {
        "ref": action.ref,
        "review": review,
        "recommendation": action.recommendation,
        "recommendation_text": RECOMMENDATIONS[(review, action.recommendation)],
        "action": action.text,
        "plan": PLAN_LABELS[action.plan],
        "agency": action.agency,
        "officer": OFFICERS[action.officer],
        "officer_email": action.officer,
        "due": day(action.due),
        "original_due": day(action.due - action.extended_by),
        "status": STATUS_LABELS[action.status],
        "rag": RAG_LABELS[action.rag],
        "progress": action.progress or "",
        "evidence": action.evidence or "",
        "completed_on": day(action.completed),
        "signed_off_on": day(action.signed_off),
    }
    return [values[column.key] for column in COLUMNS]
