"""bot.views.Built: a message's reminders read like a tuple, each built the first time it is read."""

from __future__ import annotations

import pytest

from bot.views import Built, Reminder


def test_reads_like_the_tuple_of_every_reminder_and_builds_each_once() -> None:
    made: list[int] = []

    def build(n: int) -> Reminder:
        made.append(n)
        return Reminder(None, f"reason {n}")  # type: ignore[arg-type]

    built = Built(range(12), build)
    assert len(built) == 12 and made == []
    assert [r.reason for r in built[:3]] == ["reason 0", "reason 1", "reason 2"] and made == [0, 1, 2]
    assert built[-1].reason == "reason 11" and built[2] is built[2] and made == [0, 1, 2, 11]
    assert built[10:20] == (built[10], built[11]) and built[::5] == (built[0], built[5], built[10])
    with pytest.raises(IndexError):
        built[12]
    everything = tuple(Reminder(None, f"reason {n}") for n in range(12))  # type: ignore[arg-type]
    assert built == everything and tuple(built) == everything and hash(built) == hash(everything)
    assert sorted(made) == list(range(12)) and len(made) == 12  # each built once
    assert built != everything[:11] and built != "not reminders"
