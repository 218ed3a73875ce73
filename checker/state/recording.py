"""Recording one night: tonight's findings, the ones that are gone, the run's counts and inputs.

Statuses, night after night (the contract is in checker/findings/tracking.py): a finding reported tonight
is `new` when never seen before or when it had been resolved (a breach that comes back after
being fixed is a new occurrence: its first-seen date restarts and alerts announce it again);
`open` when seen on an earlier night, including a stale one that shows up again. Waived findings
are tracked too: a waiver does not resolve anything. A finding seen before but not tonight is
resolved or stale as checker/state/judging.py decides.

Unknown findings (the data that would decide them is not there) are findings of their own, with
their own fingerprints (the kind is part of it): tracked like any other, new then open, and
resolved when a night can decide them. A finding seen before whose agreement, clause and subject
are unknown tonight (a breach whose data has not arrived) is stale, never resolved: tonight's
unknown subjects are listed in a temporary table (`temp.unknown_tonight`, on this connection
only) for the judge, so memory stays bounded however many there are. When the data comes back
and still shows the breach, it is reported again as open (stale, then seen: open, not new) and
the unknown finding is resolved.

Nights and reruns: a run's night is its as-of date (UTC). A rerun of the latest recorded night is
idempotent: the earlier run's changes are undone from the snapshots in the same transaction and
the night is recorded again, so statuses and counts come out the same and `new` stays new.

Durability: all of a run's changes to `findings`, `runs` and `run_inputs` are one transaction
(the caller's, see `StateStore.record`), so a crash leaves the previous state intact. Findings
are written and read `PAGE_SIZE` at a time, so memory stays bounded whatever the run's size.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from checker.evaluation.run import RunResult
from checker.findings.model import FindingKind
from checker.findings.tracking import Gone, Status
from checker.rulebook.finding_codes import EVALUATION_FAILED
from checker.state.history import finding_of, tracked_of
from checker.state.judging import AGREEMENT_CLAUSES, Judge
from checker.state.runs import CurrentRun, Outcome

PAGE_SIZE = 1_000  # findings written or read per statement: bounds memory whatever the run's size

# The columns a night may change, saved as JSON in `before_night` when a row is first written on
# a night (NULL: the row did not exist before that night), and put back when the night is rerun.
# `finding_before_night` keeps the finding's JSON only when that night changed it.
_SNAPSHOT_COLUMNS = (
    "status",
    "reason",
    "waived",
    "first_seen_night",
    "first_seen_run",
    "last_seen_night",
    "last_seen_run",
    "status_night",
    "status_run",
    "written_night",
)
_SNAPSHOT = "json_object(" + ", ".join(f"'{c}', {c}" for c in _SNAPSHOT_COLUMNS) + ")"
# The kinds counted in `runs`, in the order of `_complete_run_row`'s columns.
_RUN_KINDS = (
    FindingKind.BREACH,
    FindingKind.TRIGGER,
    FindingKind.DEADLINE,
    FindingKind.ERROR,
    FindingKind.UNKNOWN,
)


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One fact input of a run as `run_inputs` records it (no size or digest for stdin): its
    path in canonical form (`canonical_path`), and as the run's evidence names it (`named`,
    not stored: the judge matches tonight's evidence with it)."""

    path: str
    size: int | None
    digest: str | None
    rejected_lines: int
    named: str = ""


def canonical_path(path: str) -> str:
    """The one form the state records an input file's path in, whatever the command line said:
    absolute, with `.`, `..` and symbolic links resolved. `facts/crm.csv` one night and
    `/srv/exports/facts/crm.csv` the next are the same input."""
    return os.path.realpath(path)


def _describe_input(display: str, real: str | None, result: RunResult) -> InputRecord:
    rejected = sum(1 for d in result.fact_errors if d.path == display)
    if real is None:
        return InputRecord(display, None, None, rejected, display)
    canonical = canonical_path(real)
    try:
        return InputRecord(canonical, os.path.getsize(real), _file_digest(real), rejected, display)
    except OSError:  # gone since it was read: the run still read it; its bytes are not known
        return InputRecord(canonical, None, None, rejected, display)


