"""The outbox: every chat message written down before it is sent, and what each receiver has been
told, in the state file's SQLite database (tables prefixed `alerts_`).

* `alerts_digests`: one row per digest queued: receiver, night, the run that built it, the digest
  as JSON (so a fallback receiver can be sent it on its own platform), and for a fallback copy the
  digest it stands in for. `key` is unique: a digest with the same receiver, night and content is
  never queued twice, and a digest is rerouted to the fallback at most once.
* `alerts_messages`: the digest's messages (parts), each with its platform's payload and status
  `pending`, `sent` or `failed` (permanently), attempts so far and the last error (addresses
  masked). Pending messages, from any run, are sent by the next run, earlier nights first.
* `alerts_announced`, `alerts_reminded`, `alerts_receivers`: each receiver's memory (findings
  announced to it, deadline reminders sent, when the open count was last sent); see
  checker.alerts.digest.

A digest's messages and the receiver's memory are written in one transaction, before anything is
sent: a crash after it loses nothing (the messages are pending) and a rerun of the same night
builds an empty digest (everything is already remembered). A message is marked sent right after
the service accepted it; a crash between the two sends it again on the next run (at least once,
never lost). A webhook's address is never stored: it is read from the environment when sending.

The connection is used in autocommit mode (as `checker.state.StateStore.connection` is):
changes are grouped here with BEGIN IMMEDIATE ... COMMIT.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from checker.alerts.digest import Digest, DigestPlan, Item, ReceiverMemory
from checker.alerts.masking import mask_text

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts_digests (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    receiver TEXT NOT NULL,
    night TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    digest TEXT NOT NULL,
    rerouted_from INTEGER REFERENCES alerts_digests (id)
);
CREATE TABLE IF NOT EXISTS alerts_messages (
    id INTEGER PRIMARY KEY,
    digest_id INTEGER NOT NULL REFERENCES alerts_digests (id),
    part INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    receiver TEXT NOT NULL,
    platform TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    queued_at TEXT NOT NULL,
    finished_at TEXT,
    UNIQUE (digest_id, part)
);
CREATE INDEX IF NOT EXISTS alerts_messages_by_status ON alerts_messages (status, id);
CREATE TABLE IF NOT EXISTS alerts_announced (
    receiver TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    item TEXT NOT NULL,
    night TEXT NOT NULL,
    PRIMARY KEY (receiver, fingerprint)
);
CREATE TABLE IF NOT EXISTS alerts_reminded (
    receiver TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    due TEXT NOT NULL,
    lead_days INTEGER NOT NULL,
    night TEXT NOT NULL,
    PRIMARY KEY (receiver, fingerprint, due, lead_days)
);
CREATE TABLE IF NOT EXISTS alerts_receivers (
    receiver TEXT PRIMARY KEY,
    open_count_sent_on TEXT
);
"""


@dataclass(frozen=True, slots=True)
class Message:
    """A queued message: one part of one digest, for one receiver on one platform."""

    id: int
    digest_id: int
    part: int
    parts: int
    receiver: str
    platform: str
    payload: dict[str, Any]
    attempts: int
    night: str  # the night of the digest it belongs to


