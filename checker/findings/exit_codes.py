"""The exit-code contract, decided in one small function."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from checker.findings.model import FindingKind


class ExitCode(IntEnum):
    OK = 0  # ran, nothing at or above the fail-on level
    FINDINGS = 1  # breaches (or findings at/above --fail-on)
    USAGE = 2  # bad command line
    INVALID_RULES = 3  # rule files could not be loaded
    INVALID_FACTS = 4  # fact input unreadable or had bad lines (after reporting them)
    DELIVERY_FAILED = 5  # alerts could not be delivered
    STATE_REFUSED = 6  # --state file in use by another run, newer, past this night, or not updated
    # A failure no command foresaw (a bug): sysexits' EX_SOFTWARE, well apart from the codes above
    # so that no scheduler takes it for findings.
    INTERNAL_ERROR = 70


FAIL_ON_CHOICES = ("breach", "trigger", "unknown", "deadline", "error", "never")


def exit_code(
    findings_by_kind: Mapping[str, int],
    fact_errors: int,
    fail_on: str = "breach",
    delivery_failed: bool = False,
) -> ExitCode:
    """0, 1, 4 or 5 for a completed run.

    `fail_on` names the least urgent kind that fails the run: "breach" fails on breaches and errors,
    "trigger" also on triggers, "unknown" also on unknown findings (the data that would decide
    them is not there), "deadline" on any finding, "error" only on errors, "never" never.
    Errors (agreements that could not be evaluated) always fail unless "never": fail closed.
    Unknown findings do not fail a run by default: they are neither compliant nor breaches, and
    a late feed is not a broken contract; reports list them apart and `--fail-on unknown` makes
    them count.
    `findings_by_kind` counts the findings reported as such: findings set apart by an active
    waiver are left out (they never fail a run), and errors are never waived (checker.rulebook.waivers).
    Bad fact lines take precedence: they mean the findings rest on incomplete input. Then
    `delivery_failed` (with --notify: an alert failed for good, or is still waiting after its
    retries): someone must act for chat to be told, whatever the findings.
    """
    if fact_errors:
        return ExitCode.INVALID_FACTS
    if delivery_failed:
        return ExitCode.DELIVERY_FAILED
    failing = {
        "breach": {FindingKind.ERROR, FindingKind.BREACH},
        "trigger": {FindingKind.ERROR, FindingKind.BREACH, FindingKind.TRIGGER},
        "unknown": {
            FindingKind.ERROR,
            FindingKind.BREACH,
            FindingKind.TRIGGER,
            FindingKind.UNKNOWN,
        },
        "deadline": set(FindingKind),
        "error": {FindingKind.ERROR},
        "never": set(),
    }[fail_on]
    if any(findings_by_kind.get(kind.value, 0) for kind in failing):
        return ExitCode.FINDINGS
    return ExitCode.OK
