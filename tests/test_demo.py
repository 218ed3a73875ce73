"""The bundled demo portfolio (rules/ + fixtures/demo/, the default input of `make run`).

The rule files must validate, together use every clause kind, and the demo run as of 2026-11-22
must report breaches, triggers and deadlines for all five agreements, including the findings
below that were worked out by hand from the fact files, and apply the demo waivers
(rules/waivers.yaml): two findings waived, one waiver expired.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.clauses import KINDS
from checker.cli import main
from checker.findings.exit_codes import ExitCode
from checker.rulebook.loading import is_rule_file

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
FACTS = ROOT / "fixtures" / "demo"
AS_OF = "2026-11-22"

AGREEMENTS = {
    "globex-reseller-2025",
    "initech-data-2025",
    "umbrella-codev-2026",
    "hooli-saas-2025",
    "vandelay-consulting-2024",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("demo") / "findings.json"
    code = main(
        [
            "run",
            "--rules",
            str(RULES),
            "--facts",
            str(FACTS),
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--output",
            str(output),
        ]
    )
    document: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    document["exit_code"] = code
    return document


def test_rule_files_validate() -> None:
    assert main(["validate", str(RULES)]) == ExitCode.OK


def test_rule_files_use_every_clause_kind() -> None:
    used: set[str] = set()
    agreements: set[str] = set()
    for path in sorted(p for p in RULES.glob("*.yaml") if is_rule_file(p.name)):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../schema/agreement.schema.json\n")
        document = yaml.safe_load(text)
        agreements.add(document["agreement"])
        used.update(clause["kind"] for clause in document["clauses"])
    assert agreements == AGREEMENTS
    assert set(KINDS) - used == set(), "kinds no demo agreement uses"


def test_demo_exits_1_with_every_fact_accepted(demo: dict[str, Any]) -> None:
    assert demo["exit_code"] == ExitCode.FINDINGS
    assert demo["fact_errors"] == []
    facts = demo["summary"]["facts"]
    assert facts["rejected"] == 0
    assert facts["irrelevant"] > 0  # web visits, CRM notes, other partners' facts


def test_every_agreement_has_findings_of_every_kind_but_error(demo: dict[str, Any]) -> None:
    findings = demo["findings"]
    assert {f["agreement"] for f in findings} == AGREEMENTS
    kinds = {f["kind"] for f in findings}
    assert {"breach", "trigger", "deadline"} <= kinds
    assert "error" not in kinds


# (agreement, clause, code, subject, date), each worked out by hand from fixtures/demo/:
# one per clause kind, plus the renewing term.
HAND_WORKED = [
    # exclusivity: FR joins the territory on 07-01; a direct deal at 07-01T00:00Z is in scope
    ("globex-reseller-2025", "4.1", "exclusivity.forbidden_activity", "crm-d-1006", "2026-07-01"),
    # non_compete: Globex renews datawise for commerzbank in DE; only legacy-bank is carved out
    ("globex-reseller-2025", "7.1", "non_compete.competing_activity", "crm-s-1202", "2026-10-02"),
    # recurring: Q2 50,000+40,000=90,000, Q3 43,000+77,000=120,000, both < 150,000 → a right
    # arising as Q3 ends (it opened the next day, 10-01, before the minimum was a norm)
    ("globex-reseller-2025", "5.1", "recurring.shortfall_right", "5.1:2026-Q3", "2026-09-30"),
    # data_sharing: April transfers 30,000 (04-05) + 32,000 (04-20) = 62,000 records > 50,000
    # monthly cap; dated at the transfer that crossed it, dt-2026-04-b on 04-20 (issue 9)
    ("initech-data-2025", "8.2", "data_sharing.monthly_cap_exceeded", "2026-04", "2026-04-20"),
    # response_time: incident 06-01T10:00Z + 72h = 06-04T10:00Z; notice 06-05T09:00Z is late:
    # the breach is dated at the deadline (06-04), not at the notice
    ("initech-data-2025", "9.3", "response_time.missed", "inc-0102", "2026-06-04"),
    # termination: notice 09-01T09:00Z + 3 months = ends 12-01T09:00Z; + 10 English business
    # days after 12-01 (2-4, 7-11, 14, 15 December) → data return due by the end of 12-15
    ("initech-data-2025", "15", "termination.obligation_due", "data-return", "2026-12-15"),
    # milestones: GA moved from 11-30 to 12-15 by the 06-15 variation; 12-15 ≤ horizon end 12-22
    ("umbrella-codev-2026", "6.2", "milestone.due", "general-availability", "2026-12-15"),
    # beta due 06-30, achieved 07-08T12:00Z (ms-0202): late, so one breach dated at the due date
    # 06-30 (it was milestone.late dated 07-08 before the one time convention); cured within
    # the 30 days after the default notice of 07-03 (to 08-02): no right to terminate
    ("umbrella-codev-2026", "6.2", "milestone.missed", "beta", "2026-06-30"),
    # cap: the Seat Addendum sets 300 from 07-01; 312 seats reported on 10-01 > 300
    ("hooli-saas-2025", "5.2", "cap.exceeded", "bil-u-2026-10", "2026-10-01"),
    # most_favoured: Hooli pays 40 EUR from 10-01; tyrell gets 39.5 EUR on 11-03 → lower
    ("hooli-saas-2025", "6.1", "most_favoured.lower_price_elsewhere", "crm-p-3008", "2026-11-03"),
    # non_solicitation: p-0433 left Vandelay 2025-10-10, restricted through 2025-10-10 + 12 months
    # = 2026-10-10 (whole days); hired 2026-10-09, the day before that last day
    (
        "vandelay-consulting-2024",
        "11.4",
        "non_solicitation.recent_employee_hired",
        "hr-h-0433",
        "2026-10-09",
    ),
    # renegotiation: NPS 28 (Aug), 26 (Sep), 24 (Oct) < 30 three months running → a right
    # arising as October ends (it opened the next day, 11-01, before it was a norm), named after
    # the clause's measure of the NPS
    (
        "vandelay-consulting-2024",
        "9.2",
        "renegotiation.performance_right",
        "9.2:2026-10",
        "2026-10-31",
    ),
    # renewing term: 2024-02-01 + 2y → 2026-01-31, renewed to 2027-01-31; − 60 days = 2026-12-02
    ("vandelay-consulting-2024", "term", "term.non_renewal_notice_due", "2026-12-02", "2026-12-02"),
    # Norms written directly. obligation (our own duty): INC-8 10-02T06:00Z + 72h = 10-05T06:00Z;
    # our notice 10-06T09:00Z is late: the breach is dated at the due date, not at the notice
    ("globex-reseller-2025", "10.2", "obligation.breached", "sec-i-8", "2026-10-05"),
    # INC-9 11-18T22:00Z + 72h = 11-21T22:00Z, before the as-of 11-22; no notice at all
    ("globex-reseller-2025", "10.2", "obligation.breached", "sec-i-9", "2026-11-21"),
    # INC-11 11-21T12:00Z + 72h = 11-24T12:00Z, inside the horizon
    ("globex-reseller-2025", "10.2", "obligation.due", "sec-i-11", "2026-11-24"),
    # measure: October's daily uptime averages (30 × 100 + 95) / 31 = 99.8387 < 99.9
    ("hooli-saas-2025", "9.1", "measure.breached", "2026-10", "2026-10-31"),
    # measure from 08-01, but monitoring exports start 09-01: August cannot be told (unknown)
    ("hooli-saas-2025", "9.1", "measure.no_data", "2026-08", "2026-08-31"),
    # right: the October breach (10-31) opens a service credit claim for 30 days, to 11-30
    ("hooli-saas-2025", "9.2", "right.arisen", "9.1:2026-10", "2026-10-31"),
    ("hooli-saas-2025", "9.2", "right.closing", "9.1:2026-10", "2026-11-30"),
    # prohibition: confidential data forwarded to Rival Analytics
    ("initech-data-2025", "12.4", "prohibition.breached", "fwd-1", "2026-05-12"),
]

# Boundaries that must NOT be findings: (agreement, clause, subject).
COMPLIANT = [
    ("globex-reseller-2025", "4.1", "crm-d-1005"),  # FR deal 06-30T23:59:59Z, before the amendment
    ("globex-reseller-2025", "5.1", "2025-Q4"),  # report on its due date 01-30 (and 180,000 sold)
    ("globex-reseller-2025", "5.1", "2026-Q1"),  # 64,000 + 86,000 = exactly the 150,000 minimum
    ("hooli-saas-2025", "8.1", "2026-02"),  # paid 03-15T23:30Z, the due date
    ("initech-data-2025", "9.3", "inc-0101"),  # notice exactly 72h after the incident
    ("initech-data-2025", "8.2", "2026-08"),  # 30,000 + 20,000 = exactly the 50,000 cap
    ("hooli-saas-2025", "5.2", "bil-u-2026-03"),  # exactly 250 seats
    ("hooli-saas-2025", "5.2", "bil-u-2026-07"),  # 280 seats on the Seat Addendum's first day
    ("hooli-saas-2025", "6.1", "crm-p-3003"),  # the same 42 EUR price is not lower
    ("umbrella-codev-2026", "6.2", "design-spec"),  # achieved on its due date
    # left 2025-07-31: restricted through 2025-07-31 + 12 months = 2026-07-31; hired 2026-08-03
    ("vandelay-consulting-2024", "11.4", "hr-h-0388"),  # hired 12 months and 3 days after leaving
    ("vandelay-consulting-2024", "11.4", "hr-h-0452"),  # hired through a general job advert
    ("globex-reseller-2025", "10.2", "sec-i-7"),  # notice 50 hours after the incident
    ("globex-reseller-2025", "10.2", "sec-i-10"),  # INC-10 affects Initech's data, not Globex's
    ("hooli-saas-2025", "9.1", "2026-09"),  # (29 × 100 + 99.5) / 30 = 99.983 ≥ 99.9
    ("hooli-saas-2025", "9.1", "2026-11"),  # still open, 100 so far: not at risk
    ("initech-data-2025", "12.4", "fwd-2"),  # to Rival Analytics, but public data
    ("initech-data-2025", "12.4", "fwd-3"),  # confidential, but to a non-competitor
]


def _keys(findings: list[dict[str, Any]]) -> set[tuple[str, str, str, str, str]]:
    return {(f["agreement"], f["clause"], f["code"], f["subject"], f["date"]) for f in findings}


@pytest.mark.parametrize("expected", HAND_WORKED, ids=lambda e: f"{e[0]}:{e[1]}:{e[3]}")
def test_hand_worked_finding(demo: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert expected in _keys(demo["findings"])


def test_business_day_findings_record_their_calendar(demo: dict[str, Any]) -> None:
    # Only initech's clause 15 counts a duration in business days (English calendar); its
    # termination.effective finding (3 calendar months) is in the same clause, so it carries it too.
    calendars = {(f["agreement"], f["clause"], f["calendar"]) for f in demo["findings"]}
    assert ("initech-data-2025", "15", "GB-ENG") in calendars
    assert {c for a, clause, c in calendars if (a, clause) != ("initech-data-2025", "15")} == {""}


@pytest.mark.parametrize("boundary", COMPLIANT, ids=lambda e: f"{e[0]}:{e[1]}:{e[2]}")
def test_boundary_is_compliant(demo: dict[str, Any], boundary: tuple[str, str, str]) -> None:
    reported = {(f["agreement"], f["clause"], f["subject"]) for f in demo["findings"]}
    assert boundary not in reported


# The demo waivers (rules/waivers.yaml), worked out by hand as of 2026-11-22:
# (agreement, clause, code, subject, date, waiver id) of each waived finding.
WAIVED = {
    # W-2026-01: the direct Lidl deal of 03-09, subject-specific, active until 2027-03-31
    (
        "globex-reseller-2025",
        "4.1",
        "exclusivity.forbidden_activity",
        "crm-d-1002",
        "2026-03-09",
        "W-2026-01",
    ),
    # W-2026-02: only the late Q2 report (Q2 ends 06-30 + 30 days = due 07-30, filed 08-06), not
    # the Q2 shortfall. A late report is the same breach as a missed one, dated at the due date
    # (it was recurring.late dated 08-06 before the one time convention; the waiver now names
    # recurring.missed)
    ("globex-reseller-2025", "5.1", "recurring.missed", "2026-Q2", "2026-07-30", "W-2026-02"),
}


def test_demo_waivers_set_two_findings_apart(demo: dict[str, Any]) -> None:
    waived = {
        (f["agreement"], f["clause"], f["code"], f["subject"], f["date"], f["waiver"]["id"])
        for f in demo["waivers"]["waived"]
    }
    assert waived == WAIVED
    assert demo["summary"]["waived"] == 2
    reported = _keys(demo["findings"])
    assert not {w[:5] for w in WAIVED} & reported
    # the code-specific waiver leaves the Q2 shortfall (90,000 < 150,000) reported
    assert (
        "globex-reseller-2025",
        "5.1",
        "recurring.shortfall",
        "2026-Q2",
        "2026-06-30",
    ) in reported
    assert demo["waivers"]["unused"] == []


def test_expired_demo_waiver_reports_its_findings_again(demo: dict[str, Any]) -> None:
    # W-2026-03 covered all of Hooli's seat cap (5.2) until 2026-06-30: April 262 and May 255
    # seats > 250, October 312 > 300 (Seat Addendum) are reported again, marked with it.
    [expired] = demo["waivers"]["expired"]
    assert (expired["id"], expired["expires"], expired["findings_reported_again"]) == (
        "W-2026-03",
        "2026-06-30",
        3,
    )
    back = {
        (f["subject"], f["waiver"]["status"]) for f in demo["findings"] if f["waiver"] is not None
    }
    assert back == {
        ("bil-u-2026-04", "expired"),
        ("bil-u-2026-05", "expired"),
        ("bil-u-2026-10", "expired"),
    }
