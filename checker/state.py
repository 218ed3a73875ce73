"""State across runs (`run --state PATH`): one SQLite file that remembers every run and every finding.

Each nightly run opens the store, is recorded in it, and gets back a `RunHistory`
(checker/tracking.py) saying which findings are new, still open, resolved or stale. The file is
an ordinary SQLite database in WAL mode with `synchronous=FULL`, so a committed night survives a
power cut; it can be read with the `sqlite3` shell while a run is going on.

Tables (schema version `SCHEMA_VERSION`, kept in `meta`):

* `meta` (key, value): `schema_version`. A file written by a newer version is refused.
* `runs`: one row per run: as-of instant and night (its UTC date), horizon, rules version
  (`rules_digest`, `waivers_digest`: SHA-256 over the sorted SHA-256 digests of the rule files' and
  waivers files' bytes, so neither file names nor order matter), start and finish wall time (only
  recorded: evaluation never reads the clock), pid, outcome (`running`, `completed`,
  `invalid rules`, `input unreadable`, `interrupted`), exit code, the fact counts, findings by
  kind (waived ones left out, as in the report's summary), `waived`, and the status counts
  `new`, `open`, `resolved`, `stale`. A rerun of a night marks the earlier run `superseded_by`.
* `run_inputs`: each fact input of a run: path as the evidence names it, size and SHA-256
  (taken after the run read it; none for stdin) and how many of its lines were rejected.
* `findings`: one row per fingerprint ever reported: agreement, clause, kind, code, subject, the
  last reported finding as JSON (`Finding.to_dict()`, so a resolved finding can still be shown),
  `status` and for stale ones `reason`, first and last seen (night and run id), when the status
  last changed, whether it was waived when last seen, and the night the row was last written
  with a snapshot of the row as it was before that night (for reruns, below).

Statuses, night after night (the contract is in checker/tracking.py):

* A finding reported tonight is `new` when never seen before or when it had been resolved (a
  breach that comes back after being fixed is a new occurrence: its first-seen date restarts and
  alerts announce it again); `open` when seen on an earlier night, including a stale one that
  shows up again. Waived findings are tracked too: a waiver does not resolve anything.
* A finding seen before but not tonight is `resolved` only when all of this holds tonight, else it
  is `stale` with the first reason that fails, never resolved:
  1. its agreement is still in the rules, and its clause too (`term` and the whole-agreement
     clause `*` exist while the agreement does);
  2. its agreement was evaluated completely: no `evaluation.failed` finding for the agreement,
     whether for the whole agreement or any of its clauses (clauses feed each other: a
     termination ends the term that other clauses' deadlines depend on);
  3. its input is present: every fact file its evidence cites (the path before `:line` in each
     evidence source) is among tonight's inputs, named the same way, and tonight had no rejected
     line in it (a fact that moved onto a broken line is not a fact that went away). A file that
     cannot be read at all stops the run before anything is recorded. Findings without evidence
     (a missed due date, a period total) rest on the agreement's evaluation alone.
  A stale finding is checked again every night: it can become resolved, or open again.
* `RunHistory.resolved` lists the findings resolved tonight; `RunHistory.stale` every finding that
  is stale tonight, whether it became stale tonight or earlier. Both are built in memory (they are
  what changed, not the whole portfolio); tonight's findings themselves are streamed from the
  spool in pages and `RunHistory.tracked` is a mapping that reads the store on demand, so it is
  valid until the store is closed.

Nights and reruns: a run's night is its as-of date (UTC). A rerun of the latest recorded night is
idempotent: the earlier run's changes are undone from the snapshots in the same transaction and
the night is recorded again, so statuses and counts come out the same and `new` stays new. A run
for a night earlier than the latest completed one is refused (`StateError`): it would rewrite
what later nights already reported. Run without `--state` to reproduce an earlier night's report.

Durability and concurrency: all of a run's changes to `findings`, `runs` and `run_inputs` are
one transaction, so a crash leaves the previous state intact (the run's own row, committed when
it began, is then marked `interrupted`). Only one run at a time may use a state file: `open`
takes an exclusive `fcntl.flock` on `PATH.lock` next to it, and a second run refuses at once,
naming the other run's pid and start time. The operating system drops the lock when its process
ends, so a crashed run never leaves a stale lock. Refused runs are not recorded.

For other modules (the alerts outbox keeps its tables in this file): `StateStore.connection` is
the open `sqlite3.Connection` (autocommit mode: group changes in `with store.transaction():`),
`StateStore.current_run` the run being recorded (`CurrentRun`: id, as-of instant, night), and
`StateStore.path` the file. Create your own tables with `CREATE TABLE IF NOT EXISTS` under a
prefix of your module's name (e.g. `outbox_messages`), reference `runs(id)` for the run that
produced something, and never write to `meta`, `runs`, `run_inputs` or `findings`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from checker import __version__
from checker.diagnostics import Diagnostic
from checker.evaluate import EVALUATION_FAILED
from checker.exitcodes import ExitCode
from checker.findings import Evidence, Finding, FindingKind, Severity
from checker.run import RunResult
from checker.timeutil import date_of_epoch, iso_of_epoch
from checker.tracking import Gone, RunHistory, Status, Tracked

SCHEMA_VERSION = 1
LOCK_SUFFIX = ".lock"
# The clause ids every agreement has besides its rule file's: the term (checker/term.py) and the
# whole agreement (`*`, the clause of an error finding when the agreement could not be evaluated).
AGREEMENT_CLAUSES = frozenset({"term", "*"})
STDIN_SOURCE = "<stdin>"
PAGE_SIZE = 1_000  # findings written or read per statement: bounds memory whatever the run's size

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


class Outcome(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    INVALID_RULES = "invalid rules"
    INPUT_UNREADABLE = "input unreadable"
    INTERRUPTED = "interrupted"


class StateError(Exception):
    """The state file cannot be used (or updated) by this run; says which file, why, and what to do."""

    def __init__(self, path: str, message: str, help_text: str) -> None:
        super().__init__(f"{path}: {message}")
        self.diagnostic = Diagnostic(path, 0, 0, message, help=help_text)

    def render(self) -> str:
        return self.diagnostic.render()


@dataclass(frozen=True, slots=True)
class CurrentRun:
    """The run being recorded: its id in `runs`, its as-of instant and its night (UTC date)."""

    id: int
    as_of: int
    night: date


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One row of `runs`, for listing recent runs."""

    id: int
    as_of: str
    night: date
    outcome: str
    exit_code: int | None
    started_at: str
    finished_at: str | None
    facts_read: int | None
    findings_by_kind: Mapping[str, int]
    statuses: Mapping[str, int]
    superseded_by: int | None


