"""State across runs (`run --state`): nights of changing fact files give new, open, resolved and
stale findings as worked out by hand; reruns, overlapping runs, crashes and newer files."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.dates.timeutil import parse_instant
from checker.evaluation import run as run_module
from checker.evaluation import workers as parallel
from checker.evaluation.evaluate import AgreementResult, error_finding, evaluate_agreement
from checker.evaluation.run import run
from checker.facts.completeness import Completeness
from checker.facts.model import Fact
from checker.findings.exit_codes import ExitCode
from checker.findings.model import Finding, FindingKind, Severity
from checker.norms.parties import FactParties
from checker.rulebook.agreement import Agreement
from checker.state import StateError, StateStore, recording

ACME = """\
agreement: acme-resale
title: Reseller agreement with Acme
partner: acme
effective: 2025-01-01
expires: 2027-12-31
owner: emea-legal
clauses:
  - id: "4.1"
    title: Exclusive territory Germany
    kind: exclusivity
    territory: [DE]
    forbids:
      - {fact: deal.closed, where: {channel: direct}}
  - id: "4.2"
    title: Exclusive territory Austria
    kind: exclusivity
    territory: [AT]
    forbids:
      - {fact: deal.closed, where: {channel: direct}}
"""

# The same agreement after an amendment took clause 4.2 out.
ACME_WITHOUT_4_2 = ACME[: ACME.index('  - id: "4.2"')]

BOLT = """\
agreement: bolt-resale
title: Reseller agreement with Bolt
partner: bolt
effective: 2025-01-01
expires: 2027-12-31
owner: emea-legal
clauses:
  - id: "2.1"
    title: Exclusive territory France
    kind: exclusivity
    territory: [FR]
    forbids:
      - {fact: deal.closed, where: {channel: direct}}
"""

# Direct deals by us: each breaches the exclusivity of the territory it was closed in.
D1_DE = {"id": "d1", "type": "deal.closed", "at": "2026-02-10", "partner": "us", "territory": "DE", "channel": "direct"}  # fmt: skip
D1_CORRECTED = {**D1_DE, "channel": "partner"}  # the CRM corrected it: sold through Acme
D2_FR = {"id": "d2", "type": "deal.closed", "at": "2026-02-11", "partner": "us", "territory": "FR", "channel": "direct"}  # fmt: skip
D2_CORRECTED = {**D2_FR, "channel": "partner"}
D3_AT = {"id": "d3", "type": "deal.closed", "at": "2026-02-28", "partner": "us", "territory": "AT", "channel": "direct"}  # fmt: skip


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two findings a page, so that every paged loop of the store runs over several pages."""
    monkeypatch.setattr(recording, "PAGE_SIZE", 2)


@dataclass
class Night:
    """What one recorded night says, by finding subject (fact id, or the failed agreement)."""

    run_id: int
    previous_as_of: str | None
    statuses: dict[str, tuple[str, str, str]]  # subject -> status, first seen, last seen
    resolved: dict[str, tuple[str, str]]  # subject -> first seen, last seen
    stale: dict[str, str]  # subject -> why not resolved


class Workspace:
    """A rules folder, a facts folder and a state file in tmp_path."""

    def __init__(self, root: Path) -> None:
        self.rules = root / "rules"
        self.facts = root / "exports"
        self.rules.mkdir()
        self.facts.mkdir()
        self.state = str(root / "state.sqlite")
        self.write_rules(acme=ACME, bolt=BOLT)

    def write_rules(self, **agreements: str | None) -> None:
        for name, text in agreements.items():
            path = self.rules / f"{name}.yaml"
            if text is None:
                path.unlink()
            else:
                path.write_text(text)

    def write_facts(self, name: str, *facts: dict[str, object]) -> Path:
        path = self.facts / name
        path.write_text("".join(json.dumps(fact) + "\n" for fact in facts))
        return path

    def night(self, as_of: str, facts: str | None = None) -> Night:
        """Run and record the night of `as_of` over the current rule and fact files (the facts
        folder named as `facts` says, by default by its absolute path)."""
        instant = parse_instant(as_of)
        clock = _clock(f"{as_of}T02:00:00+00:00")
        facts_path = str(self.facts) if facts is None else facts
        with StateStore.open(self.state, clock=clock) as store:
            store.begin_run(instant, 30)
            with run([str(self.rules)], [facts_path], instant, workers=1) as result:
                history = store.record(result)
                statuses = {}
                for finding in result.findings:
                    tracked = history.tracked[finding.fingerprint]
                    statuses[finding.subject] = (
                        tracked.status.value,
                        tracked.first_seen.isoformat(),
                        tracked.last_seen.isoformat(),
                    )
            store.finish_run(0)
        return Night(
            run_id=history.run_id,
            previous_as_of=history.previous_as_of.isoformat() if history.previous_as_of else None,
            statuses=statuses,
            resolved={
                gone.finding.subject: (
                    gone.tracked.first_seen.isoformat(),
                    gone.tracked.last_seen.isoformat(),
                )
                for gone in history.resolved
            },
            stale={gone.finding.subject: gone.reason for gone in history.stale},
        )

    def query(self, sql: str, *parameters: object) -> list[tuple[object, ...]]:
        connection = sqlite3.connect(self.state)
        try:
            return connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()


