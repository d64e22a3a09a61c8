"""The anonymity guard against text dressed up to slip past it, and the innocent text beside it.

Each refused case is a way people (or an attacker) were seen to write identifying data: separators,
invisible characters, look-alike letters, other scripts' digits, names run together or spelt out.
Each passing case is something a board writes every week: pseudonyms, helplines, references with
their reference word, ordinary dates, action refs, money.
"""

from __future__ import annotations

import pytest

from bot.anonymity import DATE_OF_BIRTH, NHS_NUMBER, PHONE_NUMBER, POSTCODE, PROTECTED_NAME, find_identifying_data

NAMES = ("Jane Doe", "Zoë Smith", "Tom Okafor", "Priya Sharma-Patel")

REFUSED = [
    # NHS numbers (943 476 5919 and 401 023 2137 have valid check digits), however they are written.
    ("NHS 943.476.5919", NHS_NUMBER),
    ("943/476/5919", NHS_NUMBER),
    ("943  476  5919", NHS_NUMBER),
    ("943_476_5919", NHS_NUMBER),
    ("943 4765 919", NHS_NUMBER),
    ("94347 65919", NHS_NUMBER),
    ("943 - 476 - 5919", NHS_NUMBER),
    ("(943) 476-5919", NHS_NUMBER),
    ("nhs no: 4010232137", NHS_NUMBER),
    ("401.023.2137 is the number", NHS_NUMBER),
    ("NHS9434765919", NHS_NUMBER),
    ("943\u200c476\u200d5919", NHS_NUMBER),
    ("943\u00ad476\u00ad5919", NHS_NUMBER),
    ("\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669", NHS_NUMBER),  # Arabic-Indic digits
    ("\u096f\u096a\u0969 \u096a\u096d\u096c \u096b\u096f\u0967\u096f", NHS_NUMBER),  # Devanagari digits
    ("\U0001d7eb\U0001d7e6\U0001d7e5 476 5919", NHS_NUMBER),  # mathematical digits
    ("943\u2044476\u20445919", NHS_NUMBER),  # fraction slash
    ("943\t476\t5919", NHS_NUMBER),
    # Postcodes, any case and separator, spaced out, with look-alike letters.
    ("BS1-4DJ", POSTCODE),
    ("bs1.4dj", POSTCODE),
    ("B S 1 4 D J", POSTCODE),
    ("BS1  4DJ", POSTCODE),
    ("bs1 4dj", POSTCODE),
    ("moved to bs14dj last week", POSTCODE),
    ("BS1_4DJ", POSTCODE),
    ("BS1/4DJ", POSTCODE),
    ("SW1A-1AA", POSTCODE),
    ("s w 1 a 1 a a", POSTCODE),
    ("\u0412S1 4DJ", POSTCODE),  # Cyrillic capital VE for B
    ("B\u200bS1 4DJ", POSTCODE),
    ("ＢＳ１ ４ＤＪ", POSTCODE),  # full-width
    ("BS 16 1AA", POSTCODE),
    ("ec1a.1bb", POSTCODE),
    ("M1   1AE", POSTCODE),
    ("lives near cr2-6xh", POSTCODE),
    ("B33 8TH", POSTCODE),
    # Dates of birth after every marker people use.
    ("d o b 12/03/2015", DATE_OF_BIRTH),
    ("DoB12/03/2015", DATE_OF_BIRTH),
    ("date-of-birth 12/03/2015", DATE_OF_BIRTH),
    ("date_of_birth: 2015-03-12", DATE_OF_BIRTH),
    ("birthday 12 March", DATE_OF_BIRTH),
    ("birthday is on the 12th of March", DATE_OF_BIRTH),
    ("birthdate 12.03.15", DATE_OF_BIRTH),
    ("b. 12/03/2015", DATE_OF_BIRTH),
    ("b.12/03/2015", DATE_OF_BIRTH),
    ("born on the twelfth of March", DATE_OF_BIRTH),
    ("born twelfth of March two thousand and fifteen", DATE_OF_BIRTH),
    ("DOB twenty-first of June", DATE_OF_BIRTH),
    ("dob: March the twelfth", DATE_OF_BIRTH),
    ("date of birth first May 2015", DATE_OF_BIRTH),
    ("d.o.b 12 / 03 / 2015", DATE_OF_BIRTH),
    ("d-o-b 12/03/15", DATE_OF_BIRTH),
    ("D\u043eB 12/03/2015", DATE_OF_BIRTH),  # Cyrillic o
    ("DOB \u0661\u0662/\u0660\u0663/\u0662\u0660\u0661\u0665", DATE_OF_BIRTH),
    ("born 12th Feb 2015", DATE_OF_BIRTH),
    ("Born: 3/4/2015", DATE_OF_BIRTH),
    ("12/03/2015 (d.o.b.)", DATE_OF_BIRTH),
    ("DOB\u200b12/03/2015", DATE_OF_BIRTH),
    # Phone numbers with dots, slashes, wide spacing, other scripts' digits.
    ("07700.900.123", PHONE_NUMBER),
    ("07700/900/123", PHONE_NUMBER),
    ("07700   900123", PHONE_NUMBER),
    ("0 7 7 0 0 9 0 0 1 2 3", PHONE_NUMBER),
    ("\u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0661\u0662\u0663", PHONE_NUMBER),
    ("\u0966\u096d\u096d\u0966\u0966 \u096f\u0966\u0966\u0967\u0968\u0969", PHONE_NUMBER),
    ("0117.496.0123", PHONE_NUMBER),
    ("0117/4960/123", PHONE_NUMBER),
    ("+44.7700.900.123", PHONE_NUMBER),
    ("+44 (0) 7700 900 123", PHONE_NUMBER),
    ("0044-7700-900123", PHONE_NUMBER),
    ("mum 07700_900_123", PHONE_NUMBER),
    ("07700\u200b900123", PHONE_NUMBER),
    ("\uff10\uff17\uff17\uff10\uff10\uff19\uff10\uff10\uff11\uff12\uff13", PHONE_NUMBER),
    ("020-7946-0123", PHONE_NUMBER),
    ("due 12/03/2026, mum 07700 900123", PHONE_NUMBER),
    ("due 12/03/2026 07700 900123", PHONE_NUMBER),
    ("action CC-3 07700 900123", PHONE_NUMBER),
    ("tel07700900123", PHONE_NUMBER),
    ("mobile: (07700) 900 123", PHONE_NUMBER),
    # Protected names, however they are dressed.
    ("Jane-Doe", PROTECTED_NAME),
    ("Jane\u200bDoe", PROTECTED_NAME),
    ("J\u0430ne Doe", PROTECTED_NAME),  # Cyrillic a
    ("Jane D\u03bfe", PROTECTED_NAME),  # Greek omicron
    ("Doe, Jane", PROTECTED_NAME),
    ("DOE Jane", PROTECTED_NAME),
    ("#JaneDoe", PROTECTED_NAME),
    ("@janedoe", PROTECTED_NAME),
    ("Jane_Doe", PROTECTED_NAME),
    ("jane_doe", PROTECTED_NAME),
    ("J a n e D o e", PROTECTED_NAME),
    ("J.a.n.e. D.o.e.", PROTECTED_NAME),
    ("Jane D o e", PROTECTED_NAME),
    ("D0e, Jane", PROTECTED_NAME),
    ("Jane D0e", PROTECTED_NAME),
    ("J@ne Doe", PROTECTED_NAME),
    ("JANE.DOE", PROTECTED_NAME),
    ("Jane/Doe's school", PROTECTED_NAME),
    ("Jane\u00adDoe", PROTECTED_NAME),  # soft hyphen
    ("ｊａｎｅ ｄｏｅ", PROTECTED_NAME),  # full-width
    ("Zoe Smith", PROTECTED_NAME),
    ("Z0e Sm1th", PROTECTED_NAME),
    ("smith, zoë", PROTECTED_NAME),
    ("Zoe\u0308 Smith", PROTECTED_NAME),  # combining diaeresis
    ("tom okafor", PROTECTED_NAME),
    ("T0m 0kaf0r", PROTECTED_NAME),
    ("Okafor, Tom", PROTECTED_NAME),
    ("#TomOkafor", PROTECTED_NAME),
    ("Priya Sharma Patel", PROTECTED_NAME),
    ("priya sharmapatel", PROTECTED_NAME),
    ("Sharma-Patel, Priya", PROTECTED_NAME),
]

