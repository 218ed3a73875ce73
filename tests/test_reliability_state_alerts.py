"""Reliability of a night's state and alerts (issue 10, item 7), as a table of cases.

Each case is a night run through the command line with `--state` and `--notify` (a generic
webhook on 127.0.0.1 that records what it is sent), broken in one way, then run again as it
would be the next time the scheduler starts it. What must hold every time: the rerun loses
nothing (the night is recorded, the breach is tracked, every message is delivered) and sends
nothing twice (one delivery id per message; the one window where a copy can go out, after the
service accepted a message and before it was marked sent, sends it again with the *same* delivery
id so the service drops it, as checker/alerts/outbox.py documents).

| case | what breaks | first run | after the rerun |
|---|---|---|---|
| sigkill:evaluated | SIGKILL after evaluating, before recording | killed | recorded, 1 message |
| sigkill:recorded | SIGKILL after recording, before queueing | killed | recorded, 1 message |
| sigkill:queued | SIGKILL after queueing, before sending | killed | 1 message |
| sigkill:accepted | SIGKILL after the service accepted, before marked sent | killed | 2 posts, 1 delivery id |
| sigkill:sent | SIGKILL after sending, before the run is finished | killed | 1 message |
| two-runs | a second run while the first holds the state file | 6, nothing done | 1 message |
| disk-full:outbox | the outbox cannot be written (database or disk is full) | 5, nothing sent | 1 message |
| read-only:state | the state file cannot be written | 6, nothing done | 1 message |
| read-only:report | the report's directory cannot be written | 2, recorded, sent | 1 message |

Cases already covered elsewhere: a crash (disk I/O error) while recording the night leaves the
previous state (test_state.py::test_a_crash_while_recording_leaves_the_previous_state); a
killed run leaves no stale lock (test_state.py::test_a_crashed_run_leaves_no_stale_lock); a
second run on a state file in use refuses at once
(test_state.py::test_a_second_run_on_a_state_file_in_use_refuses_at_once); a report that cannot
be written for a full disk keeps last night's file (test_report_option.py); a damaged state file
is refused (test_state.py::test_a_damaged_state_file_is_refused_before_anything_is_written).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import checker.report.targets
from checker.alerts import outbox as outbox_module
from checker.alerts.webhook import DELIVERY_HEADER
from checker.cli import main
from checker.findings.exit_codes import ExitCode
from checker.state import database as state_database
from checker.state import store as state_store
from tests.helpers import GLOBEX_EXCLUSIVITY, direct_deal

RULE_FILE = GLOBEX_EXCLUSIVITY
BREACH = direct_deal()
NOTIFICATIONS = """\
receivers:
  audit: {type: webhook, url_env: AUDIT_WEBHOOK}
fallback: audit
delivery: {attempts: 3, first_retry_seconds: 0, timeout_seconds: 5}  # a reset is retried
"""
HOOK_PATH = "/hooks/audit"

# Run in a process of its own: stops the run at one phase with SIGKILL, as the OOM killer or a
# power cut would, after writing which phase it reached to a marker file.
HARNESS = """\
import os, signal, sys, time
from pathlib import Path


def main():
    phase, marker, *args = sys.argv[1:]
    import checker.alerts.notify
    from checker.alerts import outbox
    from checker.state import store

    notify_module = sys.modules["checker.alerts.notify"]  # the package's `notify` is a function

    def die(*_args, **_kwargs):
        Path(marker).write_text(phase)
        os.kill(os.getpid(), signal.SIGKILL)

    if phase == "evaluated":
        store.StateStore.record = die
    elif phase == "recorded":
        outbox.Outbox.queue = die
    elif phase == "queued":
        notify_module.deliver = die
    elif phase == "accepted":
        real_record = outbox.Outbox.record

        def record(self, message_id, status, *rest):
            if status == outbox.SENT:
                die()
            return real_record(self, message_id, status, *rest)

        outbox.Outbox.record = record
    elif phase == "sent":
        store.StateStore.finish_run = die
    elif phase == "slow":
        real_deliver = notify_module.deliver

        def slow(*args, **kwargs):
            Path(marker).write_text("sending")
            time.sleep(3)
            return real_deliver(*args, **kwargs)

        notify_module.deliver = slow
    from checker.cli import main as cli

    return cli(args)


if __name__ == "__main__":
    sys.exit(main())
