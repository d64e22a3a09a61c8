"""The anonymity guard: what it refuses, what it lets through, and that it never echoes the data."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.anonymity import (
    DATE_OF_BIRTH,
    NHS_NUMBER,
    PHONE_NUMBER,
    POSTCODE,
    PROTECTED_NAME,
    check_text,
    find_identifying_data,
)
from bot.errors import IdentifyingData, UserError

NAMES = ("Jane Doe", "Zoë Smith", "O'Brien", "St. John", "C")


def _check_digit(nine: str) -> int:
    """The NHS modulus-11 check digit, or 10 when no valid number starts with these nine digits."""
    remainder = sum(int(digit) * weight for digit, weight in zip(nine, range(10, 1, -1), strict=True)) % 11
    return 0 if remainder == 0 else 11 - remainder


POSITIVES = [
    # NHS numbers with a valid check digit, however they are grouped or pasted.
    ("NHS no 943 476 5919", NHS_NUMBER),
    ("nhs: 943-476-5919.", NHS_NUMBER),
    ("9434765919", NHS_NUMBER),
    ("(9434765919)", NHS_NUMBER),
    ("check digit 0: 828 836 0750", NHS_NUMBER),
    ("943\u00a0476\u00a05919", NHS_NUMBER),
    ("943\u200b476\u200b5919", NHS_NUMBER),
    ("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", NHS_NUMBER),
    ("943\u2013476\u20135919", NHS_NUMBER),
    # Full postcodes in every outward shape, any case, spaced or not.
    ("Lives at BS16 1AA now", POSTCODE),
    ("bs161aa", POSTCODE),
    ("SW1A 1AA", POSTCODE),
    ("M1 1AE", POSTCODE),
    ("B33 8TH", POSTCODE),
    ("CR2 6XH", POSTCODE),
    ("DN55 1PT", POSTCODE),
    ("dn551pt", POSTCODE),
    ("GIR 0AA", POSTCODE),
    ("w1a\u00a00ax.", POSTCODE),
    # A date next to a DOB marker, before or after it.
    ("DOB 12/03/2014", DATE_OF_BIRTH),
    ("born 3rd March 2014", DATE_OF_BIRTH),
    ("born on 12.3.14", DATE_OF_BIRTH),
    ("d.o.b: 2014-03-12", DATE_OF_BIRTH),
    ("D.O.B. 12/03/2014", DATE_OF_BIRTH),
    ("date of birth: 12 March 2014", DATE_OF_BIRTH),
    ("Date of Birth - 3 Mar 14", DATE_OF_BIRTH),
    ("born on the 3rd of March 2014", DATE_OF_BIRTH),
    ("born March 3rd, 2014", DATE_OF_BIRTH),
    ("born 12-Mar-2014", DATE_OF_BIRTH),
    ("12/03/2014 (DOB)", DATE_OF_BIRTH),
    ("DOB\u00a012/03/2014", DATE_OF_BIRTH),
    ("DOB 12/3", DATE_OF_BIRTH),
    ("Date of birth 12th Feb", DATE_OF_BIRTH),
    # UK mobiles and landlines.
    ("07700 900123", PHONE_NUMBER),
    ("+44 7700 900123", PHONE_NUMBER),
    ("+447700900123", PHONE_NUMBER),
    ("0044 7700 900123", PHONE_NUMBER),
    ("+44 (0)7700 900123", PHONE_NUMBER),
    ("07700-900-123", PHONE_NUMBER),
    ("tel:07700900123", PHONE_NUMBER),
    ("0117 496 0123", PHONE_NUMBER),
    ("(0117) 4960123", PHONE_NUMBER),
    ("020 7946 0123", PHONE_NUMBER),
    ("(020) 7946 0123", PHONE_NUMBER),
    ("\uff10\uff17\uff17\uff10\uff10 900123", PHONE_NUMBER),
    # The real names behind a pseudonym, whole words, any case, with possessives.
    ("spoke to jane doe's mum", PROTECTED_NAME),
    ("JANE DOE attended", PROTECTED_NAME),
    ("Jane  Doe", PROTECTED_NAME),
    ("Jane\u00a0Doe", PROTECTED_NAME),
    ("Jane\nDoe", PROTECTED_NAME),
    ("Jane Doe\u2019s school", PROTECTED_NAME),
    ("*Jane Doe*", PROTECTED_NAME),
    ("zoe smith", PROTECTED_NAME),
    ("ZOË SMITH", PROTECTED_NAME),
    ("Mrs O\u2019Brien called", PROTECTED_NAME),
    ("o'brien's flat", PROTECTED_NAME),
    ("st. john was seen", PROTECTED_NAME),
    # Run together or joined by anything: separators do not hide a name.
    ("jane_doe", PROTECTED_NAME),
    ("OBrien", PROTECTED_NAME),
    ("@janedoe", PROTECTED_NAME),
    ("Jane Doe!", PROTECTED_NAME),
]

NEAR_MISSES = [
    # NHS: wrong check digit, a check digit of 10, part of a longer digit run, too short.
    "9434765918",
    "943 476 5918",
    "8484751350",
    "ref 19434765919",
    "94347659190",
    "943 476 5919 1",
    "1 943 476 5919",
    "943 476 591",
    # Postcode-like refs and prose.
    "BS16",
    "see BS16 for the area",
    "CC-3",
    "Q3 2025",
    "action CC-12 due Q3 2025",
    "took the M25 3rd exit",
    "Y6 2nd term",
    "KS2 1st",
    # Dates without a DOB marker, and "born" without a date.
    "due 12/03/2014",
    "extend to 31 March 2026",
    "new-born baby unit",
    "born and raised locally",
    "born in 2014",
    "born in March 2014",
    "born at 32 weeks",
    "born 32/40 weeks",
    "adobe 12/03/2014",
    "the DOB field on the form is now mandatory",
    "date of birth not recorded; due 31/03/2026",
    # Numbers that are not UK personal phone numbers.
    "call 999",
    "ring 111",
    "by 2025",
    "action CC-3",
    "123456",
    "07700",
    "NSPCC helpline 0808 800 5000",
    "switchboard 0300 123 4567",
    "07700 900123 5",
    # Names inside other words, partial names and the review's pseudonyms.
    "Janet said so",
    "Janet Doe said so",
    "Jane said so",
    "Doesburg",
    "Child C",
    "Baby M",
    "Child C's mother, Baby M's father",
    "Stx John",
]


@pytest.mark.parametrize(("text", "kind"), POSITIVES)
def test_identifying_data_is_found(text: str, kind: str) -> None:
    assert kind in find_identifying_data(text, NAMES)


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_pass(text: str) -> None:
    assert find_identifying_data(text, NAMES) == []
    check_text(text, NAMES)


def test_ordinary_update_passes() -> None:
    note = (
        "CC-3: Child C's school has re-run the training (2 sessions, 48 staff) on 12/03/2026; "
        "next review Q3 2025 with the BS16 cluster. Baby M's health visitor checked in. Call 999 if urgent."
    )
    assert find_identifying_data(note, NAMES) == []


def test_kinds_come_in_a_fixed_order_once_each() -> None:
    text = "Tel 07700 900123, BS16 1AA, DOB 12/03/2014, NHS 9434765919 and 943 476 5919, Jane Doe"
    assert find_identifying_data(text, NAMES) == [
        PROTECTED_NAME,
        NHS_NUMBER,
        DATE_OF_BIRTH,
        POSTCODE,
        PHONE_NUMBER,
    ]


def test_protected_names_can_be_any_iterable_and_may_be_empty() -> None:
    assert find_identifying_data("Jane Doe", (name for name in ["Jane Doe"])) == [PROTECTED_NAME]
    assert find_identifying_data("Jane Doe", []) == []
    assert find_identifying_data("Jane Doe", ["", "   "]) == []


@pytest.mark.parametrize(
    "name", ["Ann (Annie) Lee", "K.+Lee", "Lee [jnr]", "A|B", r"Lee\Jones", "Mary-Jane*", "$mith^"]
)
def test_names_with_regex_metacharacters_are_matched_literally(name: str) -> None:
    assert find_identifying_data(f"met {name} today", [name]) == [PROTECTED_NAME]
    assert find_identifying_data("met someone today", [name]) == []


def test_message_names_the_kind_without_the_data() -> None:
    with pytest.raises(IdentifyingData) as caught:
        check_text("Mum's number is 07700 900123", NAMES)
    error = caught.value
    assert isinstance(error, UserError)
    assert error.message == (
        "Not saved: the text looks like it contains a UK phone number. Chat is not the place for "
        "identifying details: refer to the child by the review's pseudonym (e.g. 'Child C') and "
        "keep records in the case file."
    )
    assert error.hint is not None
    assert "send it again" in error.hint
    assert "07700" not in str(error)


def test_message_lists_every_kind_found() -> None:
    with pytest.raises(IdentifyingData) as caught:
        check_text("Jane Doe, NHS 943 476 5919, BS16 1AA", NAMES)
    assert "contains a protected name, an NHS number and a UK postcode." in caught.value.message
    for leaked in ("Jane", "Doe", "943", "5919", "BS16", "1AA"):
        assert leaked.casefold() not in str(caught.value).casefold()


def test_clean_text_is_accepted() -> None:
    assert check_text("On track: training delivered to all DSLs.", NAMES) is None


def _formatted(digits: str, style: str) -> str:
    return style.format(digits[:3], digits[3:6], digits[6:])


@given(
    nine=st.text(alphabet=string.digits, min_size=9, max_size=9),
    style=st.sampled_from(["{}{}{}", "{} {} {}", "{}-{}-{}", "{}\u00a0{}\u00a0{}"]),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
)
def test_any_valid_nhs_number_is_refused_without_echoing_it(nine: str, style: str, before: str, after: str) -> None:
    check = _check_digit(nine)
    assume(check != 10)
    digits = nine + str(check)
    text = f"{before}\nNHS number: {_formatted(digits, style)}.\n{after}"

    assert NHS_NUMBER in find_identifying_data(text, [])
    with pytest.raises(IdentifyingData) as caught:
        check_text(text, [])
    shown = str(caught.value)
    assert digits not in shown
    assert not any(character.isdigit() for character in shown)


@given(
    nine=st.text(alphabet=string.digits, min_size=9, max_size=9),
    wrong=st.integers(min_value=1, max_value=9),
    style=st.sampled_from(["{}{}{}", "{} {} {}", "{}-{}-{}"]),
    before=st.text(alphabet=string.ascii_letters + " .,:", max_size=40),
    after=st.text(alphabet=string.ascii_letters + " .,:", max_size=40),
)
def test_a_wrong_check_digit_is_never_an_nhs_number(nine: str, wrong: int, style: str, before: str, after: str) -> None:
    digits = nine + str((_check_digit(nine) + wrong) % 10)
    text = f"{before} {_formatted(digits, style)} {after}"
    assert NHS_NUMBER not in find_identifying_data(text, [])
