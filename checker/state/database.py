"""The state file as a database: connecting, WAL and full sync, the tables, the schema version.

The file is an ordinary SQLite database in WAL mode with `synchronous=FULL`, so a committed
night survives a power cut; it can be read with the `sqlite3` shell while a run is going on.

Tables (schema version `SCHEMA_VERSION`, kept in `meta`):

* `meta` (key, value): `schema_version`. A file written by a newer version is refused.
* `runs`: one row per run: as-of instant and night (its UTC date), horizon, rules version
  (`rules_digest`, `waivers_digest`: SHA-256 over the sorted SHA-256 digests of the rule files' and
  waivers files' bytes, so neither file names nor order matter), start and finish wall time (only
  recorded: evaluation never reads the clock), pid, outcome (`running`, `completed`,
  `invalid rules`, `input unreadable`, `interrupted`), exit code, the fact counts, findings by
  kind (waived ones left out, as in the report's summary: `breach`, `trigger`, `deadline`,
  `error`, and `unknown`, the last column), `waived`, and the status counts `new`, `open`,
  `resolved`, `stale`. A rerun of a night marks the earlier run `superseded_by`.
* `run_inputs`: each fact input of a run: its path in canonical form (absolute, symbolic links
  resolved, whether the command line named it relatively or not; `<stdin>` for stdin), size and SHA-256
  (taken after the run read it; none for stdin) and how many of its lines were rejected.
* `findings`: one row per fingerprint ever reported: agreement, clause, kind, code, subject, the
  last reported finding as JSON (`Finding.to_dict()`, so a resolved finding can still be shown),
  `status` and for stale ones `reason`, first and last seen (night and run id), when the status
  last changed, whether it was waived when last seen, and the night the row was last written
  with a snapshot of the row as it was before that night (for reruns: checker/state/recording.py).

Integrity: before a run writes anything to an existing file, `prepare` runs SQLite's
`PRAGMA quick_check`; a damaged file (corrupt pages, a broken index) is refused with
`StateError` (exit code 6) and left untouched, with the way to recover: restore a backup, or
copy what can still be read with `sqlite3 FILE .recover` into a new file and give --state that.

Columns added since version 1, without a new version (`ADDED_COLUMNS`): an older contract-checker
reads and writes such a file as before (it names the columns it uses and leaves the new ones
NULL), so it is not refused. `prepare` adds them to an older file when a run opens it, and
readers take a missing or NULL one as 0. `runs.unknown` came with the `unknown` finding kind.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from checker import __version__
from checker.state.errors import StateError

SCHEMA_VERSION = 1

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
    superseded_by INTEGER REFERENCES runs (id),
    unknown INTEGER
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
# (table, column, type) added to the version-1 schema after its first release; see the docstring.
ADDED_COLUMNS = (("runs", "unknown", "INTEGER"),)


def connect(path: str, read_only: bool = False) -> sqlite3.Connection:
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


def prepare(path: str, connection: sqlite3.Connection) -> None:
    """Create the schema in an empty file, or check an existing file's schema version; then
    make sure of WAL and full sync (a file that is not a state file is left untouched)."""
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as error:
        if "malformed" in str(error):
            raise damaged(path, [str(error)]) from error
        raise not_a_state_file(path, error) from error
    if tables:
        check_integrity(path, connection)
        check_schema(path, connection)
        _use_wal(path, connection)
        _add_columns(connection)
        return
    _use_wal(path, connection)
    connection.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")


QUICK_CHECK_SHOWN = 3  # problems quick_check found, shown in the refusal


def check_integrity(path: str, connection: sqlite3.Connection) -> None:
    """Refuse a damaged file (SQLite's `PRAGMA quick_check`) before anything is written to it."""
    try:
        problems = [
            line.strip()
            for row in connection.execute("PRAGMA quick_check")
            for line in str(row[0]).splitlines()
            if line.strip() and not line.startswith("*** in database")
        ]
    except sqlite3.DatabaseError as error:
        problems = [str(error)]
    if problems == ["ok"]:
        return
    raise damaged(path, problems)


def damaged(path: str, problems: list[str]) -> StateError:
    shown = "; ".join(problems[:QUICK_CHECK_SHOWN])
    more = len(problems) - QUICK_CHECK_SHOWN
    if more > 0:
        shown += f"; and {more} more"
    return StateError(
        path,
        f"is damaged: SQLite's integrity check (PRAGMA quick_check) found: {shown}. Nothing was "
        "evaluated and nothing was written to it",
        f"restore the file from a backup, or copy what can still be read into a new file: "
        f"'sqlite3 {path} .recover | sqlite3 recovered.sqlite', check it with "
        "'sqlite3 recovered.sqlite \"PRAGMA integrity_check\"' and give --state the recovered "
        "file (or a new path to start a new history); keep the damaged file for inspection",
    )


def check_schema(path: str, connection: sqlite3.Connection) -> None:
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise not_a_state_file(path, error) from error
    if row is None or not str(row[0]).isdigit():
        raise not_a_state_file(path, "its meta table has no schema version")
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


def columns_of(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def _add_columns(connection: sqlite3.Connection) -> None:
    """Add the columns of `ADDED_COLUMNS` that an older file lacks (one transaction)."""
    missing = [
        (table, column, kind)
        for table, column, kind in ADDED_COLUMNS
        if column not in columns_of(connection, table)
    ]
    if not missing:
        return
    statements = "".join(f"ALTER TABLE {t} ADD COLUMN {c} {k}; " for t, c, k in missing)
    connection.executescript(f"BEGIN IMMEDIATE; {statements}COMMIT;")


def not_a_state_file(path: str, cause: object) -> StateError:
    return StateError(
        path,
        f"is not a contract-checker state file ({cause})",
        "give --state the file earlier runs used, or a new path to start a new history",
    )
