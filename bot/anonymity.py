"""Anonymity guard: refuse notes, evidence and reasons that carry identifying case data.

Chat is not the place for identifying details, and people paste them by accident. Children are
named only by the review's pseudonym ("Child C", "Baby M"); anything that looks like an NHS
number, a full postcode, a date of birth, a UK phone number or a registered real name is
refused before it is stored. The guard reports only the KIND of data found, never the data,
so the refusal itself cannot leak it into chat or the logs.

Pure: no I/O, no settings, no clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bot.errors import IdentifyingData

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
    }
)

# --- NHS number -------------------------------------------------------------------------------
# 3-3-4 as printed on NHS letters, or one run of ten. Neither side may continue a digit run
# (even across one separator), so part of a longer reference or card number is not matched.
_NHS = re.compile(r"(?<!\d)(?<!\d[ -])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![ -]?\d)")

# --- Postcode ---------------------------------------------------------------------------------
# Royal Mail's format: outward A9, A99, A9A, AA9, AA99 or AA9A, inward 9AA, with the letters
# each position never uses left out; that keeps refs such as "CC-3" and "Q3 2025" clear.
_POSTCODE = re.compile(
    r"\b(?:gir ?0aa"
    r"|[a-pr-uwyz](?:[0-9][0-9a-hjkpstuw]?|[a-hk-y][0-9][0-9abehmnprvwxy]?)"
    r"(?P<space> ?)(?P<inward>[0-9][abd-hjlnp-uw-z]{2}))\b",
    re.IGNORECASE,
)
# "M25 3rd exit", "Y6 2nd term", "KS2 1st": an ordinal typed in lower case after a space is
# prose, not a postcode. Upper-case "B33 8TH" is still a postcode.
_ORDINAL = re.compile(r"1st|2nd|3rd|[04-9]th", re.IGNORECASE)

# --- Date of birth ----------------------------------------------------------------------------
# A date on its own is usually a due date, so only a date next to a DOB marker is refused.
_DOB_MARKER = r"\b(?:d(?:\.\s?)?o(?:\.\s?)?b|date\s+of\s+birth)\b\.?"
_BORN = r"\bborn\b"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?\b"
_YEAR = r"(?:\d{4}|\d{2})\b"
# A day is needed: "born in March 2014" or "born 2014" is not a date of birth.
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b"
    r"|\d{1,2}[-/. ]\d{1,2}[-/. ](?:\d{4}|\d{2})\b"
    # Day/month with no year only when both are plausible, so gestation ("born 32/40") is not a date.
    r"|(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])\b(?!/)"
    rf"|{_DAY}[\s\-/.,]*(?:of\s+)?{_MONTH}(?:[\s\-/.,]*{_YEAR})?"
    rf"|{_MONTH}[\s\-/.,]*{_DAY}(?:,?\s*{_YEAR})?)"
)
# What may sit between the marker and the date: "DOB: ", "born on the ", "date of birth (".
_FILLER = r"[\s:=(),.\-]*(?:(?:on|is|was|the)\b[\s:=(),.\-]*){0,3}"
_DOB = re.compile(
    rf"(?:{_DOB_MARKER}|{_BORN}){_FILLER}{_DATE}|{_DATE}[\s:,(\-]*{_DOB_MARKER}",
    re.IGNORECASE,
)

# --- Phone number -----------------------------------------------------------------------------
# +44 / 0044 (with an optional "(0)") or a trunk 0, then the 9 or 10 digits of the national
# number in any grouping; validated by _is_uk_phone. Must not continue a word or digit run.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44[ \-]?(?:\(0\)|0)?[ \-]?|\(?0)"
    r"(?P<national>\d(?:[ \-)]{0,2}\d){8,9})(?![ \-]?\d)"
)
_NOT_DIGIT = re.compile(r"\D")


def _normalise(text: str) -> str:
    """Fold the look-alike characters that pasted text carries, so patterns see plain ASCII forms."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    # Zero-width and other format characters would split a number or a name invisibly.
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _fold(text: str) -> str:
    """Case- and accent-insensitive form used for names, so "ZOË" matches "Zoe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits carry a valid NHS modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:  # no valid number has this remainder
        return False
    return (0 if check == 11 else check) == int(digits[9])


def _has_nhs_number(text: str) -> bool:
    return any(_is_valid_nhs_number("".join(match.groups())) for match in _NHS.finditer(text))


def _has_postcode(text: str) -> bool:
    for match in _POSTCODE.finditer(text):
        inward = match.group("inward")
        if inward and match.group("space") and _ORDINAL.fullmatch(inward) and not inward.isupper():
            continue
        return True
    return False


def _is_uk_phone(national: str) -> bool:
    # Geographic (01, 02) and mobile (07) numbers are the ones a family has. 03, 08 and 09
    # numbers belong to organisations (helplines, switchboards) and are fine to share.
    if len(national) == 10:
        return national[0] in "127"
    return len(national) == 9 and national[0] == "1"  # the few 01 areas with shorter numbers


def _has_phone_number(text: str) -> bool:
    return any(_is_uk_phone(_NOT_DIGIT.sub("", match.group("national"))) for match in _PHONE.finditer(text))


@lru_cache(maxsize=64)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    words = []
    for name in names:
        parts = name.split()
        # Any run of spaces between the parts; never inside a longer word ("Janet" is not "Jane").
        words.append(r"\s+".join(re.escape(part) for part in parts))
    if not words:
        return None
    # Longest first so the alternation reports the fullest name; the result is the same kind.
    alternatives = "|".join(sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _has_protected_name(text: str, protected_names: Iterable[str]) -> bool:
    # A name of fewer than two letters ("C") would refuse every message naming "Child C".
    folded = {
        " ".join(_fold(_normalise(name)).split()) for name in protected_names if sum(ch.isalnum() for ch in name) >= 2
    }
    pattern = _names_pattern(tuple(sorted(folded)))
    # The possessive needs no rule: "'" is not a word character, so "Doe's" ends "Doe".
    return pattern is not None and pattern.search(_fold(text)) is not None


def find_identifying_data(text: str, protected_names: Iterable[str]) -> list[str]:
    """The kinds of identifying data in ``text`` (e.g. "an NHS number"), in a fixed order; never the data."""
    plain = _normalise(text)
    found = {
        PROTECTED_NAME: _has_protected_name(plain, protected_names),
        NHS_NUMBER: _has_nhs_number(plain),
        DATE_OF_BIRTH: _DOB.search(plain) is not None,
        POSTCODE: _has_postcode(plain),
        PHONE_NUMBER: _has_phone_number(plain),
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
