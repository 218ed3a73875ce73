"""A clause kind reads its partner's facts under any of the partner's ids, as norms do; and a
notice of non-renewal counts whichever id of whichever party it is sent under. Found by a new
user whose exports name the reseller `GLX-001` (an alias): the monthly report clause reported
every month missed and the non-renewal notice changed nothing. Expectations are worked out by
hand from the dates below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

RULES = """\
agreement: globex-resale
title: Reseller agreement with Globex
parties: {us: acme, partner: {id: globex, aliases: [GLX-001]}}
effective: 2026-01-01
term: {initial: 1y, renews_for: 1y, non_renewal_notice: 90d}
owner: legal
clauses:
  - id: "2"
    title: Monthly sales report by the 10th
    kind: recurring
    period: month
    deliverable: {fact: sales.report, period_field: month}
    due_after_period_end: 10d
"""


def _report(month: str, at: str, who: str = "GLX-001") -> str:
    fact = {"id": f"r-{month}", "type": "sales.report", "at": at, "partner": who, "month": month}
    return json.dumps(fact)


def _run(tmp_path: Path, facts: list[str], as_of: str) -> dict[str, object]:
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / "globex.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "facts.jsonl").write_text("\n".join(facts) + "\n", encoding="utf-8")
    output = tmp_path / "findings.json"
    main(
        [
            "run",
            "--rules",
            str(tmp_path / "rules"),
            "--facts",
            str(tmp_path / "facts.jsonl"),
            "--as-of",
            as_of,
            "--format",
            "json",
            "--output",
            str(output),
            "--no-progress",
        ]
    )
    document: dict[str, object] = json.loads(output.read_text(encoding="utf-8"))
    return document


def _found(document: dict[str, object]) -> set[tuple[str, str, str, str]]:
    findings = document["findings"]
    assert isinstance(findings, list)
    return {(f["clause"], f["code"], f["subject"], f["date"]) for f in findings}


def test_a_kind_reads_the_partner_s_facts_under_its_alias(tmp_path: Path) -> None:
    # January's report on 02-10 (its due day) is in time; February's came 03-11, a day late;
    # March's report (due 04-10) is not there as of 04-15, but the export's latest fact is of
    # 03-11, so whether it came cannot be told: unknown. April's is due 05-10, in the horizon.
    facts = [
        _report("2026-01", "2026-02-10T18:00:00Z"),
        _report("2026-02", "2026-03-11T00:00:00Z"),
    ]
    found = _found(_run(tmp_path, facts, "2026-04-15"))
    assert {f for f in found if f[0] == "2"} == {
        ("2", "recurring.missed", "2026-02", "2026-03-10"),
        ("2", "recurring.unknown", "2026-03", "2026-04-10"),
        ("2", "recurring.due", "2026-04", "2026-05-10"),
    }


@pytest.mark.parametrize("sender", ["GLX-001", "globex", "acme"])
@pytest.mark.parametrize(
    ("sent", "stops"),
    [
        ("2026-10-02T16:00:00Z", True),  # 90 days before 12-31: the last day, in time
        ("2026-10-01T09:00:00Z", True),  # 91 days
        ("2026-10-03T09:00:00Z", False),  # 89 days: too late, the agreement renews
    ],
)
def test_a_notice_of_non_renewal_counts_under_any_id_of_either_party(
    tmp_path: Path, sender: str, sent: str, stops: bool
) -> None:
    notice = {"id": "n-1", "type": "notice.non_renewal", "at": sent, "partner": sender}
    found = _found(_run(tmp_path, [json.dumps(notice)], "2026-12-20"))
    term = {f for f in found if f[0] == "term"}
    # Stopped: the agreement expires at the end of 12-31 (within the 30-day horizon). Renewing:
    # no expiry to report (the notice deadline, 10-02, has passed).
    assert term == ({("term", "term.expires", "2026-12-31", "2026-12-31")} if stops else set())


def test_a_renewing_agreement_is_never_reported_as_expiring(tmp_path: Path) -> None:
    # No notice: as of 09-20 the last day to stop the renewal, 10-02, is within the horizon; as of
    # 12-20 it has passed and the agreement renews: no expiry, nothing about its end.
    before = {f for f in _found(_run(tmp_path, [], "2026-09-20")) if f[0] == "term"}
    assert before == {("term", "term.non_renewal_notice_due", "2026-10-02", "2026-10-02")}
    after = {f for f in _found(_run(tmp_path, [], "2026-12-20")) if f[0] == "term"}
    assert after == set()
