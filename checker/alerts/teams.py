"""A digest as Microsoft Teams messages: an Adaptive Card for a Teams Workflows webhook.

The payload is a message with one Adaptive Card attachment (schema 1.4, which Teams renders).
Teams refuses payloads over about 28 KB, so each card is kept under `MAX_CARD_BYTES` of JSON: a
long digest becomes several cards, each saying "message 2 of 3", and an over-long finding text is
shortened, never dropped.

TextBlocks and FactSets in Teams read Markdown, so everything shown is escaped: Markdown's
emphasis, link and code characters and `<`, `>`, `&` with a backslash anywhere, and list, heading
and quote markers at the start of a line; `@` is escaped too, so that nothing in a fact value can
look like a mention.
"""

from __future__ import annotations

import json
import re
from typing import Any

from checker.alerts.digest import Digest
from checker.alerts.layout import Entry, headline, pack, sections, title

MAX_CARD_BYTES = 20_000
MAX_TEXT = 1_200  # characters of one TextBlock: five of them stay far under the limit
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

_INLINE = re.compile(r"([\\`*_~\[\]<>&@|])")
_LINE_MARKER = re.compile(r"^(\s*)([#+-])", re.MULTILINE)  # heading, list item
_NUMBERED = re.compile(r"^(\s*\d+)\.", re.MULTILINE)  # numbered list item: escape its dot

Element = dict[str, Any]


def escape(text: str) -> str:
    """Text shown as written in a Teams TextBlock: no Markdown, no mention."""
    escaped = _INLINE.sub(r"\\\1", text)  # `>` (a quote) is among these
    escaped = _LINE_MARKER.sub(r"\1\\\2", escaped)
    return _NUMBERED.sub(r"\1\\.", escaped)


def shorten(text: str, limit: int) -> str:
    """Raw `text` cut to at most `limit` characters with an ellipsis (before escaping)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(digest: Digest) -> list[dict[str, Any]]:
    """The digest as one or more Workflows webhook payloads, one Adaptive Card each."""
    laid_out = [
        (section.title, [_entry_container(entry) for entry in section.entries])
        for section in sections(digest)
    ]
    parts = pack(laid_out, _heading, _fits)
    return [
        _message([*_opening(digest, number, len(parts)), *body])
        for number, body in enumerate(parts, 1)
    ]


def _message(body: list[Element]) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": CARD_CONTENT_TYPE,
                "contentUrl": None,
                "content": {
                    "$schema": CARD_SCHEMA,
                    "type": "AdaptiveCard",
                    "version": CARD_VERSION,
                    "msteams": {"width": "Full"},
                    "body": body,
                },
            }
        ],
    }


def _opening(digest: Digest, number: int, total: int) -> list[Element]:
    context = f"{headline(digest)} · for {digest.receiver}"
    if total > 1:
        context += f" · message {number} of {total}"
    return [
        _text(title(digest), size="Large", weight="Bolder"),
        _text(context, isSubtle=True, spacing="None"),
    ]


def _heading(section_title: str, continued: bool) -> list[Element]:
    text = f"{section_title} (continued)" if continued else section_title
    return [_text(text, size="Medium", weight="Bolder", separator=True, spacing="Large")]


def _entry_container(entry: Entry) -> Element:
    return {
        "type": "Container",
        "spacing": "Medium",
        "items": [
            *([_text(entry.title, weight="Bolder")] if entry.title else []),
            *(_text(line, spacing="Small") for line in entry.lines),
        ],
    }


def _text(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": escape(shorten(text, MAX_TEXT)), "wrap": True, **style}


def _fits(body: list[Element]) -> bool:
    # The opening and the card around the body are well under 2 KB; leave them room.
    return len(json.dumps(body, ensure_ascii=False).encode("utf-8")) <= MAX_CARD_BYTES - 2_000
