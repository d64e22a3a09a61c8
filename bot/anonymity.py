"""Anonymity guard: refuse notes, evidence and reasons that carry identifying case data.

Chat is not the place for identifying details, and people paste them by accident (or on
purpose, dressed up to slip past a filter). Children are named only by the review's pseudonym
("Child C", "Baby M"); anything that looks like an NHS number, a full postcode, a date of birth,
a UK phone number or a registered real name is refused before it is stored. The guard reports
only the KIND of data found, never the data, so the refusal itself cannot leak it.

Text is first normalised: Unicode NFKC, format characters (zero-width spaces, soft hyphens)
dropped, letters that merely look Latin (Cyrillic "а", Greek "Ο") folded with Unicode's
confusables table (the ``confusable_homoglyphs`` package), and digits of every script read as
ASCII digits. Numbers are then read across the separators people type (spaces, dots, slashes,
dashes, underscores, brackets) and judged with the words before them.

Pure: no I/O, no settings, no clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import permutations

from confusable_homoglyphs.confusables import confusables_data

from bot.errors import IdentifyingData
from bot.views import DigestSection

PROTECTED_NAME = "a protected name"
NHS_NUMBER = "an NHS number"
DATE_OF_BIRTH = "a date of birth"
POSTCODE = "a UK postcode"
PHONE_NUMBER = "a UK phone number"

# The order kinds are reported in, whatever order they appear in the text.
KINDS = (PROTECTED_NAME, NHS_NUMBER, DATE_OF_BIRTH, POSTCODE, PHONE_NUMBER)

# NFKC already folds non-breaking, thin and full-width spaces and full-width digits; it leaves
# smart quotes and typographic dashes alone, and pasted text from Word or Outlook is full of them.
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2044": "/",
        "\u2215": "/",
        "\uff0f": "/",
    }
)


def _latin_look_alike(character: str, hops: int) -> str | None:
    """The ASCII letter a letter is drawn like (Cyrillic "а" -> "a"), if any, within ``hops`` steps of the
    table (it is not transitive: "к" -> "ĸ" -> "k")."""
    seen, frontier = {character}, [character]
    for _ in range(hops):
        following = []
        for glyph in frontier:
            for alias in confusables_data.get(glyph, ()):
                look_alike = alias["c"]
                if len(look_alike) == 1 and look_alike.isascii() and look_alike.isalpha():
                    return look_alike
                if look_alike not in seen:
                    seen.add(look_alike)
                    following.append(look_alike)
        frontier = following
    return None


@lru_cache(maxsize=4096)
def _plain_character(character: str) -> str:
    if unicodedata.category(character) == "Cf":  # zero-width and other invisible format characters
        return ""
    digit = unicodedata.decimal(character, None)
    if digit is not None:  # Arabic-Indic, Devanagari, Bengali ... digits
        return str(digit)
    if unicodedata.category(character).startswith("L"):
        # Latin letters keep their identity ("é", "ß"), but for the odd one drawn just like a plain
        # letter ("ɑ", "ı"); other scripts' letters fold to the Latin letter they imitate.
        hops = 1 if unicodedata.name(character, "").startswith("LATIN") else 2
        return _latin_look_alike(character, hops) or character
    return character


def normalise(text: str) -> str:
    """The text as the guard reads it: NFKC, plain punctuation, no invisible characters, look-alikes
    folded to the Latin letters they imitate, every script's digits as ASCII digits."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    return "".join(ch if ch.isascii() else _plain_character(ch) for ch in text)


