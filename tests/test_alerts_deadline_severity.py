"""Deadlines reach the legal channel of the shipped notifications.example.yaml at its lead times.

A deadline's severity is its clause's `severity` when the rule file sets one, else medium
(checker.findings.model.DEADLINE_SEVERITY): the level the example's legal channel takes. These
tests evaluate a small agreement for real (an automatic renewal with a non-renewal notice, and an
obligation with a due date) and build the digests the example file would send, night by night.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from checker.alerts import Snoozes, load_notifications
from checker.alerts.digest import Digest, ReceiverMemory, build_digests
from checker.dates.timeutil import epoch_of_date
from checker.engine.program import Program
from checker.evaluation.run import run
from checker.findings.model import DEADLINE_SEVERITY, Finding, FindingKind, Severity
from checker.findings.tracking import RunHistory, Status, Tracked
from checker.norms.context import AgreementTerm, ClauseContext

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "notifications.example.yaml"

# Renews for a year at a time unless notice is given 60 days before the end of the term: the
# first term ends on 2026-12-31, so the last day to give notice is 2026-11-01.
RULE_FILE = """\
agreement: acme-services-2025
title: Services from Acme
parties: {us: northwind, partner: acme}
effective: 2025-01-01
term:
  initial: 2y
  renews_for: 1y
  non_renewal_notice: 60d
owner: emea-legal
clauses:
  - id: "7.1"
    title: Security incident notice
    kind: obligation
    by: partner
    to: us
    when: {fact: security.incident}
    do: {fact: security.notice, match_on: [incident]}
    within: 40d
  - id: "7.2"
    title: Breach notice to the regulator
    kind: obligation
    severity: low
    by: partner
    to: us
    when: {fact: security.incident}
    do: {fact: regulator.notice, match_on: [incident]}
    within: 40d