def _clock(moment: str) -> Callable[[], datetime]:
    fixed = datetime.fromisoformat(moment)
    return lambda: fixed


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


# --- nights -----------------------------------------------------------------------------------


def test_three_nights_show_new_then_open_then_resolved(workspace: Workspace) -> None:
    workspace.write_facts("crm.jsonl", D1_DE, D2_FR)
    first = workspace.night("2026-03-01")
    assert first.previous_as_of is None
    assert first.statuses == {
        "d1": ("new", "2026-03-01", "2026-03-01"),
        "d2": ("new", "2026-03-01", "2026-03-01"),
    }
    assert (first.resolved, first.stale) == ({}, {})

    workspace.write_facts("crm.jsonl", D1_DE, D2_FR, D3_AT)
    second = workspace.night("2026-03-02")
    assert second.previous_as_of == "2026-03-01"
    assert second.statuses == {
        "d1": ("open", "2026-03-01", "2026-03-02"),
        "d2": ("open", "2026-03-01", "2026-03-02"),
        "d3": ("new", "2026-03-02", "2026-03-02"),
    }

    workspace.write_facts("crm.jsonl", D1_CORRECTED, D2_FR, D3_AT)
    third = workspace.night("2026-03-03")
    assert third.previous_as_of == "2026-03-02"
    assert third.statuses == {
        "d2": ("open", "2026-03-01", "2026-03-03"),
        "d3": ("open", "2026-03-02", "2026-03-03"),
    }
    assert third.resolved == {"d1": ("2026-03-01", "2026-03-02")}
    assert third.stale == {}
    # Each night is one row of runs with its counts: 2 new; 2 open + 1 new; 2 open, 1 resolved.
    assert workspace.query(
        "SELECT id, night, outcome, exit_code, breach, new, open, resolved, stale FROM runs"
    ) == [
        (1, "2026-03-01", "completed", 0, 2, 2, 0, 0, 0),
        (2, "2026-03-02", "completed", 0, 3, 1, 2, 0, 0),
        (3, "2026-03-03", "completed", 0, 2, 0, 2, 1, 0),
    ]
    # The resolved finding keeps its last report, so it can still be shown.
    ((status, text),) = workspace.query("SELECT status, finding FROM findings WHERE subject = 'd1'")
    assert status == "resolved"
    assert json.loads(str(text))["evidence"][0]["source"].endswith("crm.jsonl:1")


def test_a_resolved_finding_that_comes_back_is_new_again(workspace: Workspace) -> None:
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-01")
    workspace.write_facts("crm.jsonl", D1_CORRECTED)
    assert workspace.night("2026-03-02").resolved == {"d1": ("2026-03-01", "2026-03-01")}
    workspace.write_facts("crm.jsonl", D1_DE)  # the correction was itself a mistake
    assert workspace.night("2026-03-03").statuses == {"d1": ("new", "2026-03-03", "2026-03-03")}
    assert workspace.night("2026-03-04").statuses == {"d1": ("open", "2026-03-03", "2026-03-04")}


def bolt_stops(
    subject: Agreement,
    facts: Sequence[Fact],
    as_of: int,
    horizon_end: int,
    fact_parties: FactParties,
    completeness: Completeness | None = None,
) -> AgreementResult:
    """Evaluation in which the engine stops on agreement bolt-resale (workers get it by name)."""
    if subject.agreement == "bolt-resale":
        failure = error_finding(subject, None, "could not be evaluated: the engine stopped", as_of)
        return AgreementResult(subject.agreement, [failure], errors=["the engine stopped"])
    return evaluate_agreement(subject, facts, as_of, horizon_end, fact_parties, completeness)


