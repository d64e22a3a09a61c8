"""The words of the people commands: ``people``, ``person add``, ``leaver``, ``away``, ``snooze`` and
``settings``. Pure, like the rest of the parser (bot.commands.parser registers these).

Decisions a user sees:

- ``person add EMAIL "Jo Bloggs" role:agency_lead agency:police``: the name may be quoted or not (the
  words before the first ``key:``); ``role:`` is required; ``agency:`` is needed for an agency lead
  (the service says so).
- ``away <from> <to>``: each date may take several words (``away mon 2 mar fri 13 mar``); the longest
  first date is taken. ``away off`` (or ``back``) ends the absence. ``for:@user`` is the coordinator
  recording someone else's absence.
- ``settings weekly`` (``monday``): one DM on Monday; ``settings daily`` (``as-they-fall``): as they fall.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.commands.filters import filters_after, mention_in
from bot.commands.types import Away, Command, Leaver, Mention, People, PersonAdd, ReminderSettings, Snooze
from bot.commands.words import EMAIL, MAILTO, MAX_DATE_WORDS, Args, short
from bot.dates import CHAT_HINT, NotADate, date_phrase, format_date, parse_date
from bot.errors import BadDate
from storage.models import Pace, Role

ROLE_WORDS = {
    "coordinator": Role.COORDINATOR,
    "chair": Role.CHAIR,
    "agency_lead": Role.AGENCY_LEAD,
    "agencylead": Role.AGENCY_LEAD,
    "lead": Role.AGENCY_LEAD,
    "member": Role.MEMBER,
}
PACE_WORDS = {
    "weekly": Pace.WEEKLY,
    "monday": Pace.WEEKLY,
    "mondays": Pace.WEEKLY,
    "daily": Pace.AS_THEY_FALL,
    "as_they_fall": Pace.AS_THEY_FALL,
    "as_they_come": Pace.AS_THEY_FALL,
}
BACK_WORDS = ("off", "back", "cancel", "none")
LONGEST_ABSENCE = 366  # days: longer is leaving, not an absence (/action leaver)


def people(args: Args, today: date) -> Command:
    found = filters_after(args, today)
    return People(agency=found.agency, page=found.page)


def _email(args: Args, typed: str) -> str:
    mailto = MAILTO.fullmatch(typed)
    email = (mailto.group(1) if mailto else typed).lower()
    if not EMAIL.fullmatch(email):
        raise args.fail(f"'{short(typed)}' is not an e-mail address: people are matched by e-mail.")
    return email


def person(args: Args, today: date) -> Command:
    if not args.words or args.words[0].text.lower() != "add":
        raise args.fail("'person' takes 'add', then the e-mail, the name, role: and agency:.")
    words = [word.text for word in args.words[1:]]
    if not words:
        raise args.fail("'person add' needs the person's e-mail, their name, role: and agency:.")
    email = _email(args, words[0])
    name_words: list[str] = []
    keys: dict[str, str] = {}
    for word in words[1:]:
        key, colon, value = word.partition(":")
        if colon and key.lower() in ("role", "agency") and not keys.get(key.lower()):
            keys[key.lower()] = value.replace('"', "").strip()
        elif colon and key.lower() in ("role", "agency"):
            raise args.fail(f"'{key.lower()}:' is given twice.")
        elif keys:
            raise args.fail(f"'{short(word)}' comes after role: or agency:; put the name straight after the e-mail.")
        else:
            name_words.append(word.replace('"', ""))
    name = " ".join(" ".join(name_words).split())
    if not name:
        raise args.fail(f"'person add' needs the person's name after {email}, e.g. \"Jo Bloggs\".")
    role_word = keys.get("role", "")
    if not role_word:
        raise args.fail("'person add' needs their role: role:coordinator, role:chair, role:agency_lead or role:member.")
    role = ROLE_WORDS.get(role_word.lower().replace("-", "_"))
    if role is None:
        raise args.fail(f"'{short(role_word)}' is not a role: use coordinator, chair, agency_lead or member.")
    return PersonAdd(email, name, role, keys.get("agency") or None)


def _keyed(args: Args, allowed: tuple[str, ...]) -> tuple[list[str], dict[str, Mention]]:
    """The words that are not ``key:@person``, and the people the keys name."""
    plain, named = [], {}
    for word in (word.text for word in args.words):
        key, colon, value = word.partition(":")
        if colon and key.lower() in allowed and not value.startswith("//"):
            if key.lower() in named:
                raise args.fail(f"'{key.lower()}:' is given twice.")
            if not value:
                raise args.fail(f"'{key.lower()}:' needs a person, e.g. {key.lower()}:@jo.")
            named[key.lower()] = mention_in(value, args)
        else:
            plain.append(word)
    return plain, named


def leaver(args: Args, today: date) -> Command:
    plain, named = _keyed(args, ("handover",))
    if not plain:
        raise args.fail("'leaver' needs the leaver's e-mail, then handover:@person for their open actions.")
    email = _email(args, plain[0])
    if len(plain) > 1:
        raise args.fail(f"'leaver' takes only the e-mail and handover:, not '{short(' '.join(plain[1:]))}'.")
    if "handover" not in named:
        raise args.fail(f"'leaver' needs handover:@person: who takes over {email}'s open actions.")
    return Leaver(email, named["handover"])


def _leading_date(words: list[str], today: date, args: Args) -> tuple[date, int] | None:
    """The longest run of leading words that reads as a date, and how many words it took."""
    for count in range(min(len(words), MAX_DATE_WORDS), 0, -1):
        try:
            return parse_date(" ".join(words[:count]), today), count
        except NotADate:
            continue
        except BadDate as error:
            raise args.fail(error.message, error.hint) from None
    return None


def away(args: Args, today: date) -> Command:
    plain, named = _keyed(args, ("deputy", "for"))
    words = [word.replace('"', "") for word in plain]
    if len(words) == 1 and words[0].lower() in BACK_WORDS:
        if "deputy" in named:
            raise args.fail("'away off' ends an absence, so it takes no deputy:.")
        return Away(None, None, None, named.get("for"))
    if not words:
        raise args.fail("'away' needs the first and the last day you are away.", CHAT_HINT)
    first = _leading_date(words, today, args)
    if first is None:
        raise args.fail(f"'away' needs the first day first: I can't read '{short(date_phrase(words))}' as a date.",
                        CHAT_HINT)  # fmt: skip
    start, used = first
    rest = words[used:]
    last = _leading_date(rest, today, args) if rest else None
    if last is None:
        said = f"I can't read '{short(date_phrase(rest))}' as a date." if rest else "it is missing."
        raise args.fail(f"'away' needs the last day you are away after {format_date(start)}: {said}", CHAT_HINT)
    end, taken = last
    if rest[taken:]:
        raise args.fail(f"'away' takes two dates and deputy:, not '{short(' '.join(rest[taken:]))}'.")
    if end < start:
        raise args.fail(f"The last day, {format_date(end)}, is before the first, {format_date(start)}.")
    if end < today:
        raise args.fail(f"{format_date(end)} is in the past: an absence that is over needs no record.")
    if end - start > timedelta(days=LONGEST_ABSENCE):
        raise args.fail("An absence of more than a year is leaving: the coordinator uses /action leaver.")
    return Away(start, end, named.get("deputy"), named.get("for"))


def snooze(args: Args, today: date) -> Command:
    ref = args.ref()
    words = [word.text.replace('"', "") for word in args.words[1:]]
    if not words:
        raise args.fail("'snooze' needs the date reminders start again, then a reason.", CHAT_HINT)
    found = _leading_date(words, today, args)
    if found is None:
        raise args.fail(f"'snooze' needs a date first: I can't read '{short(date_phrase(words))}' as a date.",
                        CHAT_HINT)  # fmt: skip
    until, count = found
    if until <= today:
        raise args.fail(f"{format_date(until)} is not after today: give the first day you want reminding again.")
    missing = f"a reason for no reminders until {format_date(until)}"
    return Snooze(ref, until, args.required_text(1 + count, "reason", missing))


def settings(args: Args, today: date) -> Command:
    if not args.words:
        return ReminderSettings(None)
    typed = "_".join(word.text.lower().replace("-", "_") for word in args.words)
    pace = PACE_WORDS.get(typed)
    if pace is None:
        raise args.fail(f"'{short(args.rest(0))}' is not a setting: use 'settings weekly' or 'settings daily'.")
    return ReminderSettings(pace)


COMMANDS = {
    "people": people,
    "person": person,
    "leaver": leaver,
    "away": away,
    "snooze": snooze,
    "settings": settings,
}