def _file_digest(path: str) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _digest_of_files(paths: Sequence[str]) -> str:
    """SHA-256 over the sorted SHA-256 digests of the files' bytes: names and order do not count."""
    digests = sorted(_file_digest(path) for path in paths)
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def _undo_night(db: sqlite3.Connection, night: date) -> None:
    """Put back every finding as it was before an earlier run of this same night wrote it."""
    db.execute(
        "DELETE FROM findings WHERE written_night = ? AND before_night IS NULL",
        (night.isoformat(),),
    )
    assignments = ", ".join(f"{c} = json_extract(before_night, '$.{c}')" for c in _SNAPSHOT_COLUMNS)
    db.execute(
        f"UPDATE findings SET {assignments},"  # column names from _SNAPSHOT_COLUMNS only
        " finding = coalesce(finding_before_night, finding),"
        " before_night = NULL, finding_before_night = NULL"
        " WHERE written_night = ?",
        (night.isoformat(),),
    )


def _record_seen(db: sqlite3.Connection, run: CurrentRun, result: RunResult) -> set[str]:
    """Write tonight's findings, streamed from the spool a page at a time: new ones inserted,
    known ones open (or new again when they had been resolved). Returns the agreements that had
    an `evaluation.failed` finding."""
    failed: set[str] = set()
    page: list[tuple[Any, ...]] = []
    for finding in result.findings:
        if finding.code == EVALUATION_FAILED.code:
            failed.add(finding.agreement)
        page.append(
            (
                finding.fingerprint,
                finding.agreement,
                finding.clause,
                finding.kind.value,
                finding.code,
                finding.subject,
                json.dumps(finding.to_dict(), ensure_ascii=False),
                int(result.waivers.decide(finding).waived),
            )
        )
        if len(page) >= PAGE_SIZE:
            _upsert_page(db, run, page)
    _upsert_page(db, run, page)
    return failed


# Seen tonight: a row written on an earlier night (or none) gets the night's values; a row
# already written tonight is the same fingerprint twice in one run, one finding for tracking
# (the first in report order wins).
_SEEN_STATUS = (
    f"CASE WHEN status = '{Status.RESOLVED}' THEN '{Status.NEW}' ELSE '{Status.OPEN}' END"
)
_UPSERT_SEEN = (
    "INSERT INTO findings (fingerprint, agreement, clause, kind, code, subject, finding, waived,"
    " status, reason, first_seen_night, first_seen_run, last_seen_night, last_seen_run,"
    " status_night, status_run, written_night, before_night, finding_before_night)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', ?10, ?11, ?10, ?11, ?10, ?11, ?10, NULL, NULL)"
    " ON CONFLICT (fingerprint) DO UPDATE SET"
    f" before_night = {_SNAPSHOT},"
    " finding_before_night = CASE WHEN finding = excluded.finding THEN NULL ELSE finding END,"
    " finding = excluded.finding,"
    f" status = {_SEEN_STATUS},"
    " reason = '',"
    " waived = excluded.waived,"
    " first_seen_night = CASE WHEN status = ?12 THEN ?10 ELSE first_seen_night END,"
    " first_seen_run = CASE WHEN status = ?12 THEN ?11 ELSE first_seen_run END,"
    " last_seen_night = ?10,"
    " last_seen_run = ?11,"
    f" status_night = CASE WHEN status = {_SEEN_STATUS} THEN status_night ELSE ?10 END,"
    f" status_run = CASE WHEN status = {_SEEN_STATUS} THEN status_run ELSE ?11 END,"
    " written_night = ?10"
    " WHERE written_night < ?10"
)


