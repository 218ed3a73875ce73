"""State across runs (`run --state PATH`): one SQLite file that remembers every run and every finding.

Each nightly run opens the store, is recorded in it, and gets back a `RunHistory`
(checker/findings/tracking.py) saying which findings are new, still open, resolved or stale. The file is
an ordinary SQLite database in WAL mode with `synchronous=FULL`, so a committed night survives a
power cut; it can be read with the `sqlite3` shell while a run is going on.

One module per job, in the order a run uses them:

* `store`: `StateStore`, the open state file a run uses (open, begin a run, record it, finish,
  close), and the run's transaction;
* `lock`: only one run at a time on a state file (an `fcntl.flock` on `PATH.lock`);
* `database`: connecting, WAL and full sync, the tables (`SCHEMA_VERSION`) and the check that
  refuses a file a newer version wrote;
* `recording`: writing one night's findings, counts and inputs, and undoing an earlier run of
  the same night (reruns);
* `judging`: whether a finding no longer reported is resolved, or why it is stale;
* `history`: reading back: the statuses of a run's findings (`TrackedFindings`) and the recent
  runs (`recent_runs`, for `contract-checker state`);
* `runs` and `errors`: what a run row holds (`Outcome`, `CurrentRun`, `RunRecord`) and
  `StateError`, which every refusal raises.

For other modules (the alerts outbox keeps its tables in this file): `StateStore.connection` is
the open `sqlite3.Connection` (autocommit mode: group changes in `with store.transaction():`),
`StateStore.current_run` the run being recorded (`CurrentRun`: id, as-of instant, night), and
`StateStore.path` the file. Create your own tables with `CREATE TABLE IF NOT EXISTS` under a
prefix of your module's name (e.g. `outbox_messages`), reference `runs(id)` for the run that
produced something, and never write to `meta`, `runs`, `run_inputs` or `findings`.

May import: common, dates, facts, findings, engine, norms, clauses, rulebook, alerts, evaluation.
"""

from __future__ import annotations

from checker.state.database import SCHEMA_VERSION
from checker.state.errors import StateError
from checker.state.history import TrackedFindings, recent_runs
from checker.state.runs import CurrentRun, Outcome, RunRecord
from checker.state.store import StateStore

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