def acme_clause_4_2_fails(
    subject: Agreement,
    facts: Sequence[Fact],
    as_of: int,
    horizon_end: int,
    fact_parties: FactParties,
    completeness: Completeness | None = None,
) -> AgreementResult:
    """Evaluation in which clause 4.2 of acme-resale cannot be compiled (workers get it by name)."""
    result = evaluate_agreement(subject, facts, as_of, horizon_end, fact_parties, completeness)
    if subject.agreement == "acme-resale":
        clause = next(c for c in subject.clauses if c.id == "4.2")
        kept = [f for f in result.findings if f.clause != "4.2"]
        kept.append(error_finding(subject, clause, "could not be compiled: test", as_of))
        result.findings = kept
    return result


def _evaluate_with(monkeypatch: pytest.MonkeyPatch, evaluate: parallel.Evaluate) -> None:
    real = parallel.evaluate_in_workers

    def evaluate_in_workers(*args: object, **kwargs: object) -> Iterator[AgreementResult]:
        return real(*args, **kwargs, evaluate=evaluate)  # type: ignore[arg-type]

    monkeypatch.setattr(run_module, "evaluate_in_workers", evaluate_in_workers)


def test_a_failed_agreement_leaves_its_findings_stale_not_resolved(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE, D2_FR)
    workspace.night("2026-03-01")

    _evaluate_with(monkeypatch, bolt_stops)
    second = workspace.night("2026-03-02")
    # d2 is not reported, but only because Bolt's agreement was not evaluated.
    assert second.statuses == {
        "d1": ("open", "2026-03-01", "2026-03-02"),
        "bolt-resale": ("new", "2026-03-02", "2026-03-02"),  # the error finding
    }
    assert second.resolved == {}
    assert second.stale == {"d2": "agreement bolt-resale could not be evaluated completely tonight"}

    _evaluate_with(monkeypatch, evaluate_agreement)  # the engine works again
    third = workspace.night("2026-03-03")
    assert third.statuses == {
        "d1": ("open", "2026-03-01", "2026-03-03"),
        "d2": ("open", "2026-03-01", "2026-03-03"),  # stale, then seen again: open, not new
    }
    assert third.resolved == {"bolt-resale": ("2026-03-02", "2026-03-02")}
    assert third.stale == {}


def test_a_failed_clause_leaves_every_finding_of_its_agreement_stale(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE, D3_AT)
    workspace.night("2026-03-01")
    # Tonight d1 was corrected, and clause 4.2 (which d3 breached) could not be compiled.
    workspace.write_facts("crm.jsonl", D1_CORRECTED, D3_AT)
    _evaluate_with(monkeypatch, acme_clause_4_2_fails)
    second = workspace.night("2026-03-02")
    assert second.statuses == {"4.2": ("new", "2026-03-02", "2026-03-02")}
    assert second.resolved == {}
    reason = "agreement acme-resale could not be evaluated completely tonight"
    assert second.stale == {"d1": reason, "d3": reason}


def test_a_missing_input_file_leaves_its_findings_stale(workspace: Workspace) -> None:
    workspace.write_facts("de.jsonl", D1_DE)
    france = workspace.write_facts("fr.jsonl", D2_FR)
    workspace.night("2026-03-01")

    france.unlink()  # tonight's export of French deals did not arrive
    second = workspace.night("2026-03-02")
    assert second.statuses == {"d1": ("open", "2026-03-01", "2026-03-02")}
    assert second.resolved == {}
    assert second.stale == {
        "d2": f"its evidence file {workspace.facts}/fr.jsonl was not among tonight's inputs"
    }

    workspace.write_facts("fr.jsonl", D2_CORRECTED)  # back, and the deal was corrected
    third = workspace.night("2026-03-03")
    assert third.statuses == {"d1": ("open", "2026-03-01", "2026-03-03")}
    assert third.resolved == {"d2": ("2026-03-01", "2026-03-01")}  # last seen on the first night
    assert third.stale == {}


