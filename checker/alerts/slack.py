"""A digest as Slack messages: Block Kit blocks for an incoming webhook, split to Slack's limits.

Limits kept (Slack rejects a message that breaks one): at most 50 blocks per message, at most 3000
characters in a section's text and 150 in a header's. A long digest becomes several messages, each
saying "message 2 of 3"; an over-long finding text is shortened, never dropped. Each message is
also kept under `MAX_MESSAGE_BYTES` of JSON.

Everything shown is escaped the way Slack asks (`&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;`), so a
fact value such as `<!channel>` or `<@U123>` is shown as written and cannot ping anyone or make a
link.
"""

from __future__ import annotations

import json
from typing import Any

from checker.alerts.digest import Digest
from checker.alerts.layout import Entry, headline, pack, sections, title

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_BYTES = 30_000
# The header and the context line that open every message.
_OPENING_BLOCKS = 2

Block = dict[str, Any]


def escape(text: str) -> str:
    """Text safe in Slack's mrkdwn and plain_text: no mention, link or channel ping can form."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(escaped: str, limit: int) -> str:
    """`escaped` cut to at most `limit` characters with an ellipsis, never inside an entity."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    ampersand = cut.rfind("&", max(0, len(cut) - 4))
    if ampersand >= 0 and ";" not in cut[ampersand:]:
        cut = cut[:ampersand]
    return cut + "…"


def render(digest: Digest) -> list[dict[str, Any]]:
    """The digest as one or more incoming-webhook payloads (`text` and `blocks`)."""
    laid_out = [
        (section.title, [_entry_block(entry) for entry in section.entries])
        for section in sections(digest)
    ]
    parts = pack(laid_out, _heading, _fits)
    summary = escape(f"{title(digest)}: {headline(digest)}")
    return [
        {"text": summary, "blocks": [*_opening(digest, number, len(parts)), *blocks]}
        for number, blocks in enumerate(parts, 1)
    ]


def _opening(digest: Digest, number: int, total: int) -> list[Block]:
    context = f"{headline(digest)} · for {digest.receiver}"
    if total > 1:
        context += f" · message {number} of {total}"
    return [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": shorten(escape(title(digest)), MAX_HEADER_TEXT)},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": shorten(escape(context), MAX_SECTION_TEXT)}],
        },
    ]


def _heading(section_title: str, continued: bool) -> list[Block]:
    text = f"{section_title} (continued)" if continued else section_title
    return [
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(text)}*"}},
    ]


def _entry_block(entry: Entry) -> Block:
    body = "\n".join(escape(line) for line in entry.lines)
    text = f"*{escape(entry.title)}*\n{body}" if entry.title else body
    return {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, MAX_SECTION_TEXT)}}


def _fits(blocks: list[Block]) -> bool:
    if len(blocks) + _OPENING_BLOCKS > MAX_BLOCKS:
        return False
    # The opening is at most a few hundred bytes; leave it room.
    return len(json.dumps(blocks, ensure_ascii=False).encode("utf-8")) <= MAX_MESSAGE_BYTES - 1000
