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

from bot.errors import UserError
from bot.plans import PLAN_LABELS, RAG_LABELS, STATUS_LABELS, import_sheet
from bot.reporting.figures import reporting_year
from storage.models import Action, Agency, Person, Plan, Rag, Review, ReviewKind, Role, Status, Update
from storage.spreadsheet import COLUMNS, TEMPLATE_HEADINGS, Cell, parse_table

AGENCIES = {
    "police": "Avon and Somerset Police",
    "csc": "South Gloucestershire Children's Social Care",
    "nbt": "North Bristol NHS Trust",
    "sirona": "Sirona Care & Health",
    "probation": "National Probation Service",
    "das": "South Gloucestershire Drug and Alcohol Service",
}
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
TRY_AS = (
    ("coordinator (loads plans, digest)", COORDINATOR_EMAIL),
    ("chair (outstanding, approve, sign off)", "helen.ashworth@lscb.example.org"),
    ("agency lead (/action mine)", "tom.okafor@csc.example.org"),
    ("member (read only)", "priya.natarajan@lscb.example.org"),
)
# Lead officers, by the short name the actions below use.
OFFICERS = {
    "whitfield": ("DI Sarah Whitfield", "sarah.whitfield@police.example.org"),
    "okafor": ("Tom Okafor", "tom.okafor@csc.example.org"),
    "benson": ("Claire Benson", "claire.benson@csc.example.org"),
    "greaves": ("Dr Rachel Greaves", "rachel.greaves@nbt.example.org"),
    "pryce": ("Joanne Pryce", "joanne.pryce@sirona.example.org"),
    "lloyd": ("Gareth Lloyd", "gareth.lloyd@probation.example.org"),
    "yusuf": ("Amina Yusuf", "amina.yusuf@das.example.org"),
}
RECOMMENDATIONS = {
    "CC": {
        "1": "Every professional who sees an injury to a non-mobile baby must recognise it and act on it.",
        "2": "Assessments must include every adult in the household, especially men new to the family.",
        "3": "Professionals must bring a parent's own history into focus when assessing risk to a baby.",
    },
    "BM": {
        "1": "Pregnant women who misuse drugs or alcohol need a joined-up plan from their first booking.",
        "2": "Learning from the hot debrief must reach front-line staff quickly.",
    },
    "EX": {"1": "Test our own practice against the learning from Family W."},
}

SINGLE, MULTI = Plan.SINGLE_AGENCY, Plan.MULTI_AGENCY


@dataclass(frozen=True)
class DemoAction:
    """One demo action; ``due`` and the completion dates are days from today."""

    ref: str
    recommendation: str  # its number within the review
    text: str
    plan: Plan
    agency: str  # key of AGENCIES
    owner: str  # key of OFFICERS
    due: int
    status: Status = Status.NOT_STARTED
    rag: Rag = Rag.GREEN  # the owner's own view
    progress: str | None = None
    evidence: str | None = None
    completed: int | None = None
    signed_off: int | None = None
    extended_by: int = 0  # days the target has moved since it was agreed
    last_year: bool = False  # days are counted from the start of the last complete reporting year, not today