def test_a_rejected_line_in_an_evidence_file_leaves_its_findings_stale(
    workspace: Workspace,
) -> None:
    workspace.write_facts("fr.jsonl", D2_FR)
    workspace.night("2026-03-01")
    (workspace.facts / "fr.jsonl").write_text('{"id": "d2", "type": "deal.closed", "at": \n')
    second = workspace.night("2026-03-02")
    assert second.statuses == {}
    assert second.stale == {
        "d2": f"its evidence file {workspace.facts}/fr.jsonl had 1 rejected line tonight"
    }
    assert workspace.query("SELECT path, rejected_lines FROM run_inputs WHERE run_id = 2") == [
        (f"{workspace.facts}/fr.jsonl", 1)
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [("relative", "absolute"), ("absolute", "relative"), ("relative", "symlink")],
)
def test_inputs_named_relatively_one_night_and_absolutely_the_next_are_the_same(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, first: str, second: str
) -> None:
    """Issue 10: the same inputs named by a relative path one night and an absolute path the
    next made every finding that went away stale ("its evidence file ... was not among
    tonight's inputs") instead of resolved."""
    root = workspace.facts.parent
    monkeypatch.chdir(root)
    (root / "linked").symlink_to(workspace.facts, target_is_directory=True)
    named = {"relative": "exports", "absolute": str(workspace.facts), "symlink": "linked"}
    workspace.write_facts("crm.jsonl", D1_DE, D2_FR)
    assert set(workspace.night("2026-03-01", facts=named[first]).statuses) == {"d1", "d2"}
    workspace.write_facts("crm.jsonl", D1_DE, D2_CORRECTED)
    second_night = workspace.night("2026-03-02", facts=named[second])
    assert second_night.stale == {}
    assert second_night.resolved == {"d2": ("2026-03-01", "2026-03-01")}
    assert second_night.statuses == {"d1": ("open", "2026-03-01", "2026-03-02")}
    # Recorded in one canonical form, whatever the command line said.
    canonical = os.path.realpath(workspace.facts / "crm.jsonl")
    assert workspace.query("SELECT run_id, path FROM run_inputs ORDER BY run_id") == [
        (1, canonical),
        (2, canonical),
    ]


def test_a_removed_clause_or_agreement_leaves_its_findings_stale(workspace: Workspace) -> None:
    workspace.write_facts("crm.jsonl", D1_DE, D2_FR, D3_AT)
    workspace.night("2026-03-01")
    workspace.write_rules(acme=ACME_WITHOUT_4_2, bolt=None)
    second = workspace.night("2026-03-02")
    assert second.statuses == {"d1": ("open", "2026-03-01", "2026-03-02")}
    assert second.resolved == {}
    assert second.stale == {
        "d3": "clause 4.2 is no longer in agreement acme-resale",
        "d2": "agreement bolt-resale is no longer in the rules",
    }
    # The rules version changed: one rule file, with other bytes.
    expected = hashlib.sha256(hashlib.sha256(ACME_WITHOUT_4_2.encode()).hexdigest().encode())
    assert workspace.query("SELECT rule_files, rules_digest FROM runs WHERE id = 2") == [
        (1, expected.hexdigest())
    ]


# Tonight's CRM feed runs only to 2026-02-09: whether d1 (a deal of 2026-02-10) breaches clause
# 4.1 is unknown. A norm will report this; here the evaluation is replaced by hand.
D1_UNKNOWN = "cannot tell about deal d1: the crm feed runs only to 2026-02-09"


def acme_d1_unknown(
    subject: Agreement, facts: Sequence[Fact], as_of: int, horizon_end: int, *more: Any
) -> AgreementResult:
    """Evaluation in which acme-resale's finding about d1 is unknown instead (same agreement,
    clause and subject; another kind, so another fingerprint)."""
    result = evaluate_agreement(subject, facts, as_of, horizon_end, *more)
    if subject.agreement == "acme-resale":
        result.findings = [
            replace(f, kind=FindingKind.UNKNOWN, code="exclusivity.unknown", message=D1_UNKNOWN)
            if f.subject == "d1"
            else f
            for f in result.findings
        ]
    return result


def acme_march_unknown(
    subject: Agreement, facts: Sequence[Fact], as_of: int, horizon_end: int, *more: Any
) -> AgreementResult:
    """Evaluation that adds an unknown finding about another subject of clause 4.1 (March)."""
    result = evaluate_agreement(subject, facts, as_of, horizon_end, *more)
    if subject.agreement == "acme-resale":
        unknown = Finding(
            agreement="acme-resale",
            clause="4.1",
            clause_title="Exclusive territory Germany",
            kind=FindingKind.UNKNOWN,
            code="exclusivity.unknown",
            severity=Severity.HIGH,
            date=date(2026, 3, 2),
            subject="2026-03",
            message="cannot tell about deals in March: the crm feed runs only to 2026-02-28",
        )
        result.findings = [*result.findings, unknown]
    return result


