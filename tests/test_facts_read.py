"""Every run reports how many facts each clause read, and warns about a clause that read none
while facts of its types were there (the likely cause: the exports name a party by an id the
agreement does not list, or in a field the catalogue does not give)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

RULES = """\
agreement: acme-2026
title: Acme
parties: {us: northwind, partner: acme}
effective: 2026-01-01
expires: 2027-12-31
owner: legal
clauses:
  - id: "1.1"
    title: No confidential data to competitors
    kind: prohibition
    by: partner
    do: {fact: data.transfer, where: {classification: confidential}}
  - id: "1.2"
    title: Monthly report
    kind: obligation
    by: partner
    when: {each: month}
    do: {fact: report.sent}
    within: 10d
"""

# The transfer export names Acme as ACME-DE, an id the agreement does not list: 1.1 reads none
# of the 2 transfers. The reports name acme: 1.2 reads both.
FACTS = """\
{"id": "t-1", "type": "data.transfer", "at": "2026-02-01T10:00:00Z", "partner": "ACME-DE", "classification": "confidential"}
{"id": "t-2", "type": "data.transfer", "at": "2026-02-02T10:00:00Z", "partner": "ACME-DE", "classification": "public"}
{"id": "r-1", "type": "report.sent", "at": "2026-02-05T10:00:00Z", "partner": "acme"}
{"id": "r-2", "type": "report.sent", "at": "2026-03-05T10:00:00Z", "partner": "acme"}
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "acme.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "facts.jsonl").write_text(FACTS, encoding="utf-8")
    return tmp_path


def _run(workspace: Path, *options: str) -> int:
    return main(
        [
            "run",
            "--rules",
            str(workspace / "rules"),
            "--facts",
            str(workspace / "facts.jsonl"),
            "--as-of",
            "2026-03-20",
            "--workers",
            "1",
            "--no-progress",
            *options,
        ]
    )


def test_json_summary_gives_facts_read_per_clause_and_the_clauses_that_read_none(
    workspace: Path,
) -> None:
    output = workspace / "findings.json"
    _run(workspace, "--format", "json", "--output", str(output))
    summary = json.loads(output.read_text(encoding="utf-8"))["summary"]
    assert summary["facts_read_by_clause"] == [
        {"agreement": "acme-2026", "clause": "1.1", "facts_read": 0},
        {"agreement": "acme-2026", "clause": "1.2", "facts_read": 2},
    ]
    assert summary["clauses_reading_nothing"] == [
        {"agreement": "acme-2026", "clause": "1.1", "facts_of_its_types": {"data.transfer": 2}}
    ]


def test_table_lists_reads_and_warns(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(workspace, "--format", "table")
    lines = capsys.readouterr().out.splitlines()
    assert "Facts read per clause:" in lines
    assert "  acme-2026: 1.1: 0, 1.2: 2" in lines
    assert (
        "Warning: clause 1.1 of acme-2026 read no facts, though the input holds 2 data.transfer: "
        "check that they name a party of the agreement (its ids and aliases) in the field the "
        "fact-type catalogue gives as actor or counterparty." in lines
    )


def test_declaring_the_alias_makes_the_clause_read_them(workspace: Path) -> None:
    rules = workspace / "rules" / "acme.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("partner: acme}", "partner: {id: acme, aliases: [ACME-DE]}}"))
    output = workspace / "findings.json"
    _run(workspace, "--format", "json", "--output", str(output))
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["summary"]["clauses_reading_nothing"] == []
    # Both transfers are Acme's acts now; only the confidential one is a breach.
    assert document["summary"]["facts_read_by_clause"][0]["facts_read"] == 2
    breaches = [(f["clause"], f["subject"]) for f in document["findings"] if f["kind"] == "breach"]
    assert ("1.1", "t-1") in breaches


def test_norms_route_facts_by_party_and_anyone_scopes_take_every_fact() -> None:
    from checker.evaluation.routing import RoutingIndex
    from checker.facts.model import Fact
    from checker.rulebook.agreement import Agreement

    base = {"effective": "2026-01-01", "expires": "2027-12-31", "owner": "legal", "title": "T"}
    acme = Agreement.model_validate(
        {
            **base,
            "agreement": "acme",
            "parties": {"us": "northwind", "partner": {"id": "acme", "aliases": ["ACME-DE"]}},
            "clauses": [
                {
                    "id": "1",
                    "title": "P",
                    "kind": "prohibition",
                    "by": "partner",
                    "do": {"fact": "data.transfer"},
                },
            ],
        }
    )
    scope = Agreement.model_validate(
        {
            **base,
            "agreement": "scope",
            "parties": {"us": "northwind", "partner": "globex"},
            "clauses": [
                {
                    "id": "1",
                    "title": "S",
                    "kind": "prohibition",
                    "by": "anyone",
                    "do": {
                        "fact": "employee.hired",
                        "after": {"fact": "employment.ended", "match_on": ["person"]},
                    },
                },
            ],
        }
    )
    router = RoutingIndex([acme, scope])

    def routed(fact_type: str, partner: str | None) -> set[int]:
        return router.targets(Fact("f", fact_type, 0, partner, {}, "t:1"))

    assert routed("data.transfer", "ACME-DE") == {0}  # an alias of acme's partner
    assert routed("data.transfer", "initech") == set()  # another partner's act
    assert routed("data.transfer", None) == {0}  # our own act, naming no one else
    # Anyone's hires, and anyone's departures (the fact that must come first), for the scope.
    assert routed("employee.hired", "initech") == {1}
    assert routed("employment.ended", "initech") == {1}
