"""A digest as an email: one message per digest, with a subject, a plain-text body and the same
in HTML (sent as multipart/alternative by checker.alerts.smtp, so every mail client shows one).

An email has no size limit worth splitting for: the receiver's `max_items_per_digest` already
caps what one digest lists. Every text comes from the digest raw (it may hold anything a fact or a
rule file held), so the HTML escapes all of it (`html.escape`, quotes included) and links nothing;
the plain text is left as written. The subject is one line: line breaks in it are made spaces,
so no value can add a mail header.
"""

from __future__ import annotations

import html
from typing import Any

from checker.alerts.digest import Digest
from checker.alerts.layout import Entry, Section, headline, sections, title

MAX_SUBJECT = 200  # characters; a longer headline is cut with an ellipsis

_STYLE = {
    "body": "font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; "
    "font-size: 14px; line-height: 1.45; color: #1f2328; max-width: 760px; margin: 0 auto",
    "h1": "font-size: 20px; margin: 0 0 4px",
    "h2": "font-size: 16px; margin: 24px 0 8px; border-bottom: 1px solid #d0d7de",
    "headline": "color: #57606a; margin: 0 0 16px",
    "entry": "margin: 0 0 12px; overflow-wrap: anywhere",
    "line": "margin: 2px 0",
}


def render(digest: Digest) -> list[dict[str, Any]]:
    """The digest as one email: `{"subject": ..., "text": ..., "html": ...}`."""
    laid_out = sections(digest)
    return [
        {
            "subject": subject(digest),
            "text": plain_text(digest, laid_out),
            "html": html_body(digest, laid_out),
        }
    ]


def subject(digest: Digest) -> str:
    """`Contract checker, as of 2026-11-22: 3 new breaches, 1 deadline coming up`."""
    text = " ".join(f"{title(digest)}: {headline(digest)}".split())
    return text if len(text) <= MAX_SUBJECT else text[: MAX_SUBJECT - 1] + "…"


def plain_text(digest: Digest, laid_out: list[Section]) -> str:
    lines = [title(digest), headline(digest), f"For: {digest.receiver}"]
    for section in laid_out:
        lines += ["", section.title, "-" * len(section.title)]
        for entry in section.entries:
            lines += _plain_entry(entry)
    return "\n".join(lines) + "\n"


def _plain_entry(entry: Entry) -> list[str]:
    if not entry.title:
        return [*entry.lines, ""]
    return [f"* {entry.title}", *(f"  {line}" for line in entry.lines), ""]


def html_body(digest: Digest, laid_out: list[Section]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title(digest))}</title></head>",
        f'<body style="{_STYLE["body"]}">',
        f'<h1 style="{_STYLE["h1"]}">{_e(title(digest))}</h1>',
        f'<p style="{_STYLE["headline"]}">{_e(headline(digest))} · for {_e(digest.receiver)}</p>',
    ]
    for section in laid_out:
        parts.append(f'<h2 style="{_STYLE["h2"]}">{_e(section.title)}</h2>')
        parts.extend(_html_entry(entry) for entry in section.entries)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_entry(entry: Entry) -> str:
    heading = f"<strong>{_e(entry.title)}</strong>" if entry.title else ""
    lines = "".join(f'<p style="{_STYLE["line"]}">{_e(line)}</p>' for line in entry.lines)
    return f'<div style="{_STYLE["entry"]}">{heading}{lines}</div>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)