def test_a_breach_that_becomes_unknown_is_stale_and_comes_back_open(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE, D2_FR)
    workspace.night("2026-03-01")

    _evaluate_with(monkeypatch, acme_d1_unknown)
    second = workspace.night("2026-03-02")
    # The breach about d1 is not reported tonight, and its evidence file is there: without the
    # unknown finding it would be resolved. The unknown finding is new (a finding of its own).
    assert second.statuses == {
        "d1": ("new", "2026-03-02", "2026-03-02"),  # the unknown finding
        "d2": ("open", "2026-03-01", "2026-03-02"),
    }
    assert second.resolved == {}
    assert second.stale == {"d1": f"it is unknown tonight: {D1_UNKNOWN}"}

    _evaluate_with(monkeypatch, evaluate_agreement)  # the feed is complete again
    third = workspace.night("2026-03-03")
    assert third.statuses == {
        "d1": ("open", "2026-03-01", "2026-03-03"),  # the breach: open since night 1, not new
        "d2": ("open", "2026-03-01", "2026-03-03"),
    }
    assert third.resolved == {"d1": ("2026-03-02", "2026-03-02")}  # the unknown finding
    assert third.stale == {}
    assert workspace.query(
        "SELECT kind, status, first_seen_night FROM findings WHERE subject = 'd1' ORDER BY kind"
    ) == [("breach", "open", "2026-03-01"), ("unknown", "resolved", "2026-03-02")]
    # Each run counts its unknown findings apart from its breaches.
    assert workspace.query("SELECT night, breach, unknown, stale FROM runs ORDER BY id") == [
        ("2026-03-01", 2, 0, 0),
        ("2026-03-02", 1, 1, 1),
        ("2026-03-03", 2, 0, 0),
    ]
    capsys.readouterr()
    assert main(["state", "--state", workspace.state]) == 0
    out = capsys.readouterr().out
    assert "breach / trigger / deadline / error / unknown / waived" in out
    second_run = next(line for line in out.splitlines() if line.startswith("2 "))
    assert "1 / 0 / 0 / 0 / 1 / 0" in second_run


