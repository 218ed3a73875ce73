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
DELIVERY_HEADER = "X-Contract-Checker-Delivery"
SIGNATURE_HEADER = "X-Contract-Checker-Signature"
SIGNATURE_PREFIX = "sha256="


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
