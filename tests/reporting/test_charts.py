"""The charts can be read without colour vision: the RAG colours differ in lightness, each has its own
pattern, and the legend's words say what is counted (the displayed RAG of bot.rules.rag)."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from bot.reporting.charts import FLOW_LOOKS, LABELS, RAG_LOOKS, SERIES, current_rag_chart
from bot.rules import rag
from storage.models import Rag, Status

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
SIMULATIONS = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
}


def linear(colour: str) -> np.ndarray:
    srgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of a linear RGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lightness(colour: str) -> float:
    return float(lab(linear(colour))[0])


@pytest.mark.parametrize("looks", [RAG_LOOKS, FLOW_LOOKS], ids=["rag", "flow"])
def test_the_colours_differ_in_lightness_so_greyscale_still_tells_them_apart(looks: dict) -> None:
    values = sorted(lightness(look.colour) for look in looks.values())
    assert all(b - a >= 14 for a, b in itertools.pairwise(values)), values


def test_the_old_palette_would_fail_the_lightness_check() -> None:
    """Red, green and blue of the old palette sat at L* 40-46: the check above catches that."""
    old = sorted(lightness(colour) for colour in ("#1f5fa8", "#2e7d32", "#f2a900", "#c62828"))
    assert not all(b - a >= 14 for a, b in itertools.pairwise(old))


@pytest.mark.parametrize("kind", SIMULATIONS)
def test_the_rag_colours_stay_apart_for_each_kind_of_colour_blindness(kind: str) -> None:
    matrix = np.array(SIMULATIONS[kind])
    seen = {name: lab(np.clip(matrix @ linear(look.colour), 0, 1)) for name, look in RAG_LOOKS.items()}
    for a, b in itertools.combinations(seen, 2):
        assert np.linalg.norm(seen[a] - seen[b]) >= 20, (kind, a, b)


def test_each_rag_has_its_own_pattern_and_a_label_in_words() -> None:
    hatches = [RAG_LOOKS[name].hatch for name in SERIES]
    assert all(hatches) and len(set(hatches)) == 4
    assert [LABELS[name].split(":")[0] for name in SERIES] == ["Blue", "Green", "Amber", "Red"]


@dataclass
class Facts:
    status: Status
    rag: Rag
    due: date
    last_update_at: datetime | None


TODAY = date(2026, 3, 2)
RECENT = datetime(2026, 3, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "shown", "words"),
    [
        (Facts(Status.IN_PROGRESS, Rag.GREEN, date(2026, 2, 1), RECENT), Rag.RED, "overdue"),  # owner says green
        (Facts(Status.IN_PROGRESS, Rag.RED, date(2026, 6, 1), RECENT), Rag.RED, "off track"),
        (Facts(Status.NOT_STARTED, Rag.GREEN, date(2026, 3, 10), None), Rag.AMBER, "due soon with no update"),
        (Facts(Status.IN_PROGRESS, Rag.AMBER, date(2026, 6, 1), RECENT), Rag.AMBER, "at risk"),
        (Facts(Status.IN_PROGRESS, Rag.GREEN, date(2026, 6, 1), RECENT), Rag.GREEN, "on track"),
        (Facts(Status.COMPLETE, Rag.RED, date(2026, 2, 1), RECENT), Rag.BLUE, "complete"),
    ],
)
def test_the_legend_names_why_each_action_is_counted_in_its_colour(facts: Facts, shown: Rag, words: str) -> None:
    assert rag(facts, TODAY, 14, ZoneInfo("Europe/London")) is shown
    assert words in LABELS[shown]


def test_a_drawn_bar_carries_its_pattern() -> None:
    """Inside the red segment, the hatch's white lines cover a real share of the pixels."""
    picture = np.asarray(Image.open(io.BytesIO(current_rag_chart("CC: RAG today", {"red": 3}))).convert("RGB"))
    red = np.array([int(RAG_LOOKS[Rag.RED].colour[i : i + 2], 16) for i in (1, 3, 5)])
    is_red = np.all(np.abs(picture.astype(int) - red) < 12, axis=2)
    bar_rows = np.nonzero(is_red.sum(axis=1) > picture.shape[1] // 4)[0]  # the bar's rows, not the legend's swatch
    bar_cols = np.nonzero(is_red[bar_rows].sum(axis=0) > len(bar_rows) // 4)[0]
    inside = picture[bar_rows.min() + 3 : bar_rows.max() - 3, bar_cols.min() + 3 : bar_cols.max() - 3].astype(int)
    white = np.all(inside > 235, axis=2).mean()
    assert 0.05 < white < 0.6, white
