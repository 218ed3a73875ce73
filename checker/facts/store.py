"""Facts routed to agreements, on disk: a temporary SQLite file, so memory stays flat.

Facts arrive in any order and any number. Each one's id, content digest and recorded time is
recorded; it is written once per agreement its `Router` names (checker.evaluation.routing decides
which) to a temporary SQLite file; repeated ids are settled after reading (see `finish`:
identical content is a duplicate, a later `recorded_at` corrects, a different content recorded
at the same time is rejected); then each agreement's facts are read back, sorted by (at, id), by
whichever process evaluates it.
"""

from __future__ import annotations

import json
import marshal
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby, pairwise
from operator import itemgetter
from typing import Any, Protocol

from checker.common.diagnostics import Diagnostic
from checker.dates.timeutil import iso_of_epoch
from checker.facts.model import Fact, FactCounts

_BATCH = 20_000


class Router(Protocol):
    def targets(self, fact: Fact) -> Iterable[int]: ...


class KeepAll:
    """Routes every fact to slot 0: for reading a fact stream on its own."""

    def targets(self, fact: Fact) -> tuple[int]:
        return (0,)


class FactStore:
    """Facts routed to agreements, on disk. Use as a context manager; the file is deleted after.

    A store can also write a shard (`path` given): a reader process fills it, and the main store
    `absorb`s it. Digests use Python's hash, so shards must come from forked processes (same seed).
    """

    def __init__(
        self,
        router: Router,
        as_of: int,
        path: str | None = None,
        known_as_of: int | None = None,
    ) -> None:
        self.router = router
        self.as_of = as_of
        # Records with a recorded_at after this instant are ignored, as if not yet exported
        # (None: every record is known).
        self.known_as_of = known_as_of
        self._directory = (
            tempfile.TemporaryDirectory(prefix="contract-checker-") if path is None else None
        )
        self.path = path or os.path.join(self.directory, "facts.sqlite")
        self._db = sqlite3.connect(self.path)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE seen (seq INTEGER, id TEXT, digest INTEGER, source TEXT, routed INTEGER,"
            " in_window INTEGER, type TEXT, at INTEGER, recorded INTEGER, known INTEGER);"
            "CREATE TABLE routed (seq INTEGER, agreement INTEGER, at INTEGER, id TEXT, body BLOB);"
            "CREATE TABLE corrections (id TEXT PRIMARY KEY, note TEXT);"
            "CREATE TABLE original (seq INTEGER, agreement INTEGER, at INTEGER, id TEXT, body BLOB);"
        )
        self._seen: list[tuple[int, str, int, str, int, int, str, int, int | None, int]] = []
        self._routed: list[tuple[int, int, int, str, bytes]] = []
        self._sequence = 0
        self.irrelevant = 0  # accepted, but read by no clause of any agreement (after finish)

    def __enter__(self) -> FactStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def directory(self) -> str:
        """Where this store and its shards live."""
        assert self._directory is not None, "a shard has no directory of its own"
        return self._directory.name

    def close(self) -> None:
        self._db.close()
        if self._directory is not None:
            self._directory.cleanup()

    def begin_file(self, number: int) -> None:
        """Facts that follow come from input file `number` (in the sorted list of inputs).

        Sequence numbers are (file number, line order), so "the first line of an id" means the
        same whether files are read one after another or by several processes at once.
        """
        self._sequence = number << 32

    def save(self) -> None:
        """Write everything buffered (a shard calls this before its process ends)."""
        self._flush()
        self._db.commit()

    def absorb(self, shard_path: str) -> None:
        """Take in the facts a reader process wrote to a shard."""
        self._flush()
        self._db.execute("ATTACH DATABASE ? AS shard", (shard_path,))
        self._db.execute("INSERT INTO seen SELECT * FROM shard.seen")
        self._db.execute("INSERT INTO routed SELECT * FROM shard.routed")
        self._db.commit()
        self._db.execute("DETACH DATABASE shard")

    def add(self, fact: Fact) -> None:
        """Record one valid fact (the reader calls this for every valid line).

        A fact after the as-of instant, or recorded after the known-as-of instant, is not routed,
        but its id still counts as used, so whether a repeated id conflicts does not depend on
        either date.
        """
        self._sequence += 1
        sequence = self._sequence
        in_window = fact.at <= self.as_of
        recorded = fact.recorded_at
        known = recorded is None or self.known_as_of is None or recorded <= self.known_as_of
        targets = self.router.targets(fact) if in_window and known else ()
        self._seen.append(
            (
                sequence,
                fact.id,
                _digest(fact),
                fact.source,
                1 if targets else 0,
                int(in_window),
                fact.type,
                fact.at,
                recorded,
                int(known),
            )
        )
        if targets:
            # marshal: the file lives only for this run, in this Python; ~5x faster than JSON.
            body = marshal.dumps((fact.type, fact.partner, fact.attrs, fact.source, recorded))
            for target in targets:
                self._routed.append((sequence, target, fact.at, fact.id, body))
        if len(self._seen) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO seen VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._seen)
        self._db.executemany("INSERT INTO routed VALUES (?, ?, ?, ?, ?)", self._routed)
        self._seen.clear()
        self._routed.clear()

    def finish(self, counts: FactCounts, rejects: list[Diagnostic]) -> None:
        """Settle repeated ids, complete `counts` and `rejects`, and index facts for reading.

        The lines of an id are taken in the order of their `recorded_at` (a line without one was
        recorded before any line with one: it is the original version), then in reading order.
        Lines recorded at the same time (or both without `recorded_at`): the first is kept, a
        repeat with the same content is a duplicate, one with different content is rejected.
        Of the versions recorded at different times, the latest one known (recorded at or before
        `known_as_of`) is the fact; the earlier ones are superseded (counted, and named by
        `corrections`), unless the content did not change (then the later is a duplicate).
        Versions recorded after `known_as_of` are ignored and counted as `recorded_later`.
        """
        self._flush()
        self._db.execute("CREATE INDEX seen_by_id ON seen (id, seq)")
        self._db.execute("CREATE INDEX seen_by_seq ON seen (seq)")
        self._db.execute("CREATE INDEX routed_by_seq ON routed (seq)")
        rows = self._db.execute(
            "SELECT id, digest, source, seq, recorded, known FROM seen WHERE id IN "
            "(SELECT id FROM seen GROUP BY id HAVING COUNT(*) > 1) ORDER BY id, recorded, seq"
        )
        dropped: list[tuple[int]] = []
        corrected: list[tuple[str, list[_Version]]] = []
        for fact_id, lines in groupby(rows, key=itemgetter(0)):
            versions = self._settle_id(list(lines), counts, rejects, dropped)
            if len(versions) > 1:
                corrected.append((fact_id, versions))
        notes = [(fact_id, self._note(fact_id, versions)) for fact_id, versions in corrected]
        self._db.executemany("INSERT INTO corrections VALUES (?, ?)", notes)
        # The first known version of each corrected fact, as routed: the facts without corrections.
        self._db.executemany(
            "INSERT INTO original SELECT * FROM routed WHERE seq = ?",
            [(versions[0].sequence,) for _, versions in corrected],
        )
        self._db.executemany("DELETE FROM routed WHERE seq = ?", dropped)
        self._db.executemany("DELETE FROM seen WHERE seq = ?", dropped)
        totals = self._db.execute(
            "SELECT TOTAL(known * in_window), TOTAL(known * (1 - in_window)),"
            " TOTAL(known * in_window * (1 - routed)), TOTAL(1 - known) FROM seen"
        ).fetchone()
        counts.accepted, counts.after_as_of, self.irrelevant, counts.recorded_later = (
            int(total) for total in totals
        )
        rejects.sort()
        self._db.execute("CREATE INDEX by_agreement ON routed (agreement, at, id)")
        self._db.commit()

    def _settle_id(
        self,
        rows: list[tuple[str, int, str, int, int | None, int]],
        counts: FactCounts,
        rejects: list[Diagnostic],
        dropped: list[tuple[int]],
    ) -> list[_Version]:
        """Settle the lines of one id (sorted by recorded time, then reading order); return the
        known versions that remain, oldest first (the last one is the fact)."""
        versions: list[_Version] = []  # one per recorded time, the first line of each
        for fact_id, digest, source, sequence, recorded, known in rows:
            if versions and versions[-1].recorded == recorded:
                first = versions[-1]
                dropped.append((sequence,))
                if digest == first.digest:
                    counts.duplicates += 1
                    continue
                path, _, line = source.rpartition(":")
                reason = f"id '{fact_id}' already used at {first.source} with different content"
                if recorded is not None:
                    reason += (
                        f" and the same recorded_at ({iso_of_epoch(recorded)}): which one holds"
                        " cannot be told"
                    )
                rejects.append(Diagnostic(path, int(line), 0, reason))
                counts.rejected += 1
                continue
            versions.append(_Version(sequence, digest, source, recorded, bool(known)))
        known_versions: list[_Version] = []
        for version in versions:
            if not version.known:
                continue  # left in place: counted as recorded later, never routed
            if known_versions and known_versions[-1].digest == version.digest:
                dropped.append((version.sequence,))  # restated unchanged: known since the first
                counts.duplicates += 1
                continue
            known_versions.append(version)
        for version in known_versions[:-1]:
            dropped.append((version.sequence,))
            counts.superseded += 1
        return known_versions

    def _note(self, fact_id: str, versions: list[_Version]) -> str:
        """How fact `fact_id` was corrected, latest correction first, in words: e.g. "fact u-7
        corrected on 2026-11-20T00:00:00Z (recorded_at; c.jsonl:1), was seats=10 (u.jsonl:4)"."""
        parts: list[str] = []
        for earlier, later in reversed(list(pairwise(versions))):
            assert later.recorded is not None  # only the first version can lack recorded_at
            was = _difference(self._body(earlier.sequence), self._body(later.sequence))
            parts.append(
                f"corrected on {iso_of_epoch(later.recorded)} (recorded_at; {later.source}),"
                f" was {was}{earlier.source}"
                + (f", recorded {iso_of_epoch(earlier.recorded)}" if earlier.recorded else "")
                + ")"
            )
        return f"fact {fact_id} " + "; earlier ".join(parts)

    def _body(self, sequence: int) -> tuple[Any, ...] | None:
        row = self._db.execute(
            "SELECT at, body FROM routed WHERE seq = ? LIMIT 1", (sequence,)
        ).fetchone()
        if row is None:
            return None
        fact_type, partner, attrs, _source, _recorded = marshal.loads(row[1])
        return (row[0], fact_type, partner, attrs)

    def corrections(self) -> dict[str, str]:
        """Each corrected fact id, with how it was corrected in words (after `finish`)."""
        return dict(self._db.execute("SELECT id, note FROM corrections").fetchall())

    def corrected_by_agreement(self) -> dict[int, list[str]]:
        """The corrected fact ids each agreement read, before or after the correction (after
        `finish`)."""
        rows = self._db.execute(
            "SELECT DISTINCT agreement, id FROM routed WHERE id IN (SELECT id FROM corrections)"
            " UNION SELECT DISTINCT agreement, id FROM original ORDER BY agreement, id"
        )
        found: dict[int, list[str]] = {}
        for agreement, fact_id in rows:
            found.setdefault(agreement, []).append(fact_id)
        return found

    def write_uncorrected(self, path: str, agreements: list[int]) -> None:
        """Write to a new file at `path`, readable by `RoutedFacts`, the facts of `agreements`
        as they were before any correction (each corrected fact at its first known version),
        under slots 0, 1, ... in the order given (after `finish`)."""
        before = sqlite3.connect(path)
        before.execute(
            "CREATE TABLE routed (seq INTEGER, agreement INTEGER, at INTEGER, id TEXT, body BLOB)"
        )
        before.commit()
        before.close()
        self._db.execute("ATTACH DATABASE ? AS uncorrected", (path,))
        for slot, agreement in enumerate(agreements):
            self._db.execute(
                "INSERT INTO uncorrected.routed SELECT seq, ?, at, id, body FROM routed"
                " WHERE agreement = ? AND id NOT IN (SELECT id FROM corrections)",
                (slot, agreement),
            )
            self._db.execute(
                "INSERT INTO uncorrected.routed SELECT seq, ?, at, id, body FROM original"
                " WHERE agreement = ?",
                (slot, agreement),
            )
        self._db.execute("CREATE INDEX uncorrected.by_agreement ON routed (agreement, at, id)")
        self._db.commit()
        self._db.execute("DETACH DATABASE uncorrected")

    def type_counts(self) -> dict[str, int]:
        """Accepted facts up to the as-of instant per fact type (after `finish`)."""
        rows = self._db.execute(
            "SELECT type, COUNT(*) FROM seen WHERE in_window AND known GROUP BY type"
        )
        return dict(rows.fetchall())

    def latest_by_type(self) -> dict[str, int]:
        """The latest instant of an accepted fact up to the as-of instant, per fact type (after
        `finish`): how far each export's data reaches tonight."""
        rows = self._db.execute(
            "SELECT type, MAX(at) FROM seen WHERE in_window AND known GROUP BY type"
        )
        return dict(rows.fetchall())

    def fact_counts(self) -> dict[int, int]:
        """Routed facts per agreement number (after `finish`)."""
        rows = self._db.execute("SELECT agreement, COUNT(*) FROM routed GROUP BY agreement")
        return dict(rows.fetchall())


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