def _upsert_page(db: sqlite3.Connection, run: CurrentRun, page: list[tuple[Any, ...]]) -> None:
    night = run.night.isoformat()
    db.executemany(
        _UPSERT_SEEN, [(*row, Status.NEW, night, run.id, Status.RESOLVED) for row in page]
    )
    page.clear()


@dataclass(frozen=True, slots=True)
class NightSources:
    """What a run read, described before its transaction begins: each fact input, the rules and
    waivers versions (digest, file count), and each agreement's clause ids tonight."""

    inputs: list[InputRecord]
    rules: tuple[str, int]
    waivers: tuple[str, int]
    clauses: dict[str, set[str]]


def describe_sources(result: RunResult) -> NightSources:
    """Size, digest and rejected lines of each fact input, digests of the rule and waivers
    files, and the clauses of every agreement in the rules (with `term` and `*`)."""
    inputs = [_describe_input(display, real, result) for display, real in result.sources.fact_files]
    rules_digest = _digest_of_files(result.sources.rule_files)
    waivers_digest = _digest_of_files(result.sources.waiver_files)
    clauses = {
        outline.agreement: {clause for clause, _title in outline.clauses} | AGREEMENT_CLAUSES
        for outline in result.outlines
    }
    return NightSources(
        inputs,
        (rules_digest, len(result.sources.rule_files)),
        (waivers_digest, len(result.sources.waiver_files)),
        clauses,
    )


def record_night(
    db: sqlite3.Connection, run: CurrentRun, result: RunResult, sources: NightSources
) -> tuple[list[Gone], list[Gone]]:
    """Record a completed run inside the caller's transaction: undo an earlier run of the same
    night, write tonight's findings, settle the ones that are gone, complete the run's row and
    list its inputs. Returns the findings resolved tonight and those stale tonight."""
    inputs = sources.inputs
    _undo_night(db, run.night)
    failed = _record_seen(db, run, result)
    evidence_files = {record.path: record.rejected_lines for record in inputs}
    named = {record.named: record.path for record in inputs}
    judge = Judge(sources.clauses, failed, evidence_files, named, result.summary.feed_without_data)
    _list_unknown_tonight(db, run)
    resolved, stale = _settle_gone(db, run, judge)
    db.execute("DROP TABLE temp.unknown_tonight")  # on failure, the rollback removes it
    statuses = _status_counts(db, run, len(resolved), len(stale))
    _complete_run_row(db, run, result, sources.rules, sources.waivers, statuses)
    db.executemany(
        "INSERT INTO run_inputs (run_id, position, path, size, digest, rejected_lines)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (run.id, position, i.path, i.size, i.digest, i.rejected_lines)
            for position, i in enumerate(inputs)
        ],
    )
    return resolved, stale


def _list_unknown_tonight(db: sqlite3.Connection, run: CurrentRun) -> None:
    """Tonight's unknown findings by agreement, clause and subject, with the message of one of
    them (the first by fingerprint), for the judge: see the module docstring."""
    db.execute("DROP TABLE IF EXISTS temp.unknown_tonight")
    db.execute(
        "CREATE TEMP TABLE unknown_tonight (agreement TEXT NOT NULL, clause TEXT NOT NULL,"
        " subject TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY (agreement, clause, subject))"
        " WITHOUT ROWID"
    )
    db.execute(
        "INSERT OR IGNORE INTO temp.unknown_tonight"
        " SELECT agreement, clause, subject, json_extract(finding, '$.message') FROM findings"
        " WHERE last_seen_run = ? AND kind = ? ORDER BY fingerprint",
        (run.id, FindingKind.UNKNOWN.value),
    )


