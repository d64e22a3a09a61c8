"""Progress of long command-line operations (import, export, report, pack, demo, db upgrade), drawn by tqdm.

Shown only to a person at a terminal: nothing is written when the stream is not a TTY (piped, redirected,
a cron job's log) or when ``CI`` is set, so scripts and logs see only the command's own output. The bar
goes to stderr and is cleared when the operation ends, leaving stdout as it was.

    with steps("Report", 3) as step:       # named steps of a known number
        step("reading the record of changes")   # as a step starts (or step.done(name) as one ends)
        ...
    for row in track(rows, "Import"):      # an iterable (a total is taken from len() when it has one)
        ...
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")
REFRESH_SECONDS = 0.5  # the elapsed time keeps moving while one long step runs
MININTERVAL = 0.1  # seconds between redraws of a counting bar: a fast loop is not slowed by drawing


def shown(stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> bool:
    """True when progress should be drawn: the stream is a terminal and ``CI`` is not set."""
    stream = sys.stderr if stream is None else stream
    env = os.environ if env is None else env
    if env.get("CI", "").strip():
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _bar(
    label: str, total: int | None, stream: TextIO | None, env: Mapping[str, str] | None, unit: str, every: float
) -> tqdm:
    return tqdm(
        mininterval=every,
        total=total,
        desc=label,
        unit=unit,
        file=sys.stderr if stream is None else stream,
        disable=not shown(stream, env),
        leave=False,
        dynamic_ncols=True,
    )


class Steps:
    """The handle ``steps()`` yields: ``step(name)`` as each step starts, or ``step.done(name)`` as each ends."""

    def __init__(self, bar: tqdm) -> None:
        self.bar, self.open = bar, False

    def __call__(self, name: str) -> None:
        if self.open:
            self.bar.update(1)  # the step before this one is done
        self.open = True
        self.bar.set_postfix_str(name, refresh=True)

    def done(self, name: str) -> None:
        self.open = False
        self.bar.update(1)
        self.bar.set_postfix_str(name, refresh=True)


@contextmanager
def steps(
    label: str, total: int, *, stream: TextIO | None = None, env: Mapping[str, str] | None = None
) -> Iterator[Steps]:
    """A bar of ``total`` named steps, its elapsed time moving while a long step runs."""
    bar = _bar(label, total, stream, env, "step", 0)  # few steps: draw each
    handle = Steps(bar)
    stop = threading.Event()
    ticker = None
    if not bar.disable:
        ticker = threading.Thread(target=_tick, args=(bar, stop), daemon=True)
        ticker.start()
    try:
        yield handle
        if handle.open:
            bar.update(1)
    finally:
        stop.set()
        if ticker is not None:
            ticker.join()
        bar.close()


def _tick(bar: tqdm, stop: threading.Event) -> None:
    while not stop.wait(REFRESH_SECONDS):
        bar.refresh()


def track(
    items: Iterable[T],
    label: str,
    total: int | None = None,
    *,
    unit: str = "row",
    stream: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[T]:
    """Yield the items, counting them on a bar; the total comes from ``len()`` when not given."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    bar = _bar(label, total, stream, env, unit, MININTERVAL)
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()