PASSED = [
    # Pseudonyms and staff.
    "Child C",
    "Child C's school has re-run the training",
    "Baby M's health visitor checked in",
    "Jane said so",
    "Janet Doe said so",
    "Doesburg",
    "Dr Doe-Smithson attended",
    "tomorrow we meet",
    "sent to M. Smith",
    "the Sharma report",
    "Tom said so",
    # Helplines and switchboards (03, 08, 09) and emergency numbers.
    "NSPCC helpline 0808 800 5000",
    "switchboard 0300 123 4567",
    "call 0300.123.4567",
    "0800 1111 (Childline)",
    "call 999",
    "ring 111",
    "0845 000 0000",
    # Numbers beside the word that says what they are.
    "Ofsted URN 0123456789",
    "Ticket 2024000002",
    "Invoice ref 01174960123",
    "invoice no. 07700900123",
    "policy number 0117 496 0123",
    "case ref: 9434765919",
    "Case Ref 07700 900123",
    "PO 01174960123",
    "order #2024000002",
    "crime ref 07700/900/123",
    "incident no 4010232137",
    "ticket: 943 476 5919",
    "URN: 0 1234 56789",
    # NHS-shaped numbers without a valid check digit, or inside longer runs.
    "9434765918",
    "943.476.5918",
    "943/476/5918",
    "ref 19434765919",
    "94347659190",
    "943 476 5919 1",
    "4111 1111 1111 1111",
    # Ordinary dates, times and periods.
    "due 12/03/2026",
    "extend to 31 March 2026",
    "meeting 2026-03-12 at 10:30",
    "the DOB field on the form is now mandatory",
    "date of birth not recorded; due 31/03/2026",
    "born in March 2014",
    "born at 32 weeks",
    "born 32/40 weeks",
    "new-born baby unit",
    "Plan b. due 12/03/2026",
    "birthday party was cancelled",
    "adobe 12/03/2014",
    "12/03/2026 - 19/03/2026",
    "Q3 2025",
    "by 2025",
    "between 01.04.2026 and 30.06.2026",
    "week 12 of 52",
    # Action refs, codes and postcode-like prose.
    "CC-3",
    "action CC-12 due Q3 2025",
    "CC-3, CC-4 and CC-10 are complete",
    "BS16",
    "see BS16 for the area",
    "took the M25 3rd exit",
    "Y6 2nd term",
    "KS2 1st",
    "phase 2 starts at 3pm",
    "Section 47 enquiry",
    "S47 and S17 assessments",
    "Level 3 training for 48 staff",
    # Money, percentages and counts.
    "£1,250.00",
    "£12,500 budget agreed",
    "45% of staff trained",
    "2 sessions, 48 staff",
    "123456",
    "07700",
    "1 2 3 4 5",
    "version 1.2.3",
    "ISBN 978-0-14-103614-4",
]


@pytest.mark.parametrize(("text", "kind"), REFUSED)
def test_disguised_identifying_data_is_refused(text: str, kind: str) -> None:
    assert kind in find_identifying_data(text, NAMES)


@pytest.mark.parametrize("text", PASSED)
def test_innocent_text_passes(text: str) -> None:
    assert find_identifying_data(text, NAMES) == []


def test_the_table_is_large_and_goes_both_ways() -> None:
    assert len(REFUSED) + len(PASSED) >= 150
    assert len(REFUSED) >= 60 and len(PASSED) >= 60
    assert {kind for _, kind in REFUSED} == {PROTECTED_NAME, NHS_NUMBER, DATE_OF_BIRTH, POSTCODE, PHONE_NUMBER}


def test_spelt_out_letters_must_spell_the_whole_name() -> None:
    # Spaced-out single letters may join; ordinary words may not be glued into a name ("to m" is not "Tom").
    assert find_identifying_data("sent to m okafor", NAMES) == []
    assert find_identifying_data("T o m Okafor", NAMES) == [PROTECTED_NAME]