"""


class Night:
    """A rules folder, a fact file, a notifications file and a state file, and the webhook."""

    def __init__(self, root: Path, server: HTTPServer) -> None:
        self.root = root
        self.server = server
        (root / "rules").mkdir()
        (root / "rules" / "globex.yaml").write_text(RULE_FILE)
        (root / "facts.jsonl").write_text(BREACH + "\n")
        (root / "notifications.yaml").write_text(NOTIFICATIONS)
        (root / "harness.py").write_text(HARNESS)
        self.state = root / "state.sqlite"
        self.marker = root / "marker"
        self.report = root / "out" / "report.json"
        self.report.parent.mkdir()
        server.expect_request(HOOK_PATH, method="POST").respond_with_data("ok")

    def args(self) -> list[str]:
        return [
            "run",
            "--rules",
            str(self.root / "rules"),
            "--facts",
            str(self.root / "facts.jsonl"),
            "--as-of",
            "2026-11-22",
            "--workers",
            "1",
            "--state",
            str(self.state),
            "--notify",
            str(self.root / "notifications.yaml"),
            "--report",
            f"json:{self.report}",
        ]

    def start(self, phase: str) -> subprocess.Popen[str]:
        environment = {**os.environ, "AUDIT_WEBHOOK": self.server.url_for(HOOK_PATH)}
        return subprocess.Popen(
            [sys.executable, str(self.root / "harness.py"), phase, str(self.marker), *self.args()],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self) -> int:
        return main(self.args())

    def delivery_ids(self) -> list[str]:
        return [request.headers[DELIVERY_HEADER] for request, _ in self.server.log]

    def query(self, sql: str) -> list[tuple[object, ...]]:
        connection = sqlite3.connect(self.state)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def assert_nothing_lost_nothing_twice(self, posts: int = 1) -> None:
        """The night recorded and complete, the breach tracked, every message sent, one
        delivery id per message (`posts` > 1 only where a copy is documented)."""
        ids = self.delivery_ids()
        assert len(ids) == posts
        assert len(set(ids)) == 1
        outcomes = [outcome for (outcome,) in self.query("SELECT outcome FROM runs ORDER BY id")]
        assert outcomes[-1] == "completed"
        assert "running" not in outcomes
        assert self.query("SELECT subject, status FROM findings") == [("d1", "new")]
        assert self.query("SELECT status FROM alerts_messages") == [("sent",)]
        # And once more: nothing is sent again.
        assert self.run() == ExitCode.FINDINGS
        assert len(self.delivery_ids()) == posts


@pytest.fixture
def night(tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Night:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUDIT_WEBHOOK", httpserver.url_for(HOOK_PATH))
    return Night(tmp_path, httpserver)


@pytest.mark.parametrize(
    ("phase", "posted_before_kill", "posts"),
    [
        ("evaluated", 0, 1),
        ("recorded", 0, 1),
        ("queued", 0, 1),
        ("accepted", 1, 2),
        ("sent", 1, 1),
    ],
    ids=lambda value: f"sigkill:{value}" if isinstance(value, str) else str(value),
)
def test_sigkill_at_each_phase_then_a_rerun_loses_nothing_and_sends_nothing_twice(
    night: Night, phase: str, posted_before_kill: int, posts: int
) -> None:
    killed = night.start(phase)
    _out, err = killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL, err
    assert night.marker.read_text() == phase  # it did reach the phase
    assert len(night.delivery_ids()) == posted_before_kill
    assert night.run() == ExitCode.FINDINGS
    night.assert_nothing_lost_nothing_twice(posts)


def test_two_runs_on_one_state_file_one_waits_out_nothing_twice(
    night: Night, capsys: pytest.CaptureFixture[str]
) -> None:
    first = night.start("slow")
    try:
        deadline = time.monotonic() + 30
        while not night.marker.exists() and first.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert first.poll() is None, first.communicate()[1]  # still running, still sending
        assert night.marker.read_text() == "sending"  # the first holds the state file now
        assert night.run() == ExitCode.STATE_REFUSED
        assert "is in use by another run" in capsys.readouterr().err
    finally:
        _out, err = first.communicate(timeout=60)
    assert first.returncode == ExitCode.FINDINGS, err
    assert night.query("SELECT count(*) FROM runs") == [(1,)]  # the second never began
    night.assert_nothing_lost_nothing_twice()


def test_disk_full_while_queueing_alerts_sends_nothing_and_loses_nothing(
    night: Night, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patched:
        patched.setattr(outbox_module.Outbox, "queue", full)
        assert night.run() == ExitCode.DELIVERY_FAILED  # was 70, an internal error
    err = capsys.readouterr().err
    assert "alerts: stopped: the outbox in the state file could not be written (database or " in (
        err
    )
    assert night.delivery_ids() == []
    assert night.report.exists()  # the report was written before the alerts
    assert night.run() == ExitCode.FINDINGS
    night.assert_nothing_lost_nothing_twice()


def test_a_read_only_state_file_stops_the_run_before_anything_is_done(
    night: Night, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert night.run() == ExitCode.FINDINGS  # a first night, then the file turns read-only
    night.server.clear_log()
    before = night.state.read_bytes()
    read_only = state_database.connect

    with monkeypatch.context() as patched:
        # Tests run as root here, whom chmod does not stop: SQLite opens the file read-only.
        patched.setattr(state_store, "connect", lambda path: read_only(path, read_only=True))
        code = night.run()
    assert code == ExitCode.STATE_REFUSED  # was 70, an internal error
    err = capsys.readouterr().err
    assert f"{night.state}: error: cannot be opened for writing (attempt to write a readonly " in (
        err
    )
    assert "nothing was evaluated and the file was not changed" in err
    assert night.state.read_bytes() == before
    assert night.delivery_ids() == []
    assert night.run() == ExitCode.FINDINGS
    assert night.delivery_ids() == []  # the first night had sent it already


def test_a_read_only_report_directory_still_records_and_alerts_once(
    night: Night, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def read_only(path: str, report: object) -> None:
        raise OSError(30, "Read-only file system")

    with monkeypatch.context() as patched:
        patched.setattr(checker.report.targets, "write_atomically", read_only)
        assert night.run() == ExitCode.USAGE
    err = capsys.readouterr().err
    assert f"the json report was not written to {night.report}: Read-only file system" in err
    assert not night.report.exists()
    night.assert_nothing_lost_nothing_twice()
    assert night.report.exists()
