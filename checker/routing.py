"""Route facts to the agreements whose clauses read them, spilling to SQLite so memory stays flat.

Facts arrive in any order and in any number; each is kept only if some clause reads its type (for
that partner, or for any partner), written once per interested agreement to a temporary SQLite
file, and read back one agreement at a time, sorted by (at, id).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from checker.agreement import Agreement
from checker.facts import Fact


class RoutingIndex:
    """(fact type, partner) -> agreements that read such facts; partner None means any partner."""

    def __init__(self, agreements: Sequence[Agreement]) -> None:
        self._targets: dict[tuple[str, str | None], set[int]] = {}
        for number, agreement in enumerate(agreements):
            for clause in agreement.clauses:
                for pattern, own_partner_only in clause.fact_patterns():
                    partner = agreement.partner if own_partner_only else None
                    self._targets.setdefault((pattern.fact, partner), set()).add(number)
            if agreement.term is not None:
                key = (agreement.term.notice.fact, agreement.partner)
                self._targets.setdefault(key, set()).add(number)
        self._types = {fact_type for fact_type, _ in self._targets}

    def targets(self, fact: Fact) -> set[int]:
        if fact.type not in self._types:
            return set()
        found = self._targets.get((fact.type, None), set())
        if fact.partner is not None:
            own = self._targets.get((fact.type, fact.partner))
            if own:
                found = found | own
        return found


class FactStore:
    """Facts routed to agreements, on disk. Use as a context manager; the file is deleted after."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="contract-checker-")
        self.path = os.path.join(self._directory.name, "facts.sqlite")
        self._db = sqlite3.connect(self.path)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE routed (agreement INTEGER, at INTEGER, id TEXT, body TEXT);"
        )
        self._pending: list[tuple[int, int, str, str]] = []
        self.routed = 0
        self.irrelevant = 0

    def __enter__(self) -> FactStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._directory.cleanup()

    def add_all(self, facts: Iterable[Fact], index: RoutingIndex) -> None:
        for fact in facts:
            targets = index.targets(fact)
            if not targets:
                self.irrelevant += 1
                continue
            body = json.dumps(
                [fact.type, fact.partner, fact.attrs, fact.source], separators=(",", ":")
            )
            for target in targets:
                self._pending.append((target, fact.at, fact.id, body))
            self.routed += 1
            if len(self._pending) >= 20_000:
                self._flush()
        self._flush()

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO routed VALUES (?, ?, ?, ?)", self._pending)
        self._pending.clear()

    def finish(self) -> None:
        """Make the stored facts readable by `RoutedFacts`, from this or another process."""
        self._flush()
        self._db.execute("CREATE INDEX by_agreement ON routed (agreement, at, id)")
        self._db.commit()


class RoutedFacts:
    """Read side of a finished FactStore; each process opens its own."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def close(self) -> None:
        self._db.close()

    def facts_of(self, agreement: int) -> list[Fact]:
        """The facts routed to agreement number `agreement`, sorted by (at, id)."""
        rows = self._db.execute(
            "SELECT at, id, body FROM routed WHERE agreement = ? ORDER BY at, id", (agreement,)
        )
        return list(_facts(rows))


def _facts(rows: Iterable[tuple[int, str, str]]) -> Iterator[Fact]:
    for at, fact_id, body in rows:
        fact_type, partner, attrs, source = json.loads(body)
        yield Fact(fact_id, fact_type, at, partner, attrs, source)