# --- Date of birth ----------------------------------------------------------------------------
# A date on its own is usually a due date, so only a date next to a DOB marker is refused.
_SEP = r"[\s._\-/]{0,2}"
_DOB_MARKER = (
    rf"(?:(?<![a-z])d{_SEP}o{_SEP}b(?![a-z])"
    r"|\bdate[\s._\-]*of[\s._\-]*birth\b|\bbirth[\s._\-]*(?:day|date)s?\b|\bborn\b|(?<![a-z])b\.)"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
_DAY_WORDS = (
    rf"(?:(?:twenty|thirty)[\s\-]?{_UNITS}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
    r"|nineteen|twenty|thirty|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth"
    rf"|eighteenth|nineteenth|twentieth|thirtieth|{_UNITS})"
)
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_DAY_WORDS})\b"
_YEAR = r"(?:\d{4}|\d{2})\b"
# A day is needed: "born in March 2014" or "born 2014" is not a date of birth.
_DATE = (
    r"(?:\d{4}\s?[-/.]\s?\d{1,2}\s?[-/.]\s?\d{1,2}\b"
    r"|\d{1,2}\s?[-/. ]\s?\d{1,2}\s?[-/. ]\s?(?:\d{4}|\d{2})\b"
    # Day/month with no year only when both are plausible, so gestation ("born 32/40") is not a date.
    r"|(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])\b(?!/)"
    rf"|{_DAY}[\s\-/.,]*(?:of\s+)?{_MONTH}(?:[\s\-/.,]*{_YEAR})?"
    rf"|{_MONTH}[\s\-/.,]*(?:the\s+)?{_DAY}(?:,?\s*{_YEAR})?)"
)
# What may sit between the marker and the date: "DOB: ", "born on the ", "date of birth (".
_FILLER = r"[\s:=(),.\-]*(?:(?:on|is|was|the)\b[\s:=(),.\-]*){0,3}"
_DOB = re.compile(
    rf"{_DOB_MARKER}{_FILLER}{_DATE}|{_DATE}[\s:,(\-]*{_DOB_MARKER}",
    re.IGNORECASE,
)

# --- Numbers: NHS numbers and phone numbers -----------------------------------------------------
# Dates and the digits of codes ("CC-3", "Q3", "3rd", "10am") are set aside first, so they neither
# count as numbers nor join the number next to them ("due 12/03/2026 07700 900123").
_ORDINARY_DATE = re.compile(
    r"(?<!\d)(?:(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])|(?:0?[1-9]|1[0-2])[./-](?:0?[1-9]|[12]\d|3[01]))"
    r"[./-](?:\d{4}|\d{2})(?!\d)|(?<!\d)\d{4}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])(?!\d)"
)
_CODE_DIGITS = re.compile(r"(?<=[A-Za-z])[-_.]?\d{1,5}(?!\d)|(?<!\d)\d{1,5}(?=[A-Za-z])")
# Digit groups joined by what people type between them: up to three spaces, dots, slashes, dashes,
# underscores or brackets ("943.476.5919", "07700   900123", "+44 (0)7700 900123").
_NUMBER = re.compile(r"\+?\d+(?:[ \t._/\-()]{1,3}\d+)*")
# A reference word just before a number makes it a reference, not a phone or NHS number.
_REFERENCE = re.compile(
    r"\b(?:urn|ticket|invoice|inv|policy|ref|reference|order|account|acct|claim|crime|incident|job|po|receipt"
    r"|booking|tracking|case[\s._\-]*(?:ref|reference|no|number|id))"
    r"(?:[\s.:#=\-]+(?:no|num|number|ref|reference|id|nr))*[\s.:#=\-]*$",
    re.IGNORECASE,
)


def _is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits carry a valid NHS modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:  # no valid number has this remainder
        return False
    return (0 if check == 11 else check) == int(digits[9])


def _national(digits: str, international: bool) -> str | None:
    """The national number of a UK phone number written with +44, 0044 or a trunk 0; else None."""
    if digits.startswith("0044"):
        rest = digits[4:]
    elif international and digits.startswith("44"):
        rest = digits[2:]
    elif digits.startswith("0") and not digits.startswith("00"):
        return digits[1:]
    else:
        return None
    return rest[1:] if rest.startswith("0") else rest  # "+44 (0)7700 ..."


def _is_uk_phone(national: str) -> bool:
    # Geographic (01, 02) and mobile (07) numbers are the ones a family has. 03, 08 and 09
    # numbers belong to organisations (helplines, switchboards) and are fine to share.
    if len(national) == 10:
        return national[0] in "127"
    return len(national) == 9 and national[0] == "1"  # the few 01 areas with shorter numbers


