"""`validate` checks every file an author writes in a rules folder: rule files, waivers and
scenario files, listing every problem of all of them in one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main

RULE_FILE = """\
agreement: acme-2026
title: Agreement with Acme
partner: acme
effective: 2026-01-01
expires: 2026-12-31
owner: legal
clauses:
  - id: "4.1"
    title: Exclusive territory
    kind: exclusivity
    territory: [NL]
    forbids:
      - {fact: deal.closed, where: {channel: direct}}
"""

WAIVERS = """\
waivers:
  - agreement: acme-2026
    clause: "{clause}"
    reason: Approved exception
    approved_by: Legal
    expires: 2026-12-31
"""

SCENARIOS = """\
agreement: acme-2026
scenarios:
  - name: a direct deal breaks the exclusivity
    as_of: 2026-06-01
    facts:
      - {{id: d1, type: deal.closed, at: 2026-03-02, partner: northwind, territory: NL, channel: direct}}
    expect:
      - {{clause: "{clause}", kind: breach, subject: d1}}
"""


def _rules(tmp_path: Path, waiver_clause: str, scenario_clause: str) -> Path:
    (tmp_path / "acme.yaml").write_text(RULE_FILE, encoding="utf-8")
    (tmp_path / "waivers.yaml").write_text(WAIVERS.format(clause=waiver_clause), "utf-8")
    (tmp_path / "acme.test.yaml").write_text(SCENARIOS.format(clause=scenario_clause), "utf-8")
    return tmp_path


def test_valid_folder_counts_what_was_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _rules(tmp_path, "4.1", "4.1")
    assert main(["validate", str(rules)]) == 0
    assert capsys.readouterr().out == "OK: 1 agreement, 1 clause, 1 waiver, 1 scenario file.\n"


def test_problems_in_waivers_and_scenarios_are_listed_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _rules(tmp_path, "4.2", "4.3")
    assert main(["validate", str(rules)]) == 3
    err = capsys.readouterr().err
    # waivers.yaml line 3: `    clause: "4.2"` (value at column 13); acme.test.yaml line 8: the
    # expectation, its clause value at column 18.
    assert (
        f"{rules / 'waivers.yaml'}:3:13: error: agreement 'acme-2026' has no clause '4.2', so"
        " this waiver would never apply\n"
    ) in err
    assert (
        f"{rules / 'acme.test.yaml'}:8:18: error: agreement acme-2026 has no clause '4.3'\n" in err
    )
    assert err.count("  help: did you mean '4.1'?\n") == 2
    assert "FAILED: 2 errors, 0 warnings." in err