def test_an_unknown_finding_about_another_subject_does_not_stop_a_resolution(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-01")
    workspace.write_facts("crm.jsonl", D1_CORRECTED)  # d1 was sold through Acme after all
    _evaluate_with(monkeypatch, acme_march_unknown)
    second = workspace.night("2026-03-02")
    assert second.statuses == {"2026-03": ("new", "2026-03-02", "2026-03-02")}
    assert second.resolved == {"d1": ("2026-03-01", "2026-03-01")}
    assert second.stale == {}


def test_every_run_records_its_inputs_rules_version_counts_and_wall_time(
    workspace: Workspace,
) -> None:
    crm = workspace.write_facts("crm.jsonl", D1_DE, D2_FR)
    workspace.night("2026-03-01")
    content = crm.read_bytes()
    assert workspace.query("SELECT run_id, position, path, size, digest FROM run_inputs") == [
        (1, 0, str(crm), len(content), hashlib.sha256(content).hexdigest())
    ]
    file_digests = sorted(hashlib.sha256(text.encode()).hexdigest() for text in (ACME, BOLT))
    rules_digest = hashlib.sha256("\n".join(file_digests).encode()).hexdigest()
    no_waivers = hashlib.sha256(b"").hexdigest()
    assert workspace.query(
        "SELECT as_of, started_at, finished_at, pid, rules_digest, rule_files, waivers_digest,"
        " waiver_files, agreements, clauses, facts_read, facts_accepted, breach, trigger,"
        " deadline, error, waived FROM runs"
    ) == [
        (
            "2026-03-01T00:00:00Z",
            "2026-03-01 02:00:00 UTC",
            "2026-03-01 02:00:00 UTC",
            os.getpid(),
            rules_digest,
            2,
            no_waivers,
            0,
            2,
            3,
            2,
            2,
            2,
            0,
            0,
            0,
            0,
        )
    ]


# --- reruns ------------------------------------------------------------------------------------


def test_rerunning_a_night_is_idempotent(workspace: Workspace) -> None:
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-01")
    workspace.write_facts("crm.jsonl", D1_DE, D3_AT)
    second = workspace.night("2026-03-02")
    expected = {
        "d1": ("open", "2026-03-01", "2026-03-02"),
        "d3": ("new", "2026-03-02", "2026-03-02"),
    }
    assert second.statuses == expected
    rerun = workspace.night("2026-03-02")
    assert rerun.statuses == expected  # d3 stays new, d1 is not "open since the rerun"
    assert rerun.previous_as_of == "2026-03-01"

    # A rerun with other facts replaces the night; rerunning with the first facts puts it back.
    workspace.write_facts("crm.jsonl", D1_CORRECTED, D3_AT)
    corrected = workspace.night("2026-03-02")
    assert corrected.statuses == {"d3": ("new", "2026-03-02", "2026-03-02")}
    assert corrected.resolved == {"d1": ("2026-03-01", "2026-03-01")}
    workspace.write_facts("crm.jsonl", D1_DE, D3_AT)
    again = workspace.night("2026-03-02")
    assert again.statuses == expected
    assert again.resolved == {}

    assert workspace.query(
        "SELECT id, night, superseded_by, new, open, resolved, stale FROM runs"
    ) == [
        (1, "2026-03-01", None, 1, 0, 0, 0),
        (2, "2026-03-02", 3, 1, 1, 0, 0),
        (3, "2026-03-02", 4, 1, 1, 0, 0),
        (4, "2026-03-02", 5, 1, 0, 1, 0),
        (5, "2026-03-02", None, 1, 1, 0, 0),
    ]
    # Nothing double-counted: one row per finding, seen first on nights 1 and 2.
    assert workspace.query(
        "SELECT subject, status, first_seen_run, last_seen_run FROM findings ORDER BY subject"
    ) == [("d1", "open", 1, 5), ("d3", "new", 5, 5)]


def test_rerunning_a_night_keeps_what_it_resolved_and_made_stale(workspace: Workspace) -> None:
    workspace.write_facts("de.jsonl", D1_DE)
    workspace.write_facts("fr.jsonl", D2_FR)
    workspace.night("2026-03-01")
    workspace.write_facts("de.jsonl", D1_CORRECTED)
    (workspace.facts / "fr.jsonl").unlink()
    for _ in range(2):
        night = workspace.night("2026-03-02")
        assert night.statuses == {}
        assert night.resolved == {"d1": ("2026-03-01", "2026-03-01")}
        assert night.stale == {
            "d2": f"its evidence file {workspace.facts}/fr.jsonl was not among tonight's inputs"
        }
    assert workspace.query("SELECT resolved, stale FROM runs WHERE night = '2026-03-02'") == [
        (1, 1),
        (1, 1),
    ]


def test_an_earlier_night_after_a_later_one_is_refused(workspace: Workspace) -> None:
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-02")
    with StateStore.open(workspace.state) as store, pytest.raises(StateError) as refused:
        store.begin_run(parse_instant("2026-03-01"), 30)
    message = refused.value.render()
    assert message.startswith(f"{workspace.state}: error: already holds a later night: run 1")
    assert "this run is as of 2026-03-01" in message
    assert "help: to see an earlier night again, run without --state" in message
    # Nothing was recorded, and a later instant of the latest night is still a rerun of it.
    assert workspace.query("SELECT count(*) FROM runs") == [(1,)]
    with StateStore.open(workspace.state) as store:
        assert store.begin_run(parse_instant("2026-03-02T12:00:00Z"), 30).night.isoformat() == (
            "2026-03-02"
        )


def test_a_crash_while_recording_leaves_the_previous_state(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-01")
    before = workspace.query("SELECT * FROM findings")

    def disk_fails(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    settle_gone = recording._settle_gone
    monkeypatch.setattr(recording, "_settle_gone", disk_fails)
    workspace.write_facts("crm.jsonl", D1_DE, D3_AT)
    with pytest.raises(
        StateError, match=r"could not record this run \(disk I/O error\); the state"
    ):
        workspace.night("2026-03-02")
    assert workspace.query("SELECT * FROM findings") == before
    assert workspace.query("SELECT id, outcome, new FROM runs") == [
        (1, "completed", 1),
        (2, "interrupted", None),
    ]
    monkeypatch.setattr(recording, "_settle_gone", settle_gone)
    assert workspace.night("2026-03-02").statuses == {
        "d1": ("open", "2026-03-01", "2026-03-02"),
        "d3": ("new", "2026-03-02", "2026-03-02"),
    }


def _damage_an_index(path: str) -> None:
    """Overwrite the cell pointers of the findings_by_status index's root page, as a torn write
    or a bad sector would: the tables still open, `PRAGMA quick_check` finds the damage."""
    connection = sqlite3.connect(path)
    try:
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'findings_by_status'"
        ).fetchone()
    finally:
        connection.close()
    data = bytearray(Path(path).read_bytes())
    offset = page_size * (root - 1)
    data[offset + 8 : offset + 40] = b"\x00\x07" * 16
    Path(path).write_bytes(data)


def test_a_damaged_state_file_is_refused_before_anything_is_written(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10: a state file with corrupt pages was written to. Now `PRAGMA quick_check` runs
    before any write; the run stops with exit code 6, says how to recover, and leaves the file
    as it was."""
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-01")
    _damage_an_index(workspace.state)
    damaged = Path(workspace.state).read_bytes()
    code = _cli_run(workspace, "2026-03-02")
    assert code == ExitCode.STATE_REFUSED == 6
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing evaluated, nothing reported
    assert captured.err.startswith(
        f"{workspace.state}: error: is damaged: SQLite's integrity check (PRAGMA quick_check) "
        "found: "
    )
    assert "Nothing was evaluated and nothing was written to it" in captured.err
    assert "help: restore the file from a backup, or copy what can still be read into a new " in (
        captured.err
    )
    assert f"'sqlite3 {workspace.state} .recover | sqlite3 recovered.sqlite'" in captured.err
    assert Path(workspace.state).read_bytes() == damaged
    with pytest.raises(StateError, match="is damaged"):
        StateStore.open(workspace.state)


# --- the file: locking, settings, versions -------------------------------------------------------


def _cli_run(workspace: Workspace, as_of: str, *extra: str) -> int:
    return main(
        [
            "run",
            "--rules",
            str(workspace.rules),
            "--facts",
            str(workspace.facts),
            "--as-of",
            as_of,
            "--workers",
            "1",
            "--state",
            workspace.state,
            *extra,
        ]
    )


def test_a_second_run_on_a_state_file_in_use_refuses_at_once(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE)
    with StateStore.open(workspace.state, clock=_clock("2026-03-01T02:00:05+00:00")):
        code = _cli_run(workspace, "2026-03-01")
    assert code == ExitCode.STATE_REFUSED == 6
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing evaluated, nothing reported
    assert captured.err.startswith(
        f"{workspace.state}: error: is in use by another run (pid {os.getpid()}, since "
        "2026-03-01 02:00:05 UTC); this run stopped before evaluating anything\n"
    )
    assert "help: wait for that run to finish" in captured.err
    assert workspace.query("SELECT count(*) FROM runs") == [(0,)]
    # Once the other run is over, the lock is free.
    assert _cli_run(workspace, "2026-03-01") == ExitCode.FINDINGS


HOLD_THE_LOCK = """
import sys, time
from checker.state import StateStore
store = StateStore.open(sys.argv[1])
store.begin_run(0, 30)
print("locked", flush=True)
sys.stdin.read()  # until killed
"""


def test_a_crashed_run_leaves_no_stale_lock(workspace: Workspace) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, workspace.state],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(StateError, match=f"in use by another run .pid {holder.pid}, since"):
            StateStore.open(workspace.state)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
        assert holder.stdin is not None
        holder.stdin.close()
    with StateStore.open(workspace.state):  # the kernel dropped the lock with the process
        pass
    assert workspace.query("SELECT id, night, outcome FROM runs") == [
        (1, "1970-01-01", "interrupted")
    ]


def test_the_file_is_in_wal_mode_with_full_sync(workspace: Workspace) -> None:
    with StateStore.open(workspace.state) as store:
        assert store.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert store.connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    # WAL is a property of the file: any later reader sees it too.
    assert workspace.query("PRAGMA journal_mode") == [("wal",)]
    assert workspace.query("SELECT key, value FROM meta") == [("schema_version", "1")]


def test_a_state_file_from_a_newer_version_is_refused(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    with StateStore.open(workspace.state):
        pass
    connection = sqlite3.connect(workspace.state)
    with connection:
        connection.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    connection.close()
    with pytest.raises(StateError, match=r"newer contract-checker \(state schema version 2;"):
        StateStore.open(workspace.state)
    workspace.write_facts("crm.jsonl", D1_DE)
    assert _cli_run(workspace, "2026-03-01") == ExitCode.STATE_REFUSED
    assert "help: run the newer contract-checker that wrote it" in capsys.readouterr().err
    assert workspace.query("SELECT count(*) FROM runs") == [(0,)]


def test_a_file_from_before_unknown_counts_gets_the_column(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """A version-1 file written before `runs.unknown` existed: listed with 0 unknown findings,
    and given the column by the next run, which records its count there."""
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-01")
    connection = sqlite3.connect(workspace.state)
    connection.execute("ALTER TABLE runs DROP COLUMN unknown")
    connection.close()
    capsys.readouterr()
    assert main(["state", "--state", workspace.state]) == 0
    [run_line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("1 ")]
    assert "1 / 0 / 0 / 0 / 0 / 0" in run_line
    workspace.night("2026-03-02")
    assert workspace.query("SELECT id, breach, unknown FROM runs ORDER BY id") == [
        (1, 1, None),
        (2, 1, 0),
    ]
    assert workspace.query("SELECT key, value FROM meta") == [("schema_version", "1")]


def test_a_file_that_is_not_a_state_file_is_refused(workspace: Workspace) -> None:
    Path(workspace.state).write_text("night,status\n2026-03-01,ok\n")
    with pytest.raises(StateError, match="is not a contract-checker state file"):
        StateStore.open(workspace.state)
    other = sqlite3.connect(workspace.state + "2")
    other.execute("CREATE TABLE notes (text TEXT)")
    other.close()
    with pytest.raises(StateError, match="is not a contract-checker state file"):
        StateStore.open(workspace.state + "2")


# --- what reports show -----------------------------------------------------------------------------


def test_json_and_table_reports_show_statuses_and_what_is_gone(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE, D3_AT)
    output = str(tmp_path / "night.json")
    assert _cli_run(workspace, "2026-03-01", "--format", "json", "--output", output) == 1
    workspace.write_facts("crm.jsonl", D1_CORRECTED, D3_AT)
    assert _cli_run(workspace, "2026-03-02", "--format", "json", "--output", output) == 1
    with open(output, encoding="utf-8") as stream:
        document = json.load(stream)
    (d3,) = document["findings"]
    assert (d3["subject"], d3["status"], d3["first_seen"], d3["last_seen"]) == (
        "d3",
        "open",
        "2026-03-01",
        "2026-03-02",
    )
    history = document["history"]
    assert history["previous_as_of"] == "2026-03-01"
    assert history["counts"] == {"new": 0, "open": 1, "resolved": 1, "stale": 0}
    (d1,) = history["resolved"]
    assert (d1["subject"], d1["clause"], d1["status"], d1["last_seen"]) == (
        "d1",
        "4.1",
        "resolved",
        "2026-03-01",
    )
    assert history["stale"] == []

    (workspace.facts / "crm.jsonl").unlink()  # tonight nothing arrived
    workspace.write_facts("other.jsonl", D1_CORRECTED)
    capsys.readouterr()
    assert _cli_run(workspace, "2026-03-03") == 0
    table = capsys.readouterr().out
    assert "No findings." in table
    assert "Stale (1): not reported tonight, but tonight cannot tell" in table
    assert f"{workspace.facts}/crm.jsonl" in table  # why: the file was not among the inputs
    assert "Since 2026-03-02: 0 new, 0 open, 0 resolved, 1 stale (state run 3)." in table


def test_the_table_marks_new_and_open_findings(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE)
    _cli_run(workspace, "2026-03-01")
    workspace.write_facts("crm.jsonl", D1_DE, D3_AT)
    capsys.readouterr()
    _cli_run(workspace, "2026-03-02")
    table = capsys.readouterr().out
    header = table.splitlines()[0].split()
    assert header[:6] == ["agreement", "date", "clause", "kind", "severity", "status"]
    rows = {line.split()[2]: line for line in table.splitlines() if "acme-resale" in line}
    assert "open since 2026-03-01" in rows["4.1"]
    assert " new " in rows["4.2"]


def test_the_state_command_lists_recent_runs(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-01")
    workspace.write_facts("crm.jsonl", D1_CORRECTED)
    workspace.night("2026-03-02")
    capsys.readouterr()
    assert main(["state", "--state", workspace.state]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "Findings now: 0 new, 0 open, 1 resolved, 0 stale."
    newest, oldest = (line.split() for line in lines[-2:])
    assert newest[:4] == ["2", "2026-03-02", "completed", "0"]
    assert newest[-7:] == ["0", "/", "0", "/", "1", "/", "0"]  # new / open / resolved / stale
    assert oldest[:4] == ["1", "2026-03-01", "completed", "0"]
    assert main(["state", "--state", workspace.state + ".missing"]) == ExitCode.STATE_REFUSED


def test_a_run_killed_after_recording_its_findings_says_no_end_was_recorded(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # SIGKILL while sending alerts leaves the night's findings recorded and no end: the listing
    # said "completed" with a blank exit code and nothing else.
    workspace.write_facts("crm.jsonl", D1_DE)
    workspace.night("2026-03-01")
    db = sqlite3.connect(workspace.state)
    try:
        with db:  # commits; closing is ours (an unclosed connection warns on Python 3.13)
            db.execute("UPDATE runs SET finished_at = NULL, exit_code = NULL WHERE id = 1")
    finally:
        db.close()
    capsys.readouterr()
    assert main(["state", "--state", workspace.state]) == 0
    listing = capsys.readouterr().out
    assert "no end recorded: killed" in listing
    assert "while sending alerts, or" in listing