def _numbers(plain: str) -> tuple[bool, bool]:
    """(an NHS number, a UK phone number) in normalised text, each number read whole, with its context."""
    text = _CODE_DIGITS.sub(" ", _ORDINARY_DATE.sub(" ", plain))
    nhs = phone = False
    for match in _NUMBER.finditer(text):
        if _REFERENCE.search(text, max(0, match.start() - 40), match.start()):
            continue
        digits = re.sub(r"\D", "", match.group())
        nhs = nhs or _is_valid_nhs_number(digits)
        national = _national(digits, match.group().startswith("+"))
        phone = phone or (national is not None and _is_uk_phone(national))
    return nhs, phone


# --- Postcode ---------------------------------------------------------------------------------
# Royal Mail's format: outward A9, A99, A9A, AA9, AA99 or AA9A, inward 9AA, with the letters
# each position never uses left out; that keeps refs such as "CC-3" and "Q3 2025" clear.
_POSTCODE = re.compile(
    r"(?:gir0aa|(?P<outward>[a-pr-uwyz](?:[0-9][0-9a-hjkpstuw]?|[a-hk-y][0-9][0-9abehmnprvwxy]?))"
    r"(?P<inward>[0-9][abd-hjlnp-uw-z]{2}))",
    re.IGNORECASE,
)
# "M25 3rd exit", "Y6 2nd term", "KS2 1st": an ordinal typed in lower case after a space is
# prose, not a postcode. Upper-case "B33 8TH" is still a postcode.
_ORDINAL = re.compile(r"1st|2nd|3rd|[04-9]th", re.IGNORECASE)
_JOINED_WORDS = re.compile(r"[A-Za-z0-9]+(?:[ \t.\-_/]{1,3}[A-Za-z0-9]+)*")
_WORD = re.compile(r"[A-Za-z0-9]+")


def _aligned(tokens: Sequence[str], parts: Iterable[int]) -> bool:
    """True when every gap between ``tokens`` falls on one of the offsets ``parts`` or between two
    single characters (spaced-out letters: "B S 1 4 D J", "J a n e")."""
    allowed, offset = set(parts), 0
    for before, after in zip(tokens, tokens[1:], strict=False):
        offset += len(before)
        if offset not in allowed and not (len(before) == 1 and len(after) == 1):
            return False
    return True


def _has_postcode(plain: str) -> bool:
    for group in _JOINED_WORDS.finditer(plain):
        tokens = _WORD.findall(group.group())
        for start in range(len(tokens)):
            joined = ""
            for end in range(start, len(tokens)):
                joined += tokens[end]
                if len(joined) > 7:
                    break
                match = _POSTCODE.fullmatch(joined)
                if match is None:
                    continue
                inward = match.group("inward")
                outward = len(match.group("outward") or "gir")
                # The outward part may also be split where its letters meet its digits ("BS 16 1AA").
                splits = [outward, *(i for i in range(1, outward) if joined[i - 1].isalpha() != joined[i].isalpha())]
                if not _aligned(tokens[start : end + 1], splits):
                    continue
                prose = tokens[end] == inward and end > start and _ORDINAL.fullmatch(inward) and not inward.isupper()
                if not prose:
                    return True
    return False


# --- Protected names --------------------------------------------------------------------------
# Digits and signs typed for the letters they resemble ("D0e", "J@ne", "Sm!th"); the signs only
# inside a word, so "@janedoe" and "Jane Doe!" keep their meaning. "i", "l", "1" and "|" are one
# letter to the guard, as they are to a reader.
_LEET = str.maketrans({"0": "o", "1": "i", "l": "i", "|": "i", "!": "i", "3": "e", "4": "a", "@": "a",
                       "5": "s", "$": "s", "7": "t", "8": "b"})  # fmt: skip
_SIGN_OUTSIDE_WORD = re.compile(r"(?<![a-z0-9])[|!@$]+|[|!@$]+(?![a-z0-9])")
_LETTERS = re.compile(r"[a-z]+")


