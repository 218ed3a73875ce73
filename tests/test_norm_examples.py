"""The clauses no kind covers, written as norms in docs/examples/norms/ (issue 9's list (a) to
(l), plus a multi-party agreement): they validate strictly, and their hand-worked scenarios pass
(and fail when an expectation is wrong)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from checker.cli import main
from checker.findings.exit_codes import ExitCode
from checker.scenarios import run_scenario_tests

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples" / "norms"


def test_the_norm_examples_validate_strictly() -> None:
    assert main(["validate", "--strict", str(EXAMPLES)]) == ExitCode.OK


def test_every_listed_clause_has_a_passing_scenario() -> None:
    out = io.StringIO()
    assert run_scenario_tests([str(EXAMPLES)], out=out, err=io.StringIO()) == ExitCode.OK
    text = out.getvalue()
    assert "0 failed" in text
    assert "Every clause is exercised by at least one scenario." in text
    # Each clause of the list is where it is written, and no other scenario takes its letter.
    labelled = sorted(set(re.findall(r"^PASS +\S*/([\w-]+)\.test\.yaml::\(([a-z])\)", text, re.M)))
    assert labelled == [
        ("lyra-referral", "h"),
        ("lyra-referral", "j"),
        ("lyra-referral", "k"),
        ("lyra-referral", "l"),
        ("orion-health", "a"),
        ("orion-health", "d"),
        ("orion-health", "e"),
        ("orion-health", "g"),
        ("orion-health", "i"),
        ("vega-retail", "b"),
        ("vega-retail", "c"),
        ("vega-retail", "f"),
    ]


def test_a_wrong_expectation_fails(tmp_path: Path) -> None:
    folder = tmp_path / "norms"
    shutil.copytree(EXAMPLES, folder)
    scenarios = folder / "vega-retail.test.yaml"
    text = scenarios.read_text(encoding="utf-8")
    # The revenue share shortfall of Q2 is dated at the due date, 08-09; a day later is wrong.
    assert "subject: r-q2, date: 2026-08-09" in text
    scenarios.write_text(
        text.replace("subject: r-q2, date: 2026-08-09", "subject: r-q2, date: 2026-08-10")
    )
    out = io.StringIO()
    assert run_scenario_tests([str(folder)], out=out, err=io.StringIO()) == ExitCode.FINDINGS
    assert "FAIL  " in out.getvalue()


def test_norm_patterns_are_checked_against_the_catalogue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(EXAMPLES / "fact-types.yaml", tmp_path / "fact-types.yaml")
    rules = (EXAMPLES / "vega-retail.yaml").read_text(encoding="utf-8")
    for old, new in [
        ("fact: reseller.appointed", "fact: reseller.apointed"),
        ("of: {fact: purchase.order}", "of: {fact: purchase.order, with: others}"),
        ("    sum: amount\n    per: quarter", "    sum: amout\n    per: quarter"),
        (
            "when: {fact: revenue.reported}",
            "when: {fact: revenue.reported, after: {field: left_on}}",
        ),
    ]:
        assert old in rules
        rules = rules.replace(old, new)
    (tmp_path / "vega.yaml").write_text(rules, encoding="utf-8")
    assert main(["validate", str(tmp_path / "vega.yaml")]) == ExitCode.INVALID_RULES
    problems = [
        line.split(": ", 1)[1]
        for line in capsys.readouterr().err.splitlines()
        if line.startswith(str(tmp_path))
    ]
    catalogue = tmp_path / "fact-types.yaml"
    assert problems == [
        "warning: unknown fact type 'reseller.apointed'",
        f"error: this pattern can never match: 'with: others' reads purchase.order facts with "
        f"someone outside the agreement, but {catalogue} names no counterparty field for "
        "purchase.order",
        "warning: 'amout' is not a field of purchase.order",
        "warning: 'left_on' is not a field of revenue.reported",
    ]


def test_explain_says_who_owes_what_to_whom(capsys: pytest.CaptureFixture[str]) -> None:
    rules = str(EXAMPLES / "lyra-referral.yaml")
    assert main(["explain", rules, "--as-of", "2026-07-20"]) == ExitCode.OK
    lines = capsys.readouterr().out.splitlines()
    assert "Parties    us: northwind; partner: lyra (also lyra-consulting)" in lines
    assert "  Open-ended from 2026-01-01: it runs until terminated." in lines
    text = "\n".join(lines)
    flat = " ".join(text.split())
    assert (
        "lyra (partner) must pay bonus.returned for the same customer (at least the amount of that"
        " bonus.paid in amount) within 30 days" in flat
    )
    assert "(owed to northwind (us))" in flat
    assert "each party (northwind, lyra) must not do employee.hired" in flat
    assert "northwind (us) must not do price.agreed with someone outside this agreement" in flat
    # The measure's quarters near the as-of date, each judged on its last day.
    assert "  2026-06-30  past      2026-Q2 ends and is judged" in lines
    assert "  2026-09-30  later     2026-Q3 ends and is judged" in lines


def test_the_guide_chapter_shows_the_example_clauses_as_written() -> None:
    guide = (EXAMPLES.parent.parent / "authoring.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(clauses:\n.*?)```", guide, flags=re.S)
    assert len(blocks) == 3
    written = {
        (document["agreement"], clause["id"]): clause
        for path in sorted(EXAMPLES.glob("*.yaml"))
        if not path.name.endswith(".test.yaml") and path.name != "fact-types.yaml"
        for document in [yaml.safe_load(path.read_text(encoding="utf-8"))]
        for clause in document["clauses"]
    }
    shown = [clause for block in blocks for clause in yaml.safe_load(block)["clauses"]]
    assert [c["id"] for c in shown] == ["5.1", "3.1", "3.2", "9.1"]
    for clause in shown:
        matches = [w for (_, cid), w in written.items() if cid == clause["id"] and w == clause]
        assert matches, f"clause {clause['id']} of the guide differs from docs/examples/norms/"