"""
INCIDENT = (
    '{"id": "i1", "type": "security.incident", "at": "2026-09-23T09:00:00Z", '
    '"partner": "acme", "incident": "INC-7"}\n'
)
NOTICE_DUE = date(2026, 11, 1)  # the non-renewal notice deadline
INCIDENT_DUE = date(2026, 11, 2)  # 40 days after the incident


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("deadlines")
    (folder / "rules").mkdir()
    (folder / "rules" / "acme.yaml").write_text(RULE_FILE)
    (folder / "facts.jsonl").write_text(INCIDENT)
    return str(folder / "rules"), str(folder / "facts.jsonl")


def _findings(rules: tuple[str, str], night: date) -> list[Finding]:
    rule_folder, facts = rules
    result = run([rule_folder], [facts], epoch_of_date(night), workers=1)
    with result.findings as spool:
        return list(spool)


def _digests(findings: list[Finding], night: date) -> dict[str, Digest]:
    notifications = load_notifications(str(EXAMPLE))
    tracked = {f.fingerprint: Tracked(Status.NEW, night, night) for f in findings}
    history = RunHistory(1, None, tracked)
    plans = build_digests(
        findings,
        history,
        night,
        notifications.model,
        Snoozes.of(notifications, night),
        lambda _finding: False,
        {name: ReceiverMemory() for name in notifications.model.receivers},
    )
    return {plan.digest.receiver: plan.digest for plan in plans}


def _deadline(findings: list[Finding], code: str) -> Finding:
    [found] = [f for f in findings if f.kind is FindingKind.DEADLINE and f.code == code]
    return found


def test_a_deadline_without_a_clause_severity_is_medium(rules: tuple[str, str]) -> None:
    findings = _findings(rules, NOTICE_DUE - timedelta(days=7))
    assert DEADLINE_SEVERITY is Severity.MEDIUM
    assert _deadline(findings, "term.non_renewal_notice_due").severity is Severity.MEDIUM
    due = [f for f in findings if f.kind is FindingKind.DEADLINE and f.clause == "7.1"]
    assert [f.severity for f in due] == [Severity.MEDIUM]


def test_a_clause_severity_sets_its_deadlines_severity(rules: tuple[str, str]) -> None:
    findings = _findings(rules, NOTICE_DUE - timedelta(days=7))
    due = [f for f in findings if f.kind is FindingKind.DEADLINE and f.clause == "7.2"]
    assert [f.severity for f in due] == [Severity.LOW]


def test_a_rule_file_sets_a_clauses_deadline_severity(tmp_path: Path) -> None:
    """`deadline_severity: high` on 7.2 (whose `severity` is low) makes its deadline high."""
    (tmp_path / "rules").mkdir()
    written = RULE_FILE.replace(
        "    severity: low\n", "    severity: low\n    deadline_severity: high\n"
    )
    assert written != RULE_FILE
    (tmp_path / "rules" / "acme.yaml").write_text(written)
    (tmp_path / "facts.jsonl").write_text(INCIDENT)
    findings = _findings((str(tmp_path / "rules"), str(tmp_path / "facts.jsonl")), INCIDENT_DUE)
    due = [f for f in findings if f.kind is FindingKind.DEADLINE and f.clause == "7.2"]
    assert [f.severity for f in due] == [Severity.HIGH]
    # The regulator's notices (another incident's, the day after the due date) show that feed
    # is complete past the due date: INC-7's notice is missed, a breach of the clause's severity.
    other = (
        '{"id": "r0", "type": "regulator.notice", "at": "2026-11-03T09:00:00Z", '
        '"partner": "acme", "incident": "INC-6"}\n'
    )
    (tmp_path / "facts.jsonl").write_text(INCIDENT + other)
    later = _findings(
        (str(tmp_path / "rules"), str(tmp_path / "facts.jsonl")), INCIDENT_DUE + timedelta(days=2)
    )
    missed = [f for f in later if f.kind is FindingKind.BREACH and f.clause == "7.2"]
    assert [f.severity for f in missed] == [Severity.LOW]


# (days before the deadline, lead time reminded). A run's default 30-day horizon ends with the
# whole of its 30th day ahead, so the 30-day reminder goes out 30 days before the deadline; the
# night before, the deadline is not reported yet.
@pytest.mark.parametrize(("days_left", "lead"), [(30, 30), (7, 7), (1, 1)])
def test_the_example_sends_the_non_renewal_deadline_to_legal_at_each_lead_time(
    rules: tuple[str, str], days_left: int, lead: int
) -> None:
    night = NOTICE_DUE - timedelta(days=days_left)
    findings = _findings(rules, night)
    notice = _deadline(findings, "term.non_renewal_notice_due")
    digests = _digests(findings, night)
    legal = {r.item.fingerprint: r for r in digests["legal"].reminders}
    assert notice.fingerprint in legal
    assert legal[notice.fingerprint].lead_days == lead
    assert legal[notice.fingerprint].days_left == days_left
    # The legal mailbox of the example takes medium and up too.
    assert notice.fingerprint in {r.item.fingerprint for r in digests["legal-email"].reminders}


def test_the_deadline_is_not_reported_31_days_before(rules: tuple[str, str]) -> None:
    findings = _findings(rules, NOTICE_DUE - timedelta(days=31))
    assert [f for f in findings if f.code == "term.non_renewal_notice_due"] == []


def test_the_example_sends_other_deadlines_to_legal_and_respects_a_lower_clause_severity(
    rules: tuple[str, str],
) -> None:
    night = INCIDENT_DUE - timedelta(days=7)
    findings = _findings(rules, night)
    digests = _digests(findings, night)
    reminded = {(r.item.clause, r.lead_days) for r in digests["legal"].reminders}
    assert ("7.1", 7) in reminded  # medium by default: the legal channel takes it
    # Clause 7.2 says `severity: low`: below the legal channel's `min_severity: medium`.
    assert not any(clause == "7.2" for clause, _ in reminded)


@dataclass(frozen=True)
class _Clause:
    """The parts of a clause `ClauseContext.finding` reads."""

    severity: Severity | None = None
    deadline_severity: Severity | None = None
    id: str = "7.1"
    title: str = "Notice"
    default_severity: Severity = Severity.HIGH
    uses_business_days: bool = False


@pytest.mark.parametrize(
    ("clause", "deadline", "breach"),
    [
        (_Clause(), Severity.MEDIUM, Severity.HIGH),
        (_Clause(severity=Severity.LOW), Severity.LOW, Severity.LOW),
        (_Clause(deadline_severity=Severity.HIGH), Severity.HIGH, Severity.HIGH),
        (
            _Clause(severity=Severity.CRITICAL, deadline_severity=Severity.INFO),
            Severity.INFO,
            Severity.CRITICAL,
        ),
    ],
)
def test_a_clause_deadline_severity_comes_first_for_its_deadlines_only(
    clause: _Clause, deadline: Severity, breach: Severity
) -> None:
    """`deadline_severity`, where a clause kind has one, sets its deadlines' severity; then the
    clause's `severity`; then medium. Breaches keep the clause's severity or the kind's default."""
    context = ClauseContext(
        agreement_id="acme-services-2025",
        partner="acme",
        owner="emea-legal",
        clause=clause,  # type: ignore[arg-type]
        index=0,
        term=AgreementTerm(0, 1, "expiry"),
        as_of=0,
        horizon_end=0,
        program=Program("acme-services-2025"),
    )
    day = date(2026, 11, 1)
    made = context.finding(FindingKind.DEADLINE, "x.due", day, "s", "due")
    assert made.severity is deadline
    assert context.finding(FindingKind.BREACH, "x.missed", day, "s", "missed").severity is breach