_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    as_of TEXT NOT NULL,
    night TEXT NOT NULL,
    horizon_days INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    pid INTEGER NOT NULL,
    tool_version TEXT NOT NULL,
    outcome TEXT NOT NULL,
    exit_code INTEGER,
    rules_digest TEXT,
    rule_files INTEGER,
    waivers_digest TEXT,
    waiver_files INTEGER,
    agreements INTEGER,
    clauses INTEGER,
    facts_read INTEGER,
    facts_accepted INTEGER,
    facts_rejected INTEGER,
    facts_duplicates INTEGER,
    facts_after_as_of INTEGER,
    facts_irrelevant INTEGER,
    breach INTEGER,
    trigger INTEGER,
    deadline INTEGER,
    error INTEGER,
    waived INTEGER,
    new INTEGER,
    open INTEGER,
    resolved INTEGER,
    stale INTEGER,
    superseded_by INTEGER REFERENCES runs (id)
);
CREATE INDEX runs_by_night ON runs (outcome, night);
CREATE TABLE run_inputs (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    position INTEGER NOT NULL,
    path TEXT NOT NULL,
    size INTEGER,
    digest TEXT,
    rejected_lines INTEGER NOT NULL,
    PRIMARY KEY (run_id, position)
);
CREATE TABLE findings (
    fingerprint TEXT PRIMARY KEY,
    agreement TEXT NOT NULL,
    clause TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    subject TEXT NOT NULL,
    finding TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    waived INTEGER NOT NULL,
    first_seen_night TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES runs (id),
    last_seen_night TEXT NOT NULL,
    last_seen_run INTEGER NOT NULL REFERENCES runs (id),
    status_night TEXT NOT NULL,
    status_run INTEGER NOT NULL REFERENCES runs (id),
    written_night TEXT NOT NULL,
    before_night TEXT,
    finding_before_night TEXT
);
CREATE INDEX findings_by_status ON findings (status, fingerprint);
"""

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


class StateStore:
    """An open, locked state file. Use `open`, then `begin_run`, `record`, `finish_run`, `close`."""

    def __init__(self, path: str, connection: sqlite3.Connection, lock: _Lock, clock: Clock):
        self.path = path
        self._db = connection
        self._lock = lock
        self._clock = clock
        self._run: CurrentRun | None = None
        self._finished = False

    @classmethod
    def open(cls, path: str, clock: Clock = utc_now) -> StateStore:
        """Lock the state file for this run and open it, creating it when it does not exist.

        Raises StateError when another run holds it, when it is not a state file, or when a
        newer version of contract-checker wrote it. Runs left `running` by a crash are marked
        `interrupted`.
        """
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise StateError(
                path,
                f"cannot create the state file: the directory {directory} does not exist",
                "create the directory first, or give --state a path in an existing directory",
            )
        lock = _Lock.acquire(path, clock())
        try:
            connection = _connect(path)
            try:
                _prepare(path, connection)
                connection.execute(
                    "UPDATE runs SET outcome = ? WHERE outcome = ?",
                    (Outcome.INTERRUPTED, Outcome.RUNNING),
                )
            except BaseException:
                connection.close()
                raise
        except BaseException:
            lock.release()
            raise
        return cls(path, connection, lock, clock)

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection (autocommit; use `transaction()` to group changes)."""
        return self._db

    @property
    def current_run(self) -> CurrentRun | None:
        return self._run

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """`BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` when the block raises."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            if self._db.in_transaction:  # SQLite may have rolled back already (disk full)
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def begin_run(self, as_of: int, horizon_days: int) -> CurrentRun:
        """Record that a run for `as_of` has started; refuse a night before the latest one."""
        night = date_of_epoch(as_of)
        later = self._db.execute(
            "SELECT id, night FROM runs WHERE outcome = ? AND night > ?"
            " ORDER BY night DESC, id DESC LIMIT 1",
            (Outcome.COMPLETED, night.isoformat()),
        ).fetchone()
        if later is not None:
            run_id, later_night = later
            raise StateError(
                self.path,
                f"already holds a later night: run {run_id} was as of {later_night}, and this "
                f"run is as of {night}. Recording an earlier night would rewrite what the later "
                "nights reported; nothing was evaluated",
                "to see an earlier night again, run without --state (the same --as-of gives the "
                "same report); rerunning the latest night with --state is fine",
            )
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO runs (as_of, night, horizon_days, started_at, pid, tool_version,"
                " outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    iso_of_epoch(as_of),
                    night.isoformat(),
                    horizon_days,
                    _timestamp(self._clock()),
                    os.getpid(),
                    __version__,
                    Outcome.RUNNING,
                ),
            )
        assert cursor.lastrowid is not None
        self._run = CurrentRun(cursor.lastrowid, as_of, night)
        return self._run

    def record(self, result: RunResult) -> RunHistory:
        """Record a completed run's findings and counts in one transaction; return its history.

        Raises StateError when the file cannot be updated; it is then as it was before.
        """
        run = self._require_run()
        inputs = [
            _describe_input(display, real, result) for display, real in result.sources.fact_files
        ]
        rules_digest = _digest_of_files(result.sources.rule_files)
        waivers_digest = _digest_of_files(result.sources.waiver_files)
        clauses = {
            outline.agreement: {clause for clause, _title in outline.clauses} | AGREEMENT_CLAUSES
            for outline in result.outlines
        }
        try:
            with self.transaction():
                _undo_night(self._db, run.night)
                failed = _record_seen(self._db, run, result)
                evidence_files = {record.path: record.rejected_lines for record in inputs}
                judge = _Judge(clauses, failed, evidence_files)
                resolved, stale = _settle_gone(self._db, run, judge)
                statuses = _status_counts(self._db, run, len(resolved), len(stale))
                _complete_run_row(
                    self._db,
                    run,
                    result,
                    (rules_digest, len(result.sources.rule_files)),
                    (waivers_digest, len(result.sources.waiver_files)),
                    statuses,
                )
                self._db.executemany(
                    "INSERT INTO run_inputs VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (run.id, position, i.path, i.size, i.digest, i.rejected_lines)
                        for position, i in enumerate(inputs)
                    ],
                )
        except sqlite3.Error as error:
            raise StateError(
                self.path,
                f"could not record this run ({error}); the state file is as it was before it",
                "check the free space and permissions where the state file is, then rerun this "
                "night: a rerun of the same night is safe",
            ) from error
        previous = self._db.execute(
            "SELECT max(night) FROM runs WHERE outcome = ? AND night < ?",
            (Outcome.COMPLETED, run.night.isoformat()),
        ).fetchone()[0]
        return RunHistory(
            run_id=run.id,
            previous_as_of=date.fromisoformat(previous) if previous else None,
            tracked=TrackedFindings(self._db, run.id),
            resolved=resolved,
            stale=stale,
        )

    def finish_run(self, exit_code: int) -> None:
        """Record the run's end and exit code; a run that never reached `record` gets the
        outcome its exit code means (invalid rules, input unreadable) or `interrupted`."""
        run = self._require_run()
        unfinished = {
            int(ExitCode.INVALID_RULES): Outcome.INVALID_RULES,
            int(ExitCode.INVALID_FACTS): Outcome.INPUT_UNREADABLE,
        }.get(int(exit_code), Outcome.INTERRUPTED)
        self._db.execute(
            "UPDATE runs SET finished_at = ?, exit_code = ?,"
            " outcome = CASE WHEN outcome = ? THEN ? ELSE outcome END WHERE id = ?",
            (_timestamp(self._clock()), exit_code, Outcome.RUNNING, unfinished, run.id),
        )
        self._finished = True

    def close(self) -> None:
        """Close the file and release the lock; a run begun but not finished is `interrupted`."""
        try:
            if self._run is not None and not self._finished:
                self._db.execute(
                    "UPDATE runs SET finished_at = ?,"
                    " outcome = CASE WHEN outcome = ? THEN ? ELSE outcome END WHERE id = ?",
                    (
                        _timestamp(self._clock()),
                        Outcome.RUNNING,
                        Outcome.INTERRUPTED,
                        self._run.id,
                    ),
                )
        finally:
            self._db.close()
            self._lock.release()

    def _require_run(self) -> CurrentRun:
        if self._run is None:
            raise RuntimeError("begin_run must be called before recording a run")
        return self._run


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
        return _tracked(*row)

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
    connection = _connect(path, read_only=True)
    try:
        _check_schema(path, connection)
        rows = connection.execute(
            "SELECT id, as_of, night, outcome, exit_code, started_at, finished_at, facts_read,"
            " breach, trigger, deadline, error, waived, new, open, resolved, stale, superseded_by"
            " FROM runs ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        totals = dict.fromkeys(Status, 0)
        for status, count in connection.execute(
            "SELECT status, count(*) FROM findings GROUP BY status"
        ):
            totals[Status(status)] = count
    except sqlite3.DatabaseError as error:
        raise _not_a_state_file(path, error) from error
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
                    ("breach", "trigger", "deadline", "error", "waived"),
                    (v or 0 for v in row[8:13]),
                    strict=True,
                )
            ),
            statuses=dict(
                zip([s.value for s in Status], (v or 0 for v in row[13:17]), strict=True)
            ),
            superseded_by=row[17],
        )
        for row in rows
    ]
    return runs, {status.value: count for status, count in totals.items()}


# --- opening -------------------------------------------------------------------------------------


class _Lock:
    """An exclusive `flock` on `<state file>.lock`, with the holder's pid and start time inside."""

    def __init__(self, descriptor: int) -> None:
        self._descriptor = descriptor

    @classmethod
    def acquire(cls, state_path: str, since: datetime) -> _Lock:
        lock_path = state_path + LOCK_SUFFIX
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise StateError(
                state_path,
                f"cannot open its lock file {lock_path}: {error.strerror}",
                "the directory of the state file must be writable by the user running the checker",
            ) from error
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(descriptor)
            os.close(descriptor)
            raise StateError(
                state_path,
                f"is in use by another run ({holder}); this run stopped before evaluating anything",
                "wait for that run to finish and start this one again, or give this run its own "
                f"--state file; the lock ({lock_path}) is released as soon as that process ends, "
                "even if it crashes",
            ) from None
        holder_record = json.dumps({"pid": os.getpid(), "since": _timestamp(since)})
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, holder_record.encode(), 0)
        return cls(descriptor)

    def release(self) -> None:
        os.close(self._descriptor)  # closing the descriptor drops the flock


