"""The report as a document (headings, sentences, tables, lists, charts), written out as HTML and Markdown.

Both outputs come from one list of blocks, so they always say the same thing. All text from the
database is escaped where it is written out: HTML with html.escape, Markdown by backslash-escaping
its punctuation (a Markdown file pasted into a web page must not carry live HTML). The HTML file is
self-contained (styles inline, charts as data: URIs) and its Content-Security-Policy lets it load
nothing and run nothing, so the file can be e-mailed and opened without reaching the network.
"""

from __future__ import annotations

import base64
import html
import re

from bot.reporting.blocks import MARKING, Block, Document, Heading, Items, Para, Table
from bot.reporting.sections import document

__all__ = ["document", "to_html", "to_markdown"]
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


# ---------------------------------------------------------------------- HTML


# Below 1,100 px (a phone, a tablet, a narrow window) each table row becomes a card: the row's name, then one line per
# figure with its column heading beside it (data-label), so nothing scrolls sideways; headings stay for
# screen readers.
STYLE = """
body{font-family:Arial,Helvetica,sans-serif;color:#1b1b1b;max-width:1150px;margin:24px auto;padding:0 16px;
line-height:1.45;font-size:15px;overflow-wrap:break-word}
h1{font-size:26px;color:#0b3d66}h2{font-size:21px;color:#0b3d66;border-bottom:2px solid #0b3d66;margin-top:36px}
h3{font-size:18px;margin-top:28px}h4{font-size:15px;margin:18px 0 6px}
.marking{font-weight:bold;letter-spacing:.02em;background:#f3e6e6;border:1px solid #b71c1c;padding:4px 8px}
.callout{border-left:6px solid #b71c1c;background:#fdf1f1;padding:8px 12px;font-weight:bold}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0 16px;width:100%}
th,td{border:1px solid #c8ccd2;padding:4px 6px;vertical-align:top;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#e6ecf3}
caption{text-align:left;font-style:italic;padding:4px 0}
ul.items{padding-left:18px}ul.items li{margin:6px 0}.detail{color:#444;font-size:13.5px}
.ref{font-weight:bold;white-space:nowrap}img{max-width:100%;height:auto;display:block;margin:8px 0 16px}
.empty{color:#555;font-style:italic}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}img,table{break-inside:avoid}}
@media screen and (max-width:1100px){
table,tbody,tr,th,td,caption{display:block;width:auto}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
tr{border:1px solid #c8ccd2;margin:0 0 12px}
th[scope=row]{border:0;border-bottom:1px solid #c8ccd2;text-align:left}
td{display:flex;justify-content:space-between;gap:12px;border:0;border-bottom:1px solid #eef0f3}
td::before{content:attr(data-label);text-align:left;font-weight:bold;color:#333}
}
"""


def to_html(doc: Document) -> str:
    """A self-contained HTML page: every text escaped, charts as data: URIs, nothing loaded or run."""
    esc = _html
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="robots" content="noindex, nofollow">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(doc.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f'<p class="marking">{esc(MARKING)}</p>',
    ]
    for block in doc.blocks:
        parts.append(_html_block(block))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _html(text: str) -> str:
    return html.escape(text, quote=True)


def _html_block(block: Block) -> str:
    esc = _html
    if isinstance(block, Heading):
        anchor = f' id="{esc(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{esc(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        return f'<p class="callout">{esc(block.text)}</p>' if block.emphasis else f"<p>{esc(block.text)}</p>"
    if isinstance(block, Table):
        caption = f"<caption>{esc(block.caption)}</caption>" if block.caption else ""
        head = "".join(f'<th scope="col">{esc(text)}</th>' for text in block.headings)
        body = "".join(
            "<tr>"
            + "".join(
                f'<th scope="row">{esc(cell)}</th>' if n == 0 else f'<td data-label="{esc(label)}">{esc(cell)}</td>'
                for n, (label, cell) in enumerate(zip(block.headings, row, strict=True))
            )
            + "</tr>"
            for row in block.rows
        )
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Items):
        if not block.items:
            return f'<p class="empty">{esc(block.empty)}</p>' if block.empty else ""
        items = "".join(
            f'<li><span class="ref">{esc(item.title)}</span> {esc(item.text)}'
            + "".join(f'<br><span class="detail">{esc(detail)}</span>' for detail in item.details)
            + "</li>"
            for item in block.items
        )
        return f'<ul class="items">{items}</ul>'
    encoded = base64.b64encode(block.png).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{esc(block.alt)}">'


# ---------------------------------------------------------------------- Markdown

# Characters that can start markup anywhere in a line; "&" only where it could start an entity.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])|&(?=#?\w+;)")


def _md(text: str) -> str:
    """Text safe in Markdown: one line, punctuation escaped, so nothing turns into markup or HTML."""
    return _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(0), " ".join(text.split()))


def to_markdown(doc: Document) -> str:
    """Markdown to paste into the annual report; charts are the PNG files named in the document."""
    lines = [f"> **{_md(MARKING)}**", ""]
    for block in doc.blocks:
        lines += _markdown_block(block)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * block.level + " " + _md(block.text), ""]
    if isinstance(block, Para):
        return [f"**{_md(block.text)}**" if block.emphasis else _md(block.text), ""]
    if isinstance(block, Table):
        lines = [f"*{_md(block.caption)}*", ""] if block.caption else []
        lines.append("| " + " | ".join(_md(text) or " " for text in block.headings) + " |")
        lines.append("|" + "|".join(":---" if n == 0 else "---:" for n in range(len(block.headings))) + "|")
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in block.rows]
        return [*lines, ""]
    if isinstance(block, Items):
        if not block.items:
            return [f"*{_md(block.empty)}*", ""] if block.empty else []
        lines = []
        for item in block.items:
            lines.append(f"- **{_md(item.title)}** {_md(item.text)}")
            lines += [f"  - {_md(detail)}" for detail in item.details]
        return [*lines, ""]
    return [f"![{_md(block.alt)}]({block.name})", ""]
