"""The meeting pack as a chat view: the pack's document (bot.reporting.pack) in sections, paged.

A page holds PAGE_SIZE entries (an empty section counts as one, so "None." is never lost); a
section that runs on to the next page is headed "(continued)" there.
"""

from __future__ import annotations

from bot.reporting.blocks import Document, Heading, Items, Para
from bot.services.listing import PAGE_SIZE
from bot.views import MeetingPack, PackEntry, PackSection

NEXT = "/action pack page:{page}"


def pack_view(document: Document, asked: int, size: int = PAGE_SIZE) -> MeetingPack:
    """Page ``asked`` (clamped to 1..last) of the pack, from the document the files are written from."""
    intro: list[str] = []
    sections: list[tuple[str, tuple[PackEntry, ...], str]] = []
    heading = ""
    for block in document.blocks:
        if isinstance(block, Heading) and block.level > 1:
            heading = block.text
        elif isinstance(block, Para):
            intro.append(block.text)
        elif isinstance(block, Items):
            entries = tuple(PackEntry(item.title, item.text, item.details) for item in block.items)
            sections.append((heading, entries, block.empty))
    units = [(number, entry) for number, (_, entries, _) in enumerate(sections) for entry in entries or (None,)]
    pages = max(1, -(-len(units) // size))
    page = min(max(1, asked), pages)
    shown: dict[int, list[PackEntry]] = {}
    for number, entry in units[(page - 1) * size : page * size]:
        shown.setdefault(number, []).extend([entry] if entry is not None else [])
    first_on_page = {number: units.index(next(u for u in units if u[0] == number)) for number in shown}
    view_sections = tuple(
        PackSection(sections[n][0], tuple(entries), sections[n][2], continued=first_on_page[n] < (page - 1) * size)
        for n, entries in shown.items()
    )
    next_command = NEXT.format(page=page + 1) if page < pages else None
    return MeetingPack(document.title, tuple(intro), view_sections, page, pages, next_command)
