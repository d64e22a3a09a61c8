"""The HTML report opens in a real browser: headless Chromium (Debian's package) loads it, its images
decode, nothing is logged to the console, and a screenshot is taken.

A probe page served beside the report frames it (same origin, so the probe may look inside) and writes
what it finds into its own DOM, which ``--dump-dom`` prints; every console message of either page
(script errors, blocked loads, Content-Security-Policy refusals) is on Chromium's stderr as a
``CONSOLE`` line. The report itself runs no script, so it is loaded byte for byte as written.

Set REPORT_SCREENSHOT=docs/report-screenshot.png to refresh the README's screenshot from this test.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.reporting.figures import reporting_year
from bot.reporting.report import make_report, write_report
from tests.reporting.year import AFTER, Year

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--enable-logging=stderr", "--v=0",
)  # fmt: skip
PROBE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>probe</title></head><body>
<iframe id="page" src="PAGE" width="WIDTH" height="2000"></iframe>
<pre id="result">pending</pre>
<script>
var errors = [];
window.onerror = function (message) { errors.push(String(message)); };
document.getElementById("page").addEventListener("load", function () {
  var doc = this.contentDocument;
  var images = Array.prototype.map.call(doc.images, function (image) {
    return {complete: image.complete, width: image.naturalWidth, height: image.naturalHeight, alt: image.alt};
  });
  var headings = Array.prototype.map.call(doc.querySelectorAll("h2"), function (h) { return h.textContent; });
  var view = doc.documentElement.clientWidth;
  // Anything reaching past the page's width (the visually hidden table headings excepted: they are clipped).
  var wide = Array.prototype.filter.call(doc.body.querySelectorAll("*"), function (element) {
    var box = element.getBoundingClientRect();
    return !element.closest("thead") && (box.right > view + 1 || box.left < -1);
  }).map(function (element) { return element.tagName.toLowerCase() + " " + element.textContent.slice(0, 40); });
  document.getElementById("result").textContent = JSON.stringify(
    {title: doc.title, images: images, headings: headings, scripts: doc.scripts.length, errors: errors,
     width: view, scrollWidth: doc.documentElement.scrollWidth, wide: wide.slice(0, 10)});
});
</script></body></html>
"""


def chromium() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(found, os.X_OK):
        pytest.fail(
            "Chromium is not installed, and the report's browser test needs it. Install Debian's package: "
            "apt-get install -y chromium (the README's test command, scripts/test, does this)."
        )
    return found


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on an ephemeral loopback port: (folder, base URL)."""
    folder = tmp_path / "site"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def browse(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def probe(folder: Path, base: str, page: str, profile: Path, width: int = 1200) -> tuple[dict[str, Any], list[str]]:
    """What the probe found in ``page`` shown ``width`` pixels wide, and every console message Chromium logged."""
    (folder / "probe.html").write_text(PROBE.replace("PAGE", page).replace("WIDTH", str(width)), encoding="utf-8")
    result = browse(f"{base}/probe.html", profile, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="result">(.*?)</pre>', result.stdout, re.DOTALL)
    assert found and found.group(1) != "pending", f"the page did not finish loading:\n{result.stdout[-2000:]}"
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return json.loads(html.unescape(found.group(1))), console


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_report_loads_in_chromium_with_its_images_and_no_console_errors(
    year: Year, served: tuple[Path, str], tmp_path: Path
) -> None:
    folder, base = served
    report = make_report(
        year.sessions,
        reporting_year(AFTER),
        now=datetime.combine(AFTER, time(10), UTC),
        timezone=year.settings.timezone,
        amber_days=year.settings.amber_days,
    )
    write_report(report, folder)

    found, console = probe(folder, base, "report.html", tmp_path / "profile")
    assert console == [], "console messages:\n" + "\n".join(console)
    assert found["title"] == "Case reviews: progress on action plans, 1 April 2025 to 31 March 2026"
    assert found["scripts"] == 0 and found["errors"] == []
    assert found["scrollWidth"] <= found["width"] and found["wide"] == [], found["wide"]
    assert [heading.split(".")[0] for heading in found["headings"][1:4]] == ["1", "2", "3"]
    images = found["images"]
    assert len(images) == len(report.reviews) + 1
    for image in images:
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, image
        assert image["alt"], "every chart has a text alternative"

    shot = tmp_path / "report.png"
    result = browse(f"{base}/report.html", tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1200,2000")
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert png_size(data) == (1200, 2000) and len(data) > 20_000, "a page with text and charts, not a blank"
    target = os.environ.get("REPORT_SCREENSHOT")
    if target:
        Path(target).write_bytes(data)


@pytest.mark.parametrize("width", [375, 768, 1000, 1120])
def test_the_report_fits_a_phone_and_a_tablet(year: Year, served: tuple[Path, str], tmp_path: Path, width: int) -> None:
    """At 375 px (an iPhone SE or mini) every table reads as cards: nothing reaches past the screen's edge;
    nor at a tablet's 768 px or 1,000 px, nor at 1,120 px, just wide enough for the tables as tables."""
    folder, base = served
    report = make_report(
        year.sessions,
        reporting_year(AFTER),
        now=datetime.combine(AFTER, time(10), UTC),
        timezone=year.settings.timezone,
        amber_days=year.settings.amber_days,
    )
    write_report(report, folder)
    found, console = probe(folder, base, "report.html", tmp_path / "profile", width=width)
    assert console == [], "console messages:\n" + "\n".join(console)
    assert found["width"] == width
    assert found["scrollWidth"] <= found["width"] and found["wide"] == [], found["wide"]
    assert all(image["complete"] and image["width"] > 0 for image in found["images"])
    if width != 375:
        return
    shot = tmp_path / "report-375.png"
    result = browse(f"{base}/report.html", tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=375,2000")
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    assert png_size(shot.read_bytes()) == (375, 2000)
    target = os.environ.get("REPORT_SCREENSHOT_PHONE")
    if target:
        Path(target).write_bytes(shot.read_bytes())


def test_the_probe_catches_a_page_wider_than_a_phone(served: tuple[Path, str], tmp_path: Path) -> None:
    """The overflow check above would notice a table that scrolls sideways."""
    folder, base = served
    cells = "".join(f"<td>{n} of 12 (100%)</td>" for n in range(15))
    (folder / "wide.html").write_text(
        f"<!DOCTYPE html><html><head><title>wide</title></head><body><table><tr>{cells}</tr></table></body></html>",
        encoding="utf-8",
    )
    found, _console = probe(folder, base, "wide.html", tmp_path / "profile", width=375)
    assert found["scrollWidth"] > 375 and found["wide"]


def test_the_probe_catches_a_broken_image_and_a_script_error(served: tuple[Path, str], tmp_path: Path) -> None:
    """The checks above would notice: a page with a broken image and a failing script fails them."""
    folder, base = served
    (folder / "broken.html").write_text(
        "<!DOCTYPE html><html><head><title>broken</title></head><body><h2>x</h2>"
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="broken">'
        "<script>undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    found, console = probe(folder, base, "broken.html", tmp_path / "profile")
    assert found["images"][0]["width"] == 0
    assert any("undefinedFunction" in line for line in console), console