class Outbox:
    """The alert tables of one database. Reading never changes anything (dry runs read)."""

    def __init__(self, connection: sqlite3.Connection, create: bool = True) -> None:
        self.db = connection
        if create:
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def exists(self) -> bool:
        """Whether the alert tables are there (a dry run on a new state file finds none)."""
        row = self.db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alerts_messages'"
        ).fetchone()
        return bool(row[0])

    # --- what receivers have been told --------------------------------------------------------

    def memories(self, receivers: Iterable[str]) -> dict[str, ReceiverMemory]:
        found = {name: ReceiverMemory() for name in receivers}
        if not self.exists():
            return found
        for receiver, item in self.db.execute("SELECT receiver, item FROM alerts_announced"):
            if receiver in found:
                announced = Item.model_validate_json(item)
                found[receiver].announced[announced.fingerprint] = announced
        for receiver, fingerprint, due, lead in self.db.execute(
            "SELECT receiver, fingerprint, due, lead_days FROM alerts_reminded"
        ):
            if receiver in found:
                found[receiver].reminded.add((fingerprint, due, lead))
        for receiver, sent_on in self.db.execute(
            "SELECT receiver, open_count_sent_on FROM alerts_receivers"
        ):
            if receiver in found and sent_on:
                found[receiver].open_count_sent_on = date.fromisoformat(sent_on)
        return found

    # --- queueing -------------------------------------------------------------------------------

    def queue(
        self,
        plan: DigestPlan,
        platform: str,
        payloads: list[dict[str, Any]],
        run_id: int,
        queued_at: str,
    ) -> int | None:
        """Write the digest's messages and the receiver's memory in one transaction; return the
        digest's id, or None when this very digest was queued before (nothing is written)."""
        digest = plan.digest
        night = digest.as_of.isoformat()
        with self._transaction():
            digest_id = self._insert_digest(
                _key(digest), digest, run_id, platform, payloads, queued_at, None
            )
            if digest_id is None:
                return None
            receiver = digest.receiver
            self.db.executemany(
                "INSERT OR REPLACE INTO alerts_announced VALUES (?, ?, ?, ?)",
                [
                    (receiver, item.fingerprint, item.model_dump_json(), night)
                    for item in plan.announced
                ],
            )
            self.db.executemany(
                "DELETE FROM alerts_announced WHERE receiver = ? AND fingerprint = ?",
                [(receiver, fingerprint) for fingerprint in plan.resolved],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO alerts_reminded VALUES (?, ?, ?, ?, ?)",
                [(receiver, *key, night) for key in plan.reminded],
            )
            if plan.open_count_sent:
                self.db.execute(
                    "INSERT INTO alerts_receivers VALUES (?, ?) ON CONFLICT (receiver)"
                    " DO UPDATE SET open_count_sent_on = excluded.open_count_sent_on",
                    (receiver, night),
                )
        return digest_id

    def queue_fallback(
        self,
        original_id: int,
        digest: Digest,
        platform: str,
        payloads: list[dict[str, Any]],
        run_id: int,
        queued_at: str,
    ) -> int | None:
        """Queue `digest` (a fallback copy of digest `original_id`) unless it was queued before."""
        with self._transaction():
            return self._insert_digest(
                f"fallback-of:{original_id}",
                digest,
                run_id,
                platform,
                payloads,
                queued_at,
                original_id,
            )

    def _insert_digest(
        self,
        key: str,
        digest: Digest,
        run_id: int,
        platform: str,
        payloads: list[dict[str, Any]],
        queued_at: str,
        rerouted_from: int | None,
    ) -> int | None:
        cursor = self.db.execute(
            "INSERT INTO alerts_digests (key, receiver, night, run_id, digest, rerouted_from)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (
                key,
                digest.receiver,
                digest.as_of.isoformat(),
                run_id,
                digest.model_dump_json(),
                rerouted_from,
            ),
        )
        digest_id = cursor.lastrowid
        if cursor.rowcount == 0 or digest_id is None:
            return None  # queued before under this key
        self.db.executemany(
            "INSERT INTO alerts_messages (digest_id, part, parts, receiver, platform, payload,"
            " status, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    digest_id,
                    number,
                    len(payloads),
                    digest.receiver,
                    platform,
                    json.dumps(payload, ensure_ascii=False),
                    PENDING,
                    queued_at,
                )
                for number, payload in enumerate(payloads, 1)
            ],
        )
        return digest_id

    # --- sending ----------------------------------------------------------------------------------

    def pending(self) -> list[Message]:
        """Every pending message, from any run: earlier nights first (a fallback copy of an
        earlier night's digest goes before tonight's), then in the order queued."""
        if not self.exists():
            return []
        rows = self.db.execute(
            "SELECT m.id, m.digest_id, m.part, m.parts, m.receiver, m.platform, m.payload,"
            " m.attempts, d.night FROM alerts_messages m JOIN alerts_digests d"
            " ON d.id = m.digest_id WHERE m.status = ? ORDER BY d.night, m.id",
            (PENDING,),
        ).fetchall()
        return [
            Message(
                row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7], row[8]
            )
            for row in rows
        ]

    def digest(self, digest_id: int) -> Digest:
        (text,) = self.db.execute(
            "SELECT digest FROM alerts_digests WHERE id = ?", (digest_id,)
        ).fetchone()
        return Digest.model_validate_json(text)

    def record(
        self, message_id: int, status: str, attempts: int, error: str, finished_at: str | None
    ) -> None:
        """Record an attempt at a message: its new status, attempts added, the last error."""
        with self._transaction():
            self.db.execute(
                "UPDATE alerts_messages SET status = ?, attempts = attempts + ?, last_error = ?,"
                " finished_at = ? WHERE id = ?",
                (status, attempts, mask_text(error), finished_at, message_id),
            )

    def give_up_digest(self, digest_id: int, reason: str, finished_at: str) -> None:
        """Mark the digest's messages not yet sent as failed: it goes to the fallback whole."""
        with self._transaction():
            self.db.execute(
                "UPDATE alerts_messages SET status = ?, last_error = ?, finished_at = ?"
                " WHERE digest_id = ? AND status = ?",
                (FAILED, reason, finished_at, digest_id, PENDING),
            )


def _key(digest: Digest) -> str:
    """The same receiver, night and content give the same key."""
    content = json.dumps(digest.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    digest_hash = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return f"{digest.receiver}:{digest.as_of.isoformat()}:{digest_hash}"
