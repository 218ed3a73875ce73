"""Reading the state file back: the statuses of a run's findings, and the recent runs.

`RunHistory.resolved` lists the findings resolved tonight; `RunHistory.stale` every finding that
is stale tonight, whether it became stale tonight or earlier. Both are built in memory (they are
what changed, not the whole portfolio); tonight's findings themselves are streamed from the
spool in pages and `RunHistory.tracked` is a mapping that reads the store on demand
(`TrackedFindings`), so it is valid until the store is closed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from checker.findings.model import Evidence, Finding, FindingKind, Severity
from checker.findings.tracking import Status, Tracked
from checker.state.database import check_schema, columns_of, connect, not_a_state_file
from checker.state.errors import StateError
from checker.state.runs import CurrentRun, Outcome, RunRecord


class TrackedFindings(Mapping[str, Tracked]):
    """Fingerprint -> `Tracked` for one run's findings, read from the store on demand."""

    def __init__(self, connection: sqlite3.Connection, run_id: int) -> None:
        self._db = connection
        self._run_id = run_id

    def __getitem__(self, fingerprint: str) -> Tracked:
        row = self._db.execute(
            "SELECT status, first_seen_night, last_seen_night FROM findings"
            " WHERE fingerprint = ? AND last_seen_run = ?",
            (fingerprint, self._run_id),
        ).fetchone()
        if row is None:
            raise KeyError(fingerprint)
        return tracked_of(*row)

    def __iter__(self) -> Iterator[str]:
        rows = self._db.execute(
            "SELECT fingerprint FROM findings WHERE last_seen_run = ? ORDER BY fingerprint",
            (self._run_id,),
        )
        for (fingerprint,) in rows:
            yield fingerprint

    def __len__(self) -> int:
        count: int = self._db.execute(
            "SELECT count(*) FROM findings WHERE last_seen_run = ?", (self._run_id,)
        ).fetchone()[0]
        return count


def recent_runs(path: str, limit: int = 20) -> tuple[list[RunRecord], dict[str, int]]:
    """The latest `limit` runs (newest first) and how many findings have each status now, read
    without taking the run lock (a run may be going on). Raises StateError like `open`."""
    if not os.path.isfile(path):
        raise StateError(
            path,
            "no state file here",
            "give the path passed to 'contract-checker run --state' (it is created by the first run)",
        )
    connection = connect(path, read_only=True)
    try:
        check_schema(path, connection)
        # A file no run of this version has opened yet lacks the column (database.ADDED_COLUMNS).
        unknown = "unknown" if "unknown" in columns_of(connection, "runs") else "NULL"
        rows = connection.execute(
            "SELECT id, as_of, night, outcome, exit_code, started_at, finished_at, facts_read,"
            f" breach, trigger, deadline, error, {unknown}, waived, new, open, resolved, stale,"
            " superseded_by FROM runs ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        totals = dict.fromkeys(Status, 0)
        for status, count in connection.execute(
            "SELECT status, count(*) FROM findings GROUP BY status"
        ):
            totals[Status(status)] = count
    except sqlite3.DatabaseError as error:
        raise not_a_state_file(path, error) from error
    finally:
        connection.close()
    runs = [
        RunRecord(
            id=row[0],
            as_of=row[1],
            night=date.fromisoformat(row[2]),
            outcome=row[3],
            exit_code=row[4],
            started_at=row[5],
            finished_at=row[6],
            facts_read=row[7],
            findings_by_kind=dict(
                zip(
                    ("breach", "trigger", "deadline", "error", "unknown", "waived"),
                    (v or 0 for v in row[8:14]),
                    strict=True,
                )
            ),
            statuses=dict(
                zip([s.value for s in Status], (v or 0 for v in row[14:18]), strict=True)
            ),
            superseded_by=row[18],
        )
        for row in rows
    ]
    return runs, {status.value: count for status, count in totals.items()}


def previous_night(db: sqlite3.Connection, run: CurrentRun) -> date | None:
    """The latest completed night before this run's, if any."""
    previous = db.execute(
        "SELECT max(night) FROM runs WHERE outcome = ? AND night < ?",
        (Outcome.COMPLETED, run.night.isoformat()),
    ).fetchone()[0]
    return date.fromisoformat(previous) if previous else None


def tracked_of(status: str, first_seen: str, last_seen: str) -> Tracked:
    return Tracked(Status(status), date.fromisoformat(first_seen), date.fromisoformat(last_seen))


def finding_of(record: Mapping[str, Any]) -> Finding:
    """A finding back from its `Finding.to_dict()` JSON."""
    return Finding(
        agreement=record["agreement"],
        clause=record["clause"],
        clause_title=record["clause_title"],
        kind=FindingKind(record["kind"]),
        code=record["code"],
        severity=Severity(record["severity"]),
        date=date.fromisoformat(record["date"]),
        subject=record["subject"],
        message=record["message"],
        evidence=tuple(
            Evidence(e["fact_id"], e["type"], e["at"], e["source"]) for e in record["evidence"]
        ),
        owner=record["owner"],
        calendar=record["calendar"],
    )
