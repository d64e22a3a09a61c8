"""``python -m bot report`` and ``python -m bot pack`` through the real entry point."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.__main__ import main
from bot.reporting.cli import period_for
from bot.reporting.figures import reporting_year
from tests.reporting.year import Year


def test_report_help_explains_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--help"])
    assert exit_info.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    for words in ("--from DATE", "--to DATE", "--review CODE", "--out DIR", "1 April to 31 March", "report.xlsx"):
        assert words in shown


def test_pack_help_explains_since(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["pack", "--help"])
    assert exit_info.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "--since DATE" in shown and "six weeks ago" in shown


def test_report_writes_html_markdown_and_xlsx(
    year: Year, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", year.settings.database_url)
    out = tmp_path / "annual"
    code = main(["report", "--from", "01/04/2025", "--to", "2026-03-31", "--review", "CC", "BM", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert {"report.html", "report.md", "report.xlsx"} <= {path.name for path in out.iterdir()}
    assert "Report for 1 April 2025 to 31 March 2026: 2 review(s), 20 action(s)." in capsys.readouterr().out
    reviews = [row[0] for row in load_workbook(out / "report.xlsx")["Reviews"].iter_rows(min_row=2, values_only=True)]
    assert reviews == ["CC", "BM", None]  # the two asked for, then the total
    assert "report-rag-EX.png" not in (out / "report.md").read_text(encoding="utf-8")


def test_report_refuses_an_unknown_review_and_a_backwards_period(
    year: Year, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", year.settings.database_url)
    out = tmp_path / "out"
    assert main(["report", "--review", "ZZ", "--out", str(out)]) == 2
    assert "No review with code ZZ." in capsys.readouterr().err
    assert main(["report", "--from", "31/03/2026", "--to", "01/04/2025", "--out", str(out)]) == 2
    assert "starts (31/03/2026) after it ends (01/04/2025)" in capsys.readouterr().err
    assert main(["report", "--from", "31/02/2026", "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not out.exists(), "nothing written"


def test_pack_writes_markdown_and_html(
    year: Year, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", year.settings.database_url)
    out = tmp_path / "pack"
    assert main(["pack", "--since", "01/03/2026", "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["pack.html", "pack.md"]
    assert "changes since 01/03/2026" in capsys.readouterr().out
    assert "## Waiting for sign-off" in (out / "pack.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, (date(2025, 4, 1), date(2026, 3, 31))),
        ("01/04/2024", None, (date(2024, 4, 1), date(2025, 3, 31))),
        (None, "31/12/2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("2025-06-01", "30/09/2025", (date(2025, 6, 1), date(2025, 9, 30))),
    ],
)
def test_the_period_options(start: str | None, end: str | None, expected: tuple[date, date]) -> None:
    assert period_for(start, end, date(2026, 5, 1)) == expected
    assert reporting_year(date(2026, 5, 1)).start == date(2025, 4, 1)
