"""`StateStore`: the state file a run uses, from `open` to `close`.

A run opens the store (locking the file, creating it when it does not exist), begins a run
(its row committed at once, `running`), records its result in one transaction and finishes with
its exit code. A crash leaves the previous state intact, and the run's own row, committed when
it began, is then marked `interrupted`. A run for a night earlier than the latest completed one
is refused (`StateError`): it would rewrite what later nights already reported. Run without
`--state` to reproduce an earlier night's report.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from checker import __version__
from checker.dates.timeutil import date_of_epoch, iso_of_epoch
from checker.evaluation.run import RunResult
from checker.findings.exit_codes import ExitCode
from checker.findings.tracking import RunHistory
from checker.state.database import connect, prepare
from checker.state.errors import StateError
from checker.state.history import TrackedFindings, previous_night
from checker.state.lock import RunLock
from checker.state.recording import describe_sources, record_night
from checker.state.runs import Clock, CurrentRun, Outcome, timestamp, utc_now

Result = TypeVar("Result")


def _writable(path: str, call: Callable[..., Result], *args: Any) -> Result:
    """`call(*args)`, with SQLite's refusal to write (a read-only file or file system, a full
    disk) turned into a StateError that says what to check: nothing was evaluated yet."""
    try:
        return call(*args)
    except sqlite3.Error as error:
        raise StateError(
            path,
            f"cannot be opened for writing ({error}); nothing was evaluated and the file was "
            "not changed",
            "check that the state file and its directory are writable by this user and that the "
            "file system is neither read-only nor full (df -h), then run again",
        ) from error


class StateStore:
    """An open, locked state file. Use `open`, then `begin_run`, `record`, `finish_run`, `close`."""

    def __init__(self, path: str, connection: sqlite3.Connection, lock: RunLock, clock: Clock):
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
        lock = RunLock.acquire(path, clock())
        try:
            connection = _writable(path, connect, path)
            try:
                _writable(path, prepare, path, connection)
                _writable(
                    path,
                    connection.execute,
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
                    timestamp(self._clock()),
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
        sources = describe_sources(result)
        try:
            with self.transaction():
                resolved, stale = record_night(self._db, run, result, sources)
        except sqlite3.Error as error:
            raise StateError(
                self.path,
                f"could not record this run ({error}); the state file is as it was before it",
                "check the free space and permissions where the state file is, then rerun this "
                "night: a rerun of the same night is safe",
            ) from error
        return RunHistory(
            run_id=run.id,
            previous_as_of=previous_night(self._db, run),
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
            (timestamp(self._clock()), exit_code, Outcome.RUNNING, unfinished, run.id),
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
                        timestamp(self._clock()),
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
