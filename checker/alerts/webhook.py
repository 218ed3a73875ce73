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

**A size cap**, like Slack's and Teams': each message is kept under `MAX_MESSAGE_BYTES` of JSON.
A text longer than `MAX_TEXT` characters (a message, a subject, a title) is shortened with an
ellipsis, evidence beyond `MAX_EVIDENCE` facts per finding is counted in `evidence_not_listed`
(each of its texts at most `MAX_EVIDENCE_TEXT` characters), and a part takes findings only while
it stays under the cap: a long digest becomes more parts, never one huge message.

Each message is posted with two headers a receiving service can rely on (`headers`):

* `X-Contract-Checker-Delivery`: the message's delivery id, 32 hex digits worked out from the
  message itself (receiver, night, part and content). A message sent again (a retry, the next
  run sending what waited in the outbox) carries the same id, so the service can drop a copy it
  already has; a different message never shares it.
* `X-Contract-Checker-Signature: sha256=<64 hex digits>`, when the receiver names a `secret_env`:
  the HMAC-SHA256 of the exact body bytes under the secret shared with the service. To verify,
  compute the same over the raw body as received and compare with `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from checker.alerts.digest import Digest
from checker.alerts.layout import headline

_LISTS = ("new", "reminders", "resolved")
MAX_MESSAGE_BYTES = 64_000
MAX_TEXT = 800  # characters of one text value of a finding
MAX_EVIDENCE = 5  # facts listed per finding; the rest are counted
MAX_EVIDENCE_TEXT = 200
_ROOM = 4_000  # for the part's own fields (summary, open count, undelivered note) around findings
DELIVERY_HEADER = "X-Contract-Checker-Delivery"
SIGNATURE_HEADER = "X-Contract-Checker-Signature"
SIGNATURE_PREFIX = "sha256="


def render(digest: Digest, max_items: int) -> list[dict[str, Any]]:
    data = digest.model_dump(mode="json")
    flat = [(name, _bounded_entry(entry)) for name in _LISTS for entry in data[name]]
    chunks = _chunks(flat, max_items)
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


def _chunks(
    flat: list[tuple[str, dict[str, Any]]], max_items: int
) -> list[list[tuple[str, dict[str, Any]]]]:
    """Consecutive runs of at most `max_items` entries that stay under the size cap together
    (an entry is never split; one that is larger alone than the cap gets a part of its own)."""
    chunks: list[list[tuple[str, dict[str, Any]]]] = []
    current: list[tuple[str, dict[str, Any]]] = []
    size = 0
    for named in flat:
        entry_size = len(body(named[1])) + 2
        if current and (len(current) >= max_items or size + entry_size > MAX_MESSAGE_BYTES - _ROOM):
            chunks.append(current)
            current, size = [], 0
        current.append(named)
        size += entry_size
    if current:
        chunks.append(current)
    return chunks or [[]]


def _bounded_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A finding (or a reminder holding one) with its texts and evidence list shortened."""
    if "item" in entry:  # a reminder
        return {**entry, "item": _bounded_entry(entry["item"])}
    bounded = {key: _shorten(value, MAX_TEXT) for key, value in entry.items()}
    evidence = entry.get("evidence") or []
    bounded["evidence"] = [
        {key: _shorten(value, MAX_EVIDENCE_TEXT) for key, value in fact.items()}
        for fact in evidence[:MAX_EVIDENCE]
    ]
    if len(evidence) > MAX_EVIDENCE:
        bounded["evidence_not_listed"] = len(evidence) - MAX_EVIDENCE
    return bounded


def _shorten(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def body(payload: dict[str, Any]) -> bytes:
    """The bytes posted for `payload`: its JSON in UTF-8 (what is signed is exactly this)."""
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def delivery_id(payload: dict[str, Any]) -> str:
    """The message's delivery id: the same message always has the same one (keys sorted, so it
    does not depend on the order the payload was built or stored in)."""
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def signature(data: bytes, secret: str) -> str:
    """`sha256=<hex>`: the HMAC-SHA256 of `data` under `secret`."""
    digest = hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_PREFIX}{digest}"


def headers(payload: dict[str, Any], data: bytes, secret: str | None) -> dict[str, str]:
    """The delivery id header, and the signature header when there is a secret."""
    found = {DELIVERY_HEADER: delivery_id(payload)}
    if secret:
        found[SIGNATURE_HEADER] = signature(data, secret)
    return found
