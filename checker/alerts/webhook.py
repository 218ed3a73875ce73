"""A digest as JSON for a generic webhook: the digest's data, split into parts of at most
`max_items` findings each (new findings, then reminders, then resolved ones).

Each part is a whole JSON document::

    {"source": "contract-checker", "receiver": "audit", "as_of": "2026-11-22",
     "part": 1, "parts": 2, "summary": "3 new breaches, 1 resolved",
     "undelivered": null, "open_count": {"total": 14, "by_kind": {"breach": 11, "trigger": 3}},
     "left_out": null, "new": [...], "reminders": [...], "resolved": [...]}

The open count, the undelivered note and `left_out` (what the receiver's `max_items_per_digest`
left out, counted: `{"new": {"breach": 2900}, "reminders": 0, "resolved": 50}`) ride on the
first part. Values are data, not markup, so nothing is escaped beyond JSON's own quoting.
"""

from __future__ import annotations

from typing import Any

from checker.alerts.digest import Digest
from checker.alerts.layout import headline

_LISTS = ("new", "reminders", "resolved")


def render(digest: Digest, max_items: int) -> list[dict[str, Any]]:
    data = digest.model_dump(mode="json")
    flat = [(name, entry) for name in _LISTS for entry in data[name]]
    chunks = [flat[start : start + max_items] for start in range(0, len(flat), max_items)] or [[]]
    parts = []
    for number, chunk in enumerate(chunks, 1):
        first = number == 1
        part: dict[str, Any] = {
            "source": "contract-checker",
            "receiver": digest.receiver,
            "as_of": data["as_of"],
            "part": number,
            "parts": len(chunks),
            "summary": headline(digest),
            "undelivered": data["undelivered"] if first else None,
            "open_count": data["open_count"] if first else None,
            "left_out": data["left_out"] if first else None,
        }
        for name in _LISTS:
            part[name] = [entry for list_name, entry in chunk if list_name == name]
        parts.append(part)
    return parts