def _settle_gone(
    db: sqlite3.Connection, run: CurrentRun, judge: Judge
) -> tuple[list[Gone], list[Gone]]:
    """Resolve, or mark stale, every finding seen before and not tonight; page by page."""
    night = run.night.isoformat()
    resolved: list[Gone] = []
    stale: list[Gone] = []
    for status in (Status.NEW, Status.OPEN, Status.STALE):
        after = ""
        while True:
            rows = db.execute(
                "SELECT f.fingerprint, f.agreement, f.clause, f.finding, f.reason,"
                " f.first_seen_night, f.last_seen_night, u.message FROM findings AS f"
                " LEFT JOIN temp.unknown_tonight AS u ON u.agreement = f.agreement"
                " AND u.clause = f.clause AND u.subject = f.subject"
                " WHERE f.status = ? AND f.fingerprint > ? AND f.written_night < ?"
                " ORDER BY f.fingerprint LIMIT ?",
                (status, after, night, PAGE_SIZE),
            ).fetchall()
            if not rows:
                break
            after = rows[-1][0]
            changes: list[dict[str, Any]] = []
            for row in rows:
                fingerprint, agreement, clause, text, reason, first_seen, last_seen, unknown = row
                finding = json.loads(text)
                why = judge.why_stale(agreement, clause, finding, unknown)
                now = Status.STALE if why else Status.RESOLVED
                gone = Gone(finding_of(finding), tracked_of(now, first_seen, last_seen), why)
                (stale if why else resolved).append(gone)
                if now != status or why != reason:
                    changes.append(
                        {
                            "fingerprint": fingerprint,
                            "status": now,
                            "reason": why,
                            "changed": now != status,
                        }
                    )
            db.executemany(
                f"UPDATE findings SET before_night = {_SNAPSHOT}, finding_before_night = NULL,"
                " status = :status, reason = :reason,"
                " status_night = CASE WHEN :changed THEN :night ELSE status_night END,"
                " status_run = CASE WHEN :changed THEN :run ELSE status_run END,"
                " written_night = :night WHERE fingerprint = :fingerprint",
                [{**change, "night": night, "run": run.id} for change in changes],
            )
    return resolved, stale


def _status_counts(
    db: sqlite3.Connection, run: CurrentRun, resolved: int, stale: int
) -> dict[str, int]:
    counts = {status.value: 0 for status in Status}
    for status, count in db.execute(
        "SELECT status, count(*) FROM findings WHERE last_seen_run = ? GROUP BY status", (run.id,)
    ):
        counts[status] = count
    counts[Status.RESOLVED.value] = resolved
    counts[Status.STALE.value] = stale
    return counts


def _complete_run_row(
    db: sqlite3.Connection,
    run: CurrentRun,
    result: RunResult,
    rules: tuple[str, int],
    waivers: tuple[str, int],
    statuses: Mapping[str, int],
) -> None:
    summary = result.summary
    facts = summary.counts
    by_kind = summary.findings_by_kind
    db.execute(
        "UPDATE runs SET outcome = ?, rules_digest = ?, rule_files = ?, waivers_digest = ?,"
        " waiver_files = ?, agreements = ?, clauses = ?, facts_read = ?, facts_accepted = ?,"
        " facts_rejected = ?, facts_duplicates = ?, facts_after_as_of = ?, facts_irrelevant = ?,"
        " breach = ?, trigger = ?, deadline = ?, error = ?, unknown = ?, waived = ?,"
        " new = ?, open = ?, resolved = ?, stale = ? WHERE id = ?",
        (
            Outcome.COMPLETED,
            *rules,
            *waivers,
            summary.agreements,
            summary.clauses,
            facts.read,
            facts.accepted,
            facts.rejected,
            facts.duplicates,
            facts.after_as_of,
            summary.irrelevant,
            *(by_kind.get(kind.value, 0) for kind in _RUN_KINDS),
            summary.waived,
            *(statuses[status.value] for status in Status),
            run.id,
        ),
    )
    db.execute(
        "UPDATE runs SET superseded_by = ? WHERE night = ? AND id != ? AND outcome = ?"
        " AND superseded_by IS NULL",
        (run.id, run.night.isoformat(), run.id, Outcome.COMPLETED),
    )
