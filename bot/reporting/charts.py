"""The report's charts as PNG bytes, drawn with matplotlib's Agg renderer (no display, no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.reporting.figures import MonthFlow, MonthRag, month_label

# The RAG colours a board's spreadsheets use, dark enough to carry white text and to print.
COLOURS = {"blue": "#1f5fa8", "green": "#2e7d32", "amber": "#f2a900", "red": "#c62828"}
LABELS = {"blue": "Blue: complete", "green": "Green: on track", "amber": "Amber: at risk", "red": "Red: off track"}
SERIES = ("blue", "green", "amber", "red")
DPI = 100


def rag_chart(title: str, months: Sequence[MonthRag]) -> bytes:
    """A stacked bar per month end: how many of a review's actions showed each RAG."""
    figure = Figure(figsize=(8, 3.6), dpi=DPI)
    axes = figure.add_subplot()
    positions = list(range(len(months)))
    bottom = [0] * len(months)
    for name in SERIES:
        heights = [getattr(month, name) for month in months]
        axes.bar(positions, heights, bottom=bottom, color=COLOURS[name], label=LABELS[name], width=0.7)
        bottom = [below + height for below, height in zip(bottom, heights, strict=True)]
    axes.set_xticks(positions, [month_label(month.on) for month in months], rotation=45, ha="right", fontsize=8)
    axes.set_ylabel("Actions")
    axes.set_title(title, fontsize=11)
    axes.set_ylim(0, max([*bottom, 1]) * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def current_rag_chart(title: str, counts: dict[str, int]) -> bytes:
    """One horizontal bar: how many of a review's actions show each RAG today (the digest's chart)."""
    figure = Figure(figsize=(6, 1.6), dpi=DPI)
    axes = figure.add_subplot()
    left = 0
    for name in SERIES:
        width = counts.get(name, 0)
        axes.barh([0], [width], left=[left], color=COLOURS[name], label=f"{LABELS[name]} ({width})", height=0.6)
        left += width
    axes.set_yticks([])
    axes.set_xlim(0, max(left, 1))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title, fontsize=10)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.1), fontsize=7, frameon=False)
    axes.spines[["top", "right", "left"]].set_visible(False)
    return _png(figure)


def flow_chart(title: str, months: Sequence[MonthFlow]) -> bytes:
    """Per month: actions due by their original and by their agreed date, and actions completed."""
    figure = Figure(figsize=(8, 3.6), dpi=DPI)
    axes = figure.add_subplot()
    width = 0.27
    series = (
        ("Due (original target)", [month.due_original for month in months], "#9e9e9e", -width),
        ("Due (agreed date)", [month.due_agreed for month in months], "#5c6bc0", 0.0),
        ("Completed", [month.completed for month in months], COLOURS["green"], width),
    )
    for label, heights, colour, offset in series:
        axes.bar([n + offset for n in range(len(months))], heights, width=width, color=colour, label=label)
    axes.set_xticks(
        list(range(len(months))), [month_label(month.month) for month in months], rotation=45, ha="right", fontsize=8
    )
    axes.set_ylabel("Actions")
    axes.set_title(title, fontsize=11)
    tallest = max([1, *(max(heights, default=0) for _label, heights, _colour, _offset in series)])
    axes.set_ylim(0, tallest * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    figure.tight_layout()
    buffer = io.BytesIO()
    # No "Software" stamp: the same figures give the same bytes, so a report can be compared.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
