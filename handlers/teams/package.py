"""The Teams app package: teams/manifest.json with the bot's id filled in, and the two icons, zipped.

Upload the zip in Teams (Apps → Manage your apps → Upload an app) or the Teams admin centre.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "teams"
ICONS = ("color.png", "outline.png")
_PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


class PackageError(Exception):
    """The package cannot be built as asked; the message says what to fix."""


# The board's own pages, as the flags of ``python -m bot teams-package`` that give them. Teams shows all three
# on the app's page and refuses a package without them, so nothing is filled in for the board.
PAGES = {"website": "--website", "privacy": "--privacy-url", "terms": "--terms-url"}


def check_pages(website: str | None, privacy: str | None, terms: str | None) -> None:
    """Refuse a package without the board's own https:// website, privacy and terms pages, naming the flags."""
    given = {"website": website, "privacy": privacy, "terms": terms}
    missing = [PAGES[name] for name, url in given.items() if not (url or "").strip()]
    if missing:
        raise PackageError(
            f"Give the board's own pages: {', '.join(missing)} (https:// addresses). Teams shows the website, "
            "privacy statement and terms of use on the app's page, e.g. --website https://www.YOUR-BOARD.org.uk "
            "--privacy-url https://www.YOUR-BOARD.org.uk/privacy --terms-url https://www.YOUR-BOARD.org.uk/terms"
        )
    for name, url in given.items():
        if not (url or "").strip().startswith("https://"):
            raise PackageError(f"{PAGES[name]} must be an https:// address (Teams refuses others), not '{url}'.")


def manifest(
    app_id: str, website: str, developer: str, source: Path = SOURCE, *, privacy: str, terms: str
) -> dict[str, object]:
    """The manifest with its placeholders filled in."""
    if not _GUID.fullmatch(app_id.strip()):
        raise PackageError(f"'{app_id}' is not an Entra application (client) id: it looks like 1b2c3d4e-....")
    check_pages(website, privacy, terms)
    values = {
        "TEAMS_APP_ID": app_id.strip().lower(),
        "WEBSITE": website.strip(),
        "PRIVACY_URL": privacy.strip(),
        "TERMS_URL": terms.strip(),
        "DEVELOPER_NAME": developer,
    }
    text = (source / "manifest.json").read_text(encoding="utf-8")
    missing = sorted({name for name in _PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise PackageError(f"manifest.json has placeholders nobody fills: {', '.join(missing)}")
    filled = _PLACEHOLDER.sub(lambda match: json.dumps(values[match.group(1)])[1:-1], text)
    return json.loads(filled)


def build_package(
    out: Path,
    app_id: str,
    *,
    website: str,
    privacy: str,
    terms: str,
    developer: str = "Safeguarding partnership",
    source: Path = SOURCE,
) -> Path:
    """Write the zip Teams takes (manifest.json and the icons at its root); returns its path."""
    content = manifest(app_id, website, developer, source, privacy=privacy, terms=terms)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(content, indent=2, ensure_ascii=False) + "\n")
        for icon in ICONS:
            archive.write(source / icon, icon)
    return out
