"""Findings spooled to disk as workers return them and read back in report order, so a run's
memory does not grow with the number of findings."""

from __future__ import annotations

import marshal
import os
import re
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from checker.findings.model import Evidence, Finding, FindingKind, Severity

_DIGITS = re.compile(r"\d+")


class FindingSpool:
    """An ordered, disk-backed collection of findings. Close it (or use `with`) when done."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="contract-checker-findings-")
        self._db = sqlite3.connect(os.path.join(self._directory.name, "findings.sqlite"))
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE findings (agreement TEXT, day TEXT, clause TEXT, kind TEXT, code TEXT,"
            " subject TEXT, body BLOB);"
        )
        self.by_kind: Counter[str] = Counter()
        self._indexed = False

    def __enter__(self) -> FindingSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._directory.cleanup()

    def add(self, findings: Iterable[Finding]) -> None:
        rows = []
        for finding in findings:
            self.by_kind[finding.kind.value] += 1
            rows.append(
                (
                    finding.agreement,
                    finding.date.isoformat(),
                    _sortable(finding.clause),
                    finding.kind.value,
                    finding.code,
                    finding.subject,
                    marshal.dumps(_fields(finding)),
                )
            )
        self._db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def __len__(self) -> int:
        return sum(self.by_kind.values())

    def __iter__(self) -> Iterator[Finding]:
        """Findings sorted by agreement, date, clause (4.2 before 10.1), kind, code, subject
        (and content, so the order never depends on which worker finished first)."""
        if not self._indexed:
            self._db.execute(
                "CREATE INDEX report_order ON findings (agreement, day, clause, kind, code, subject)"
            )
            self._indexed = True
        rows = self._db.execute(
            "SELECT body FROM findings ORDER BY agreement, day, clause, kind, code, subject, body"
        )
        for (body,) in rows:
            yield _finding(marshal.loads(body))

    def of_kinds(self, *kinds: FindingKind, by_date: bool = False) -> Iterator[Finding]:
        """The findings of these kinds, in report order or, with `by_date`, by date first (then
        agreement, clause...): reports that group findings read them from disk one at a time."""
        order = "day, agreement" if by_date else "agreement, day"
        marks = ", ".join("?" for _ in kinds)
        rows = self._db.execute(
            f"SELECT body FROM findings WHERE kind IN ({marks})"  # only "?" placeholders
            f" ORDER BY {order}, clause, kind, code, subject, body",
            [kind.value for kind in kinds],
        )
        for (body,) in rows:
            yield _finding(marshal.loads(body))


def _sortable(clause: str) -> str:
    """Clause numbers as text that sorts like `findings.natural_key`: "4.2" < "10.1"."""
    return _DIGITS.sub(lambda number: number.group().zfill(12), clause)


def _fields(finding: Finding) -> tuple[Any, ...]:
    return (
        finding.agreement,
        finding.clause,
        finding.clause_title,
        finding.kind.value,
        finding.code,
        finding.severity.value,
        finding.date.isoformat(),
        finding.subject,
        finding.message,
        tuple((e.fact_id, e.fact_type, e.at, e.source) for e in finding.evidence),
        finding.owner,
        finding.calendar,
    )


def _finding(fields: tuple[Any, ...]) -> Finding:
    (
        agreement,
        clause,
        title,
        kind,
        code,
        severity,
        day,
        subject,
        message,
        evidence,
        owner,
        calendar,
    ) = fields
    return Finding(
        agreement=str(agreement),
        clause=str(clause),
        clause_title=str(title),
        kind=FindingKind(kind),
        code=str(code),
        severity=Severity(severity),
        date=date.fromisoformat(str(day)),
        subject=str(subject),
        message=str(message),
        evidence=tuple(Evidence(*item) for item in evidence),
        owner=str(owner),
        calendar=str(calendar),
    )