ACTIONS = (
    DemoAction(
        "CC-1",
        "1",
        text="Introduce a protocol for bruising in non-mobile babies across all health settings",
        plan=MULTI,
        agency="nbt",
        owner="greaves",
        due=-120,
        status=Status.SIGNED_OFF,
        completed=-140,
        signed_off=-100,
        evidence="Protocol published; audit of 40 ED attendances found it followed in 38.",
    ),
    DemoAction(
        "CC-2",
        "1",
        text=(
            "Train emergency department and minor injury unit staff in the non-mobile baby protocol, "
            "keeping a record of attendance"
        ),
        plan=SINGLE,
        agency="nbt",
        owner="greaves",
        due=-10,
        status=Status.COMPLETE,
        completed=-12,
        evidence="92% of ED and MIU staff trained; attendance register held by the safeguarding team.",
    ),
    DemoAction(
        "CC-3",
        "1",
        text=(
            "Health visitors to record every injury seen in a baby under six months and share it with "
            "the GP and children's social care"
        ),
        plan=SINGLE,
        agency="sirona",
        owner="pryce",
        due=10,
        status=Status.IN_PROGRESS,
        progress="Recording template agreed; roll-out to teams planned.",
    ),
    DemoAction(
        "CC-4",
        "1",
        text=("Refer every injury to a non-mobile baby reported to the police to children's social care the same day"),
        plan=SINGLE,
        agency="police",
        owner="whitfield",
        due=-21,
        status=Status.IN_PROGRESS,
        rag=Rag.AMBER,
        extended_by=28,
        progress="Guidance drafted; waiting for the force policy board.",
    ),
    DemoAction(
        "CC-5",
        "2",
        text="Ensure assessments include all adult males in the household, including new partners",
        plan=MULTI,
        agency="csc",
        owner="okafor",
        due=45,
        status=Status.IN_PROGRESS,
        rag=Rag.AMBER,
        progress="Assessment template changed; practice week planned with the police and health visiting.",
    ),
    DemoAction(
        "CC-6",
        "2",
        text="Audit 20 child and family assessments for how fathers and new partners were seen and assessed",
        plan=SINGLE,
        agency="csc",
        owner="okafor",
        due=75,
    ),
    DemoAction(
        "CC-7",
        "2",
        text="Run police checks on any new partner joining a household where a child has a plan",
        plan=SINGLE,
        agency="police",
        owner="whitfield",
        due=-30,
        status=Status.COMPLETE,
        completed=-35,
        evidence="Checks added to the strategy discussion record; dip sample of 15 cases.",
    ),
    DemoAction(
        "CC-8",
        "3",
        text=(
            "Add a prompt to pre-birth and new-birth assessments about a parent's own history as a "
            "looked-after child or care leaver"
        ),
        plan=SINGLE,
        agency="csc",
        owner="benson",
        due=-200,
        status=Status.SIGNED_OFF,
        completed=-210,
        signed_off=-180,
        evidence="Prompt live in the case record system since the spring.",
    ),
    DemoAction(
        "CC-9",
        "3",
        text=("Plan the move from children's to adult services for young parents known to children's social care"),
        plan=MULTI,
        agency="csc",
        owner="benson",
        due=-6,
        status=Status.IN_PROGRESS,
        rag=Rag.AMBER,
        progress="Draft protocol with adult services; sign-off delayed by their restructure.",
    ),
    DemoAction(
        "CC-10",
        "3",
        text=(
            "Bring the family history into focus: share a chronology with health visiting at the first "
            "strategy discussion"
        ),
        plan=MULTI,
        agency="sirona",
        owner="pryce",
        due=120,
    ),
    DemoAction(
        "BM-1",
        "1",
        text="Audit pre-birth assessments where parents misuse substances",
        plan=SINGLE,
        agency="csc",
        owner="okafor",
        due=13,
        status=Status.IN_PROGRESS,
        progress="Case list drawn up; auditors identified.",
    ),
    DemoAction(
        "BM-2",
        "1",
        text=(
            "Drug and alcohol workers to tell midwifery and children's social care of every pregnancy on their caseload"
        ),
        plan=SINGLE,
        agency="das",
        owner="yusuf",
        due=-15,
        status=Status.COMPLETE,
        completed=-20,
        evidence="Notification step added to the service's pregnancy procedure.",
    ),
    DemoAction(
        "BM-3",
        "1",
        text=(
            "Agree a joint pathway for pregnant women in treatment across midwifery, drug and alcohol "
            "services and health visiting"
        ),
        plan=MULTI,
        agency="das",
        owner="yusuf",
        due=30,
        status=Status.IN_PROGRESS,
        progress="Pathway drafted; workshop with midwives booked.",
    ),
    DemoAction(
        "BM-4",
        "1",
        text=(
            "Offender managers to ask about pregnancy and tell maternity services when a supervised "
            "person's partner is pregnant"
        ),
        plan=SINGLE,
        agency="probation",
        owner="lloyd",
        due=-45,
    ),
    DemoAction(
        "BM-5",
        "2",
        text="Circulate a seven-minute briefing on the Baby M learning to all partner agencies",
        plan=MULTI,
        agency="csc",
        owner="benson",
        due=-60,
        status=Status.SIGNED_OFF,
        completed=-70,
        signed_off=-50,
        evidence="Briefing sent to 14 agencies; used in team meetings.",
    ),
    DemoAction(
        "BM-6",
        "2",
        text="Include substance misuse in pregnancy in the multi-agency training programme",
        plan=MULTI,
        agency="nbt",
        owner="greaves",
        due=60,
        status=Status.IN_PROGRESS,
        rag=Rag.RED,
        progress="No trainer available this year; looking for a commissioned course.",
    ),
    DemoAction(
        "BM-7",
        "2",
        text=("Probation to check with children's social care whenever a supervised parent's partner is pregnant"),
        plan=SINGLE,
        agency="probation",
        owner="lloyd",
        due=5,
        status=Status.IN_PROGRESS,
        progress="Check added to the supervision checklist; briefing teams.",
    ),
    DemoAction(
        "EX-1",
        "1",
        text="Test whether our strategy discussions include health when a child has an unexplained injury",
        plan=MULTI,
        agency="police",
        owner="whitfield",
        due=90,
    ),
    DemoAction(
        "EX-2",
        "1",
        text="Brief health visitors on the Family W learning about missed appointments ('was not brought')",
        plan=SINGLE,
        agency="sirona",
        owner="pryce",
        due=-3,
        status=Status.COMPLETE,
        completed=-4,
        evidence="Briefing given at all four locality meetings.",
    ),
    DemoAction(
        "EX-3",
        "1",
        text="Check our neglect toolkit against the Family W recommendations and report to the sub-group",
        plan=SINGLE,
        agency="csc",
        owner="okafor",
        due=150,
    ),
    # Finished in the last complete reporting year (April to March), so the default annual report
    # has a year to show: completions, sign-offs and targets met or missed, dated as they happened.
    DemoAction(
        "CC-11",
        "3",
        text="Add a parent's own history of care to the pre-birth assessment template",
        plan=SINGLE,
        agency="csc",
        owner="benson",
        due=120,
        status=Status.SIGNED_OFF,
        completed=100,
        signed_off=150,
        evidence="Template changed; a dip sample of 12 pre-birth assessments found the history in 11.",
        last_year=True,
    ),
    DemoAction(
        "CC-12",
        "3",
        text="Midwives to ask at booking about the mother's and her partner's childhood experiences",
        plan=SINGLE,
        agency="nbt",
        owner="greaves",
        due=60,
        status=Status.SIGNED_OFF,
        completed=95,
        signed_off=180,
        extended_by=30,
        evidence="Booking questions changed; 85% of bookings in the quarter recorded the answers.",
        last_year=True,
    ),
    DemoAction(
        "BM-8",
        "2",
        text="Publish a seven-minute briefing on the Baby M learning for every partner agency",
        plan=MULTI,
        agency="das",
        owner="yusuf",
        due=200,
        status=Status.SIGNED_OFF,
        completed=190,
        signed_off=240,
        evidence="Briefing published and presented at the partnership's learning event.",
        last_year=True,
    ),
    DemoAction(
        "EX-4",
        "1",
        text="Report to the sub-group on how our strategy discussions compare with Family W's",
        plan=SINGLE,
        agency="police",
        owner="whitfield",
        due=270,
        status=Status.SIGNED_OFF,
        completed=280,
        signed_off=330,
        evidence="Report presented in January; three changes to the strategy discussion guidance agreed.",
        last_year=True,
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
    first_email: str = COORDINATOR_EMAIL  # who a demo console starts as

    def render(self) -> str:
        """A few lines for the command line: what is loaded and whom to try it as."""
        loaded = (
            f"Demo data: {self.reviews} reviews, {self.actions} actions, {self.agencies} agencies, "
            f"{self.people} people ({self.added} actions added, {self.changed} changed by this load)."
        )
        return "\n".join([loaded, "Try it as:", *(f"  {role}: {email}" for role, email in TRY_AS)])


def load_demo(sessions: sessionmaker[Session], *, today: date, now: datetime) -> DemoSummary:
    """Load (or refresh) the demo plans; loading twice on the same day changes nothing.

    Refuses, changing nothing, a database holding reviews the demo did not create: the demo
    must never overwrite a board's real review that happens to be coded CC.
    """
    with sessions.begin() as session:
        _refuse_real_reviews(session)
        _ensure_board(session)
    sheet = parse_table([list(TEMPLATE_HEADINGS), *(_row(action, today) for action in ACTIONS)], "the demo data")
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


def _refuse_real_reviews(session: Session) -> None:
    real = list(session.scalars(select(Review.code).where(Review.demo.is_(False)).order_by(Review.code)))
    if real:
        raise UserError(
            f"This database holds reviews the demo did not create ({', '.join(real)}): the demo was not loaded "
            "and nothing was changed, so that demo data never mixes with or overwrites real plans.",
            "Load the demo into a database of its own: DATABASE_URL=sqlite:///demo.db python -m bot demo",
        )


def _ensure_board(session: Session) -> None:
    """The reviews, agencies and board people the plan rows refer to, created when missing."""
    agencies = {agency.code: agency for agency in session.scalars(select(Agency))}
    names = {agency.name.lower(): agency for agency in agencies.values()}
    for code, name in AGENCIES.items():
        if code not in agencies and name.lower() not in names:
            agencies[code] = Agency(code=code, name=name)
            session.add(agencies[code])
    existing_reviews = set(session.scalars(select(Review.code)))
    for code, title, kind in REVIEWS:
        if code not in existing_reviews:
            session.add(Review(code=code, title=title, kind=kind, demo=True))
    session.flush()
    emails = set(session.scalars(select(Person.email)))
    for name, email, role, agency in BOARD:
        if email not in emails:
            found = agencies.get(agency) or names.get(AGENCIES[agency].lower()) if agency else None
            session.add(Person(name=name, email=email, role=role, agency_id=found.id if found else None))


def _row(action: DemoAction, today: date) -> list[Cell]:
    base = reporting_year(today).start if action.last_year else today

    def day(offset: int | None) -> Cell:
        return base + timedelta(days=offset) if offset is not None else ""

    review = action.ref.split("-")[0]
    values: dict[str, Cell] = {
        "ref": action.ref,
        "review": review,
        "recommendation": action.recommendation,
        "recommendation_text": RECOMMENDATIONS[review][action.recommendation],
        "action": action.text,
        "plan": PLAN_LABELS[action.plan],
        "agency": AGENCIES[action.agency],  # by name: a board may have given it another code
        "officer": OFFICERS[action.owner][0],
        "officer_email": OFFICERS[action.owner][1],
        "due": day(action.due),
        "original_due": day(action.due - action.extended_by),
        "status": STATUS_LABELS[action.status],
        "rag": RAG_LABELS[action.rag],
        "progress": action.progress or "",
        "evidence": action.evidence or "",
        "completed_on": day(action.completed),
        "signed_off_on": day(action.signed_off),
    }
    return [values.get(column.key, "") for column in COLUMNS]
