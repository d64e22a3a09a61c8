"""Identity in one place: a chat account becomes a Person by chat id, then by e-mail (keeping the id)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UnknownPerson
from bot.identity import Identity, adopt, bind, is_known, keep_chat_id, mark_unreachable, require, resolve
from storage.models import Person

PAT = "pat@police.example.org"


def person(db: sessionmaker[Session], person_id: int) -> Person:
    with db() as session:
        found = session.get(Person, person_id)
        assert found is not None
        return found


def resolved(db: sessionmaker[Session], identity: Identity) -> int | None:
    with db.begin() as session:
        found = resolve(session, identity)
        return found.id if found else None


@pytest.mark.parametrize(
    ("identity", "who"),
    [
        (Identity("slack", "U0PAT", None), "pat"),  # the stored Slack id
        (Identity("slack", "U0PAT", "sam@police.example.org"), "pat"),  # the id wins over a profile e-mail
        (Identity("teams", "aad-sam", None), "sam"),  # the stored Teams id
        (Identity("slack", "aad-sam", None), None),  # a Teams id is not a Slack id
        (Identity("teams", "aad-new", "PAT@Police.Example.org "), "pat"),  # e-mail, any case and spacing
        (Identity("console", None, PAT), "pat"),
        (Identity("console", "U0PAT", None), None),  # the console has no chat ids
        (Identity("slack", "U0NOBODY", "nobody@example.org"), None),
        (Identity("teams", None, None), None),
    ],
)  # fmt: skip
def test_a_chat_account_is_matched_by_chat_id_then_e_mail(
    db: sessionmaker[Session], board: dict[str, int], identity: Identity, who: str | None
) -> None:
    with db.begin() as session:
        session.get(Person, board["pat"]).slack_user_id = "U0PAT"  # type: ignore[union-attr]
        session.get(Person, board["sam"]).teams_user_id = "aad-sam"  # type: ignore[union-attr]
    assert resolved(db, identity) == (board[who] if who else None)


def test_a_match_by_e_mail_keeps_the_chat_id_so_a_changed_e_mail_does_not_lose_them(
    db: sessionmaker[Session], board: dict[str, int]
) -> None:
    assert resolved(db, Identity("teams", "aad-pat", PAT)) == board["pat"]
    assert person(db, board["pat"]).teams_user_id is None  # resolving writes nothing: binding is its own step
    with db.begin() as session:
        assert bind(session, Identity("teams", "aad-pat", PAT)) is None
    assert person(db, board["pat"]).teams_user_id == "aad-pat"
    assert person(db, board["pat"]).slack_user_id is None
    assert resolved(db, Identity("teams", "aad-pat", "pat.new@police.example.org")) == board["pat"]


@pytest.mark.parametrize("platform", ["slack", "teams"])
def test_an_e_mail_binds_only_a_person_with_no_id_on_that_platform(
    db: sessionmaker[Session], board: dict[str, int], platform: str
) -> None:
    with db.begin() as session:
        assert bind(session, Identity(platform, "first", PAT)) is None
    with db.begin() as session:
        claimed = bind(session, Identity(platform, "second", PAT))  # another account, the same profile e-mail
        assert claimed is not None and claimed.id == board["pat"]
    with db.begin() as session:
        assert bind(session, Identity(platform, "first", PAT)) is None  # the bound account itself, again
    assert resolved(db, Identity(platform, "second", PAT)) is None  # not Pat, by e-mail or otherwise
    assert resolved(db, Identity(platform, "first", None)) == board["pat"]
    column = "slack_user_id" if platform == "slack" else "teams_user_id"
    assert getattr(person(db, board["pat"]), column) == "first"
    assert adopt(db, Identity(platform, "second", PAT)) is None
    keep_chat_id(db, board["pat"], platform, "third")  # a messenger's look-up by e-mail does not move it either
    assert getattr(person(db, board["pat"]), column) == "first"


def test_an_unknown_person_is_told_how_to_be_added(db: sessionmaker[Session], board: dict[str, int]) -> None:
    with db() as session, pytest.raises(UnknownPerson) as raised:
        require(session, Identity("slack", "U0NEW", "new@example.org"))
    assert raised.value.hint and "people add" in raised.value.hint


def test_is_known_looks_without_adopting(db: sessionmaker[Session], board: dict[str, int]) -> None:
    with db() as session:
        assert is_known(session, Identity("teams", "aad-pat", PAT))
        assert not is_known(session, Identity("teams", "aad-pat", None))
        assert not is_known(session, Identity("teams", None, None))
    assert person(db, board["pat"]).teams_user_id is None


def test_adopting_and_keeping_an_id_make_a_person_reachable_again(
    db: sessionmaker[Session], board: dict[str, int]
) -> None:
    mark_unreachable(db, board["pat"], "teams: no Teams chat with them yet " + "x" * 300)
    assert len(person(db, board["pat"]).unreachable or "") == 200
    assert adopt(db, Identity("teams", "aad-pat", PAT)) == board["pat"]
    assert person(db, board["pat"]).unreachable is None
    assert adopt(db, Identity("teams", "aad-nobody", "nobody@example.org")) is None
    mark_unreachable(db, board["sam"], "slack: user_disabled")
    keep_chat_id(db, board["sam"], "slack", "U0SAM")
    assert (person(db, board["sam"]).slack_user_id, person(db, board["sam"]).unreachable) == ("U0SAM", None)
