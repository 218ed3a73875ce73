"""`run --notify FILE [--dry-run]`: the command line's side of the alerts.

Before anything is evaluated, `prepare` checks the options (`--notify` needs `--state`, whose
history says what is new; `--dry-run` needs `--notify`) and loads the notifications file, so a
mistake in it stops the run at once (exit 3, every problem positioned) rather than after a night's
evaluation. After the reports are written, `RunAlerts.send` notifies (or, with `--dry-run`, prints
what would be sent on stderr, leaving stdout to the report) and says whether a delivery failed:
exit code 5.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO

from checker.alerts.notifications_loading import Notifications, load_notifications
from checker.alerts.notify import AlertInput, dry_run, notify
from checker.alerts.snoozes import Snoozes
from checker.common.diagnostics import InputError
from checker.dates.timeutil import date_of_epoch
from checker.evaluation.run import RunResult
from checker.findings.exit_codes import ExitCode
from checker.state import StateStore


@dataclass(slots=True)
class RunAlerts:
    notifications: Notifications
    snoozes: Snoozes
    dry_run: bool

    def mark(self, result: RunResult) -> None:
        """Let the reports mark snoozed findings (they stay in every report)."""
        result.snoozes = self.snoozes

    def send(
        self,
        result: RunResult,
        store: StateStore,
        stderr: TextIO | None = None,
        quiet: bool = False,
    ) -> bool:
        """Notify (or show what would be sent); True when a delivery failed or is pending.
        `quiet`: no snooze warnings, and the tallies only when a delivery failed."""
        stderr = stderr or sys.stderr
        current = store.current_run
        if result.history is None or current is None:
            print(
                "alerts: not sent: the run could not be recorded in the state file, so what is "
                "new cannot be told; they are sent by the next run that is recorded",
                file=stderr,
            )
            return False
        run = AlertInput(
            findings=result.findings,
            history=result.history,
            as_of=current.night,
            is_waived=lambda finding: result.waivers.decide(finding).waived,
            snoozes=self.snoozes,
        )
        if self.dry_run:
            stderr.write(dry_run(run, self.notifications, store.connection, os.environ))
            report_lines: list[str] = []
            failed = False
        else:
            report = notify(run, self.notifications, store.connection, current.id, os.environ)
            report_lines = report.lines()
            failed = report.delivery_failed
        for warning in [] if quiet else self.snoozes.warnings():
            print(warning.render(), file=stderr)
        for line in [] if quiet and not failed else report_lines:
            print(line, file=stderr)
        return failed


def prepare(
    notify_path: str | None,
    dry_run_only: bool,
    state_path: str | None,
    as_of: int,
    stderr: TextIO | None = None,
) -> RunAlerts | ExitCode | None:
    """The run's alerts, None without --notify, or the exit code of a mistake (printed)."""
    stderr = stderr or sys.stderr
    if notify_path is None:
        if dry_run_only:
            print(
                "contract-checker run: --dry-run shows the alerts --notify would send: give "
                "--notify FILE too, e.g. '--notify notifications.yaml --dry-run'",
                file=stderr,
            )
            return ExitCode.USAGE
        return None
    if state_path is None:
        print(
            "contract-checker run: --notify needs --state FILE: alerts say what is new, open and "
            "resolved since the last run, which only the state file remembers, e.g. "
            "'--state state.sqlite --notify notifications.yaml'",
            file=stderr,
        )
        return ExitCode.USAGE
    try:
        notifications = load_notifications(notify_path)
    except InputError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.render(), file=stderr)
        print(
            f"{len(error.diagnostics)} problem(s) in the notifications file; nothing evaluated.",
            file=stderr,
        )
        return ExitCode.INVALID_RULES
    snoozes = Snoozes.of(notifications, date_of_epoch(as_of))
    return RunAlerts(notifications, snoozes, dry_run_only)
