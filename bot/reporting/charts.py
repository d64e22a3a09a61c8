"""The report's charts as PNG bytes, drawn with matplotlib's Agg renderer (no display, no pyplot state).

Readable without colour vision: the four RAG colours differ in lightness as well as hue (CIE L* about
25, 40, 66 and 86, so they stay apart in greyscale and for each kind of colour blindness), every bar
carries its RAG's own hatch pattern, and the legend names each RAG in words saying what is counted
(red is overdue as well as reported off track: the displayed RAG of bot.rules.rag).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.reporting.blocks import SHOWN_RAG_WORDS
from bot.reporting.model import MonthFlow, MonthRag, month_label
from storage.models import Rag


@dataclass(frozen=True)
class Look:
    """How one series is drawn: fill, hatch pattern and the colour of the hatch lines."""

    colour: str
    hatch: str
    ink: str  # hatch lines: light on a dark fill, dark on a light one


RAG_LOOKS = {
    Rag.BLUE: Look("#1b3a6b", "..", "#ffffff"),  # navy, L* 25
    Rag.RED: Look("#b02a24", "xx", "#ffffff"),  # brick red, L* 40
    Rag.GREEN: Look("#5fb36b", "//", "#14331a"),  # mid green, L* 66
    Rag.AMBER: Look("#f7d36b", "\\\\", "#5a4300"),  # pale amber, L* 86
}
SERIES = (Rag.BLUE, Rag.GREEN, Rag.AMBER, Rag.RED)  # stacked from the bottom: done first, trouble on top
LABELS = {rag: f"{rag.value.title()}: {SHOWN_RAG_WORDS[rag]}" for rag in SERIES}
FLOW_LOOKS = {
    "Due (original target)": Look("#cfcfcf", "", "#404040"),  # light grey, L* 83
    "Due (agreed date)": Look("#6f7fb8", "//", "#ffffff"),  # slate blue, L* 54
    "Completed": Look("#1e4d2b", "..", "#ffffff"),  # dark green, L* 29
}
DPI = 100


def rag_chart(title: str, months: Sequence[MonthRag]) -> bytes:
    """A stacked bar per month end: how many of a review's actions showed each RAG."""
    figure = Figure(figsize=(8, 4.2), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(months)))
    bottom = [0] * len(months)
    for rag in SERIES:
        heights = [getattr(month, rag.value) for month in months]
        look = RAG_LOOKS[rag]
        axes.bar(positions, heights, bottom=bottom, width=0.7, label=LABELS[rag], **_style(look))
        bottom = [below + height for below, height in zip(bottom, heights, strict=True)]
    axes.set_xticks(positions, [month_label(month.on) for month in months], rotation=45, ha="right", fontsize=8)
    axes.set_ylim(0, max([*bottom, 1]) * 1.15)
    _finish(figure, axes, title, "Actions")
    return _png(figure)


def current_rag_chart(title: str, counts: dict[str, int]) -> bytes:
    """One horizontal bar: how many of a review's actions show each RAG today (the digest's chart)."""
    figure = Figure(figsize=(6.4, 2.2), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    left = 0
    for rag in SERIES:
        width = counts.get(rag.value, 0)
        look = RAG_LOOKS[rag]
        axes.barh([0], [width], left=[left], height=0.6, label=f"{LABELS[rag]} ({width})", **_style(look))
        left += width
    axes.set_yticks([])
    axes.set_xlim(0, max(left, 1))
    axes.spines["left"].set_visible(False)
    _finish(figure, axes, title, None, fontsize=10)
    return _png(figure)


def flow_chart(title: str, months: Sequence[MonthFlow]) -> bytes:
    """Per month: actions due by their original and by their agreed date, and actions completed."""
    figure = Figure(figsize=(8, 4.2), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    width = 0.27
    series = (
        ("Due (original target)", [month.due_original for month in months], -width),
        ("Due (agreed date)", [month.due_agreed for month in months], 0.0),
        ("Completed", [month.completed for month in months], width),
    )
    for label, heights, offset in series:
        positions = [n + offset for n in range(len(months))]
        axes.bar(positions, heights, width=width, label=label, **_style(FLOW_LOOKS[label]))
    axes.set_xticks(
        list(range(len(months))), [month_label(month.month) for month in months], rotation=45, ha="right", fontsize=8
    )
    tallest = max([1, *(max(heights, default=0) for _label, heights, _offset in series)])
    axes.set_ylim(0, tallest * 1.15)
    _finish(figure, axes, title, "Actions")
    return _png(figure)


def _style(look: Look) -> dict[str, Any]:
    # A thin white edge parts stacked segments; the hatch has its own colour so the edge can stay white.
    return {"color": look.colour, "hatch": look.hatch, "hatchcolor": look.ink, "edgecolor": "white", "linewidth": 0.6}


def _finish(figure: Figure, axes: Axes, title: str, ylabel: str | None, *, fontsize: int = 11) -> None:
    """Title, integer ticks, and the legend in words below the chart (the chart keeps its full width)."""
    axes.set_title(title, fontsize=fontsize)
    if ylabel:
        axes.set_ylabel(ylabel)
    counted = axes.yaxis if ylabel else axes.xaxis  # the digest's bar counts along x
    counted.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # No "Software" stamp: the same figures give the same bytes, so a report can be compared.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