def _name_tokens(text: str) -> list[str]:
    """The runs of letters a name check compares, accents and case and look-alike digits folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _LETTERS.findall(_SIGN_OUTSIDE_WORD.sub(" ", bare).translate(_LEET))


@lru_cache(maxsize=64)
def _name_targets(names: tuple[str, ...]) -> dict[str, tuple[frozenset[int], ...]]:
    """Every spelling of the names with its parts run together ("janedoe", "doejane"), each with the
    offsets where its parts meet."""
    targets: dict[str, set[frozenset[int]]] = {}
    for name in names:
        parts = _name_tokens(normalise(name))
        orders = permutations(parts) if len(parts) <= 4 else iter([tuple(parts), tuple(reversed(parts))])
        for order in orders:
            offsets = frozenset(sum(len(part) for part in order[: i + 1]) for i in range(len(order) - 1))
            targets.setdefault("".join(order), set()).add(offsets)
    return {joined: tuple(offsets) for joined, offsets in targets.items()}


def _has_protected_name(plain: str, protected_names: Iterable[str]) -> bool:
    # A name of fewer than two letters ("C") would refuse every message naming "Child C".
    names = tuple(sorted({name for name in protected_names if sum(ch.isalnum() for ch in name) >= 2}))
    targets = _name_targets(names)
    if not targets:
        return False
    longest = max(len(joined) for joined in targets)
    tokens = _name_tokens(plain)
    for start in range(len(tokens)):
        joined = ""
        for end in range(start, len(tokens)):
            joined += tokens[end]
            if len(joined) > longest:
                break
            # Whole words only ("Janet" is not "Jane"); parts may be run together ("#JaneDoe"), joined by
            # anything ("Jane_Doe", "Doe, Jane") or spelt out letter by letter.
            if any(_aligned(tokens[start : end + 1], offsets) for offsets in targets.get(joined, ())):
                return True
    return False


def find_identifying_data(text: str, protected_names: Iterable[str]) -> list[str]:
    """The kinds of identifying data in ``text`` (e.g. "an NHS number"), in a fixed order; never the data."""
    plain = normalise(text)
    nhs, phone = _numbers(plain)
    found = {
        PROTECTED_NAME: _has_protected_name(plain, protected_names),
        NHS_NUMBER: nhs,
        DATE_OF_BIRTH: _DOB.search(plain) is not None,
        POSTCODE: _has_postcode(plain),
        PHONE_NUMBER: phone,
    }
    return [kind for kind in KINDS if found[kind]]


def _join(kinds: list[str]) -> str:
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"


def check_text(text: str, protected_names: Iterable[str]) -> None:
    """Raise ``IdentifyingData`` naming the kinds found, without echoing them, if ``text`` has any."""
    kinds = find_identifying_data(text, protected_names)
    if not kinds:
        return
    raise IdentifyingData(
        f"Not saved: the text looks like it contains {_join(kinds)}. "
        "Chat is not the place for identifying details: refer to the child by the review's "
        "pseudonym (e.g. 'Child C') and keep records in the case file.",
        "Edit those details out and send it again.",
    )


WITHHELD = "[withheld: the text looks like it contains {kinds}]"


def withhold(text: str | None, protected_names: Iterable[str], placeholder: str = WITHHELD) -> str | None:
    """The text, or a placeholder naming only the kinds of identifying data it seems to hold."""
    if not text:
        return text
    kinds = find_identifying_data(text, protected_names)
    return placeholder.format(kinds=_join(kinds)) if kinds else text


def guard_digest(sections: Sequence[DigestSection], protected_names: Iterable[str]) -> list[DigestSection]:
    """The digest's sections with every free text that would show identifying data withheld.

    Pass the names registered for EVERY review: a note stored before a name was registered, or naming
    another review's child, must not reach the sub-group channel."""
    names = tuple(protected_names)
    seen: dict[str, str] = {}  # a review's title repeats on each of its actions: judged once

    def clean(text: str) -> str:
        if text not in seen:
            seen[text] = withhold(text, names) or text
        return seen[text]

    return [
        replace(
            section,
            actions=tuple(
                replace(
                    a,
                    text=clean(a.text),
                    review_title=clean(a.review_title),
                    progress=withhold(a.progress, names),
                    evidence=withhold(a.evidence, names),
                )  # fmt: skip
                for a in section.actions
            ),
            reviews=tuple(replace(r, title=clean(r.title)) for r in section.reviews),
            updates=tuple(replace(u, note=withhold(u.note, names)) for u in section.updates),
            problems=tuple(replace(p, detail=withhold(p.detail, names)) for p in section.problems),
        )
        for section in sections
    ]
