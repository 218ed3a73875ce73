"""Builders shared by the alert tests: findings, histories, notifications files, a fake clock and
a sleep that only records how long it was asked to wait."""

from __future__ import annotations

import sqlite3
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from checker.alerts import AlertInput, Notifications, Snoozes, load_notifications
from checker.findings.model import Evidence, Finding, FindingKind, Severity
from checker.findings.tracking import Gone, RunHistory, Status, Tracked

NIGHT = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def finding(
    subject: str = "crm-d-1",
    *,
    agreement: str = "globex-reseller-2025",
    clause: str = "4.1",
    title: str = "Exclusive territory",
    kind: FindingKind = FindingKind.BREACH,
    severity: Severity = Severity.HIGH,
    day: date = date(2026, 11, 20),
    message: str | None = None,
    owner: str = "emea-legal",
    evidence: Iterable[Evidence] | None = None,
) -> Finding:
    facts = (
        tuple(evidence)
        if evidence is not None
        else (Evidence(subject, "deal.closed", "2026-11-20T10:00:00Z", "crm.csv:2"),)
    )
    text = message or f"deal.closed {subject} by initech falls inside Globex's exclusive territory"
    return Finding(
        agreement=agreement,
        clause=clause,
        clause_title=title,
        kind=kind,
        code=f"{kind.value}.test",
        severity=severity,
        date=day,
        subject=subject,
        message=text,
        evidence=facts,
        owner=owner,
    )


def deadline(subject: str, due: date, **fields: object) -> Finding:
    return finding(
        subject,
        kind=FindingKind.DEADLINE,
        day=due,
        clause="6.2",
        title="Renewal notice",
        message=f"the renewal notice for {subject} is due on {due}",
        **fields,  # type: ignore[arg-type]
    )


def history(
    findings: Iterable[Finding],
    night: date = NIGHT,
    first_seen: dict[str, date] | None = None,
    resolved: Iterable[Finding] = (),
    stale: Iterable[Finding] = (),
    run_id: int = 1,
) -> RunHistory:
    """Every finding new tonight, unless `first_seen` (by subject) says it was seen earlier."""
    earlier = first_seen or {}
    tracked = {}
    for item in findings:
        seen = earlier.get(item.subject, night)
        status = Status.NEW if seen == night else Status.OPEN
        tracked[item.fingerprint] = Tracked(status, seen, night)
    return RunHistory(
        run_id=run_id,
        previous_as_of=None,
        tracked=tracked,
        resolved=[Gone(item, Tracked(Status.RESOLVED, night, night)) for item in resolved],
        stale=[Gone(item, Tracked(Status.STALE, night, night), "input missing") for item in stale],
    )


def notifications(tmp_path: Path, text: str, name: str = "notifications.yaml") -> Notifications:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_notifications(str(path))


def alert_input(
    found: list[Finding],
    notes: Notifications,
    night: date = NIGHT,
    tracked: RunHistory | None = None,
    waived: Iterable[Finding] = (),
) -> AlertInput:
    waived_prints = {item.fingerprint for item in waived}
    return AlertInput(
        findings=found,
        history=tracked if tracked is not None else history(found, night),
        as_of=night,
        is_waived=lambda item: item.fingerprint in waived_prints,
        snoozes=Snoozes.of(notes, night),
    )


@contextmanager
def database(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection in autocommit mode, as the state store's is, closed on leaving the `with`
    (Python 3.13 warns about a connection left for the garbage collector)."""
    connection = sqlite3.connect(tmp_path / "state.sqlite", isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


class Sleeps:
    """A sleep that waits for nothing and remembers each delay asked for."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def clock() -> datetime:
    return NOW
