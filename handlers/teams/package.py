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


def manifest(app_id: str, website: str, developer: str, source: Path = SOURCE) -> dict[str, object]:
    """The manifest with its placeholders filled in."""
    if not _GUID.fullmatch(app_id.strip()):
        raise PackageError(f"'{app_id}' is not an Entra application (client) id: it looks like 1b2c3d4e-....")
    if not website.startswith("https://"):
        raise PackageError(f"The website must be an https:// address (Teams refuses others), not '{website}'.")
    values = {"TEAMS_APP_ID": app_id.strip().lower(), "WEBSITE": website, "DEVELOPER_NAME": developer}
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
    website: str = "https://actions.example.org",
    developer: str = "Safeguarding partnership",
    source: Path = SOURCE,
) -> Path:
    """Write the zip Teams takes (manifest.json and the icons at its root); returns its path."""
    content = manifest(app_id, website, developer, source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(content, indent=2, ensure_ascii=False) + "\n")
        for icon in ICONS:
            archive.write(source / icon, icon)
    return out