def _facts(rows: Iterable[tuple[int, str, bytes]]) -> Iterator[Fact]:
    for at, fact_id, body in rows:
        fact_type, partner, attrs, source, recorded = marshal.loads(body)
        yield Fact(fact_id, fact_type, at, partner, attrs, source, recorded)


@dataclass(frozen=True, slots=True)
class _Version:
    """One version of a fact id: its first line recorded at one time."""

    sequence: int
    digest: int
    source: str
    recorded: int | None
    known: bool


def _difference(earlier: tuple[Any, ...] | None, later: tuple[Any, ...] | None) -> str:
    """What the earlier version said where the later one differs, e.g. "seats=10 (" (the caller
    closes the parenthesis after the source); "the version at (" when either is not at hand."""
    if earlier is None or later is None:
        return "the version at ("
    (at, fact_type, partner, attrs), (at_now, type_now, partner_now, attrs_now) = earlier, later
    old = {"at": iso_of_epoch(at), "type": fact_type, "partner": partner, **attrs}
    new = {"at": iso_of_epoch(at_now), "type": type_now, "partner": partner_now, **attrs_now}
    changed = [
        f"{name}={json.dumps(old.get(name), ensure_ascii=False)}"
        for name in sorted(old.keys() | new.keys(), key=lambda n: (n not in old, n))
        if old.get(name) != new.get(name)
    ]
    return (", ".join(changed) if changed else "the same values") + " ("


def _digest(fact: Fact) -> int:
    """Content identity within this process: 90000 equals 90000.0, but true differs from 1."""
    attrs = fact.attrs
    flags = tuple(name for name, value in attrs.items() if type(value) is bool)
    try:
        content = frozenset(attrs.items())
    except TypeError:  # a list value: compare it as a tuple
        content = frozenset((name, _typed(value)) for name, value in attrs.items())
    return hash((fact.type, fact.at, fact.partner, content, flags))


def _typed(value: Any) -> Any:
    if type(value) is list:
        return tuple(_typed(element) for element in value)
    if type(value) is bool:
        return ("bool", value)
    return value