def _holder(descriptor: int) -> str:
    """ "pid 123, since 2026-11-22 02:00:03 UTC" from a held lock file, as far as it says."""
    try:
        record = json.loads(os.pread(descriptor, 4096, 0) or b"{}")
        return f"pid {int(record['pid'])}, since {record['since']}"
    except (ValueError, KeyError, TypeError, OSError):
        return "pid and start time not known yet"


def _connect(path: str, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(
            Path(path).absolute().as_uri() + "?mode=ro", uri=True, isolation_level=None
        )
    return sqlite3.connect(path, isolation_level=None)


def _use_wal(path: str, connection: sqlite3.Connection) -> None:
    """WAL journal (kept in the file) and full sync (set per connection) for a state file."""
    mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    connection.execute("PRAGMA synchronous = FULL")
    if str(mode).lower() != "wal":
        raise StateError(
            path,
            f"cannot keep the state file in WAL mode (SQLite answered '{mode}')",
            "put the state file on a local disk: network file systems do not support WAL",
        )


def _prepare(path: str, connection: sqlite3.Connection) -> None:
    """Create the schema in an empty file, or check an existing file's schema version; then
    make sure of WAL and full sync (a file that is not a state file is left untouched)."""
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as error:
        raise _not_a_state_file(path, error) from error
    if tables:
        _check_schema(path, connection)
        _use_wal(path, connection)
        return
    _use_wal(path, connection)
    connection.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")


def _check_schema(path: str, connection: sqlite3.Connection) -> None:
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise _not_a_state_file(path, error) from error
    if row is None or not str(row[0]).isdigit():
        raise _not_a_state_file(path, "its meta table has no schema version")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise StateError(
            path,
            f"was written by a newer contract-checker (state schema version {version}; this "
            f"version {__version__} reads version {SCHEMA_VERSION})",
            "run the newer contract-checker that wrote it, or give --state another file; do not "
            "edit the file by hand",
        )
    # Version 1 is the first: older files do not exist yet, so there is nothing to migrate.


def _not_a_state_file(path: str, cause: object) -> StateError:
    return StateError(
        path,
        f"is not a contract-checker state file ({cause})",
        "give --state the file earlier runs used, or a new path to start a new history",
    )


# --- recording a night ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _InputRecord:
    path: str
    size: int | None
    digest: str | None
    rejected_lines: int


def _describe_input(display: str, real: str | None, result: RunResult) -> _InputRecord:
    rejected = sum(1 for d in result.fact_errors if d.path == display)
    if real is None:
        return _InputRecord(display, None, None, rejected)
    try:
        return _InputRecord(display, os.path.getsize(real), _file_digest(real), rejected)
    except OSError:  # gone since it was read: the run still read it; its bytes are not known
        return _InputRecord(display, None, None, rejected)


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


class _Judge:
    """Decides whether a finding that is no longer reported is resolved, or why it is stale."""

    def __init__(
        self,
        clauses: Mapping[str, set[str]],
        failed_agreements: set[str],
        inputs: Mapping[str, int],
    ) -> None:
        self.clauses = clauses  # agreement -> its clause ids tonight
        self.failed_agreements = failed_agreements
        self.inputs = inputs  # fact input path as evidence names it -> rejected lines tonight

    def why_stale(self, agreement: str, clause: str, finding: Mapping[str, Any]) -> str:
        """The reason tonight cannot tell the finding is gone, or "" when it is resolved."""
        if agreement not in self.clauses:
            return f"agreement {agreement} is no longer in the rules"
        if clause not in self.clauses[agreement]:
            return f"clause {clause} is no longer in agreement {agreement}"
        if agreement in self.failed_agreements:
            return f"agreement {agreement} could not be evaluated completely tonight"
        for source in sorted({_evidence_file(e["source"]) for e in finding["evidence"]}):
            if source not in self.inputs:
                return f"its evidence file {source} was not among tonight's inputs"
            rejected = self.inputs[source]
            if rejected:
                lines = "line" if rejected == 1 else "lines"
                return f"its evidence file {source} had {rejected} rejected {lines} tonight"
        return ""


def _evidence_file(source: str) -> str:
    """ "exports/crm.csv:12" -> "exports/crm.csv" (a source is the path, a colon, the line)."""
    path, colon, line = source.rpartition(":")
    return path if colon and line.isdigit() else source


def _settle_gone(
    db: sqlite3.Connection, run: CurrentRun, judge: _Judge
) -> tuple[list[Gone], list[Gone]]:
    """Resolve, or mark stale, every finding seen before and not tonight; page by page."""
    night = run.night.isoformat()
    resolved: list[Gone] = []
    stale: list[Gone] = []
    for status in (Status.NEW, Status.OPEN, Status.STALE):
        after = ""
        while True:
            rows = db.execute(
                "SELECT fingerprint, agreement, clause, finding, reason, first_seen_night,"
                " last_seen_night FROM findings WHERE status = ? AND fingerprint > ?"
                " AND written_night < ? ORDER BY fingerprint LIMIT ?",
                (status, after, night, PAGE_SIZE),
            ).fetchall()
            if not rows:
                break
            after = rows[-1][0]
            changes: list[dict[str, Any]] = []
            for fingerprint, agreement, clause, text, reason, first_seen, last_seen in rows:
                finding = json.loads(text)
                why = judge.why_stale(agreement, clause, finding)
                now = Status.STALE if why else Status.RESOLVED
                gone = Gone(_finding_of(finding), _tracked(now, first_seen, last_seen), why)
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
        " breach = ?, trigger = ?, deadline = ?, error = ?, waived = ?,"
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
            *(by_kind.get(kind.value, 0) for kind in FindingKind),
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


def _tracked(status: str, first_seen: str, last_seen: str) -> Tracked:
    return Tracked(Status(status), date.fromisoformat(first_seen), date.fromisoformat(last_seen))


def _finding_of(record: Mapping[str, Any]) -> Finding:
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


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


__all__ = [
    "SCHEMA_VERSION",
    "CurrentRun",
    "Outcome",
    "RunRecord",
    "StateError",
    "StateStore",
    "TrackedFindings",
    "recent_runs",
]
