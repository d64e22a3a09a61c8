"""handlers.slack.listeners.later on its own: Bolt's part is the ack; the listener runs after it, on the pool."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest.mock import Mock

from slack_bolt import BoltContext

from handlers.slack.listeners.later import Later

WAIT = 10.0  # a bound, not a measurement


def test_a_command_is_acked_before_its_listener_runs() -> None:
    release, ran = threading.Event(), threading.Event()

    def listener(ack: Any, body: dict[str, Any], context: BoltContext) -> None:
        ack()  # the listener's own ack does nothing: Bolt's was given already
        release.wait(WAIT)
        ran.set()

    with ThreadPoolExecutor(1) as pool:
        ack = Mock(name="ack")
        Later(pool).acked(listener)(ack=ack, body={}, context=BoltContext(), payload={})
        ack.assert_called_once_with()  # while the listener is still held
        assert not ran.is_set()
        release.set()
        assert ran.wait(WAIT)


def test_a_slow_forms_errors_reach_the_person_once_the_form_has_closed() -> None:
    release = threading.Event()
    late: list[dict[str, Any]] = []

    def submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        release.wait(WAIT)  # the database is slow
        ack(response_action="errors", errors={"note": "Write what has happened."})

    with ThreadPoolExecutor(1) as pool:
        ack = Mock(name="ack")
        later = Later(pool, form_wait=0)  # the request thread does not wait at all
        later.form(submitted, lambda body, context, said: late.append(said))(
            ack=ack, body={}, context=BoltContext(), payload={}
        )
        ack.assert_called_once_with()  # the form closed with nothing to say
        release.set()
    assert late == [{"response_action": "errors", "errors": {"note": "Write what has happened."}}]


def test_a_quick_forms_errors_keep_it_open() -> None:
    def submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        ack(response_action="errors", errors={"note": "Write what has happened."})

    with ThreadPoolExecutor(1) as pool:
        ack, late = Mock(name="ack"), Mock(name="late")
        Later(pool, form_wait=WAIT).form(submitted, late)(ack=ack, body={}, context=BoltContext(), payload={})
    ack.assert_called_once_with(response_action="errors", errors={"note": "Write what has happened."})
    late.assert_not_called()


def test_a_listener_that_raises_tells_the_person() -> None:
    deps = Mock(name="slack")

    def broken(body: dict[str, Any], context: BoltContext) -> None:
        raise RuntimeError("boom")

    with ThreadPoolExecutor(1) as pool:
        context = BoltContext({"slack": deps})
        Later(pool).event(broken)(body={"response_url": "https://hooks.slack.com/x"}, context=context, payload={})
    deps.respond.assert_called_once()
    assert deps.respond.call_args.args[0] == "https://hooks.slack.com/x"


def test_a_form_whose_listener_raises_closes_at_once() -> None:
    deps = Mock(name="slack")

    def broken(ack: Any, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        raise RuntimeError("boom")

    with ThreadPoolExecutor(1) as pool:
        ack = Mock(name="ack")
        later = Later(pool, form_wait=3600)  # an hour: had it waited, the test would never end
        later.form(broken, Mock(name="late"))(ack=ack, body={}, context=BoltContext({"slack": deps}), payload={})
    ack.assert_called_once_with()
