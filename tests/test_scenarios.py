"""Rule tests as data: scenario files, the report of `contract-checker test`, its exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from checker.cli import main
from checker.findings.exit_codes import ExitCode
from checker.scenarios import run_scenario_tests

RULE_FILE = """\
agreement: globex-test
title: Test agreement with Globex
partner: globex
effective: 2026-01-01
expires: 2027-12-31
owner: legal
clauses:
  - id: "4.1"
    title: Exclusive territory
    kind: exclusivity
    territory: [DE]
    forbids:
      - {fact: deal.closed, where: {channel: direct}}
  - id: "9.3"
    title: Incident notice
    kind: response_time
    after: {fact: incident.detected}
    expect: {fact: notice.sent}
    match_on: [incident]
    within: 72h
"""

# Hand-worked: d1 is a direct deal in DE (a breach on its day); d2 is in FR (outside the
# territory). Incident i1 at 1 March 10:00 + 72h is due by 4 March 10:00; the notice on 5 March is
# late: a breach dated at the deadline, 4 March.
PASSING = """\
agreement: globex-test
scenarios:
  - name: a direct deal in Germany
    as_of: 2026-11-22
    facts:
      - {id: d1, type: deal.closed, at: 2026-02-10, partner: us, territory: DE, channel: direct}
      - {id: d2, type: deal.closed, at: 2026-02-11, partner: us, territory: FR, channel: direct}
    expect:
      - {clause: "4.1", kind: breach, code: exclusivity.forbidden_activity, subject: d1,
         date: 2026-02-10, severity: high, message_contains: "BREACHES THE EXCLUSIVITY"}
    expect_not:
      - {clause: "4.1", subject: d2}
    only: true
  - name: an incident notified late
    as_of: 2026-11-22
    facts:
      - {id: i1, type: incident.detected, at: "2026-03-01T10:00:00Z", partner: globex, incident: X}
      - {id: n1, type: notice.sent, at: "2026-03-05T10:00:00Z", partner: globex, incident: X}
    expect:
      - {clause: "9.3", kind: breach, code: response_time.missed, subject: i1, date: 2026-03-04}
"""


def _workspace(tmp_path: Path, **files: str) -> Path:
    """A rules folder holding globex.yaml plus `files` (name with '_' for '.' before 'test')."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "globex.yaml").write_text(RULE_FILE)
    for name, text in files.items():
        (rules / (name.replace("_test", ".test") + ".yaml")).write_text(text)
    return rules


def _run(*paths: Path | str, strict: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_scenario_tests([str(path) for path in paths], strict, out, err)
    return code, out.getvalue(), err.getvalue()


def test_passing_scenarios_exit_0_with_a_line_each(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, globex_test=PASSING)
    code, out, err = _run(rules)
    scenario_file = rules / "globex.test.yaml"
    assert code == ExitCode.OK
    assert err == ""
    assert out.splitlines()[:2] == [
        f"PASS  {scenario_file}::a direct deal in Germany",
        f"PASS  {scenario_file}::an incident notified late",
    ]
    assert "2 passed, 0 failed (2 scenarios in 1 file)" in out
    assert "Every clause is exercised by at least one scenario." in out


def test_a_wrong_expectation_fails_with_a_diff_naming_it(tmp_path: Path) -> None:
    wrong = PASSING.replace(
        '- {clause: "9.3", kind: breach, code: response_time.missed, subject: i1, date: 2026-03-04}',
        '- {clause: "9.3", kind: breach, code: response_time.missed, subject: i1, date: 2026-03-05}',
    )
    rules = _workspace(tmp_path, globex_test=wrong)
    code, out, _err = _run(rules)
    scenario_file = rules / "globex.test.yaml"
    assert code == ExitCode.FINDINGS
    assert f"PASS  {scenario_file}::a direct deal in Germany" in out
    assert f"FAIL  {scenario_file}::an incident notified late" in out
    assert (
        "expected but not found (line 20): clause 9.3, kind breach, code response_time.missed,"
        " subject i1, date 2026-03-05"
    ) in out
    assert (
        "    nearest for clause 9.3: clause 9.3 breach response_time.missed subject i1 on 2026-03-04"
        in out
    )
    assert "    differs: date is 2026-03-04, not 2026-03-05" in out
    # The agreement's actual findings are listed as a table.
    assert "actual findings of globex-test (1):" in out
    table_row = next(
        line for line in out.splitlines() if "response_time.missed" in line and "  i1  " in line
    )
    assert table_row.split()[:5] == ["9.3", "breach", "response_time.missed", "i1", "2026-03-04"]
    assert "1 passed, 1 failed (2 scenarios in 1 file)" in out


def test_a_missing_expectation_says_when_its_clause_has_no_findings(tmp_path: Path) -> None:
    scenario = """\
agreement: globex-test
scenarios:
  - name: no incident at all
    as_of: 2026-11-22
    expect:
      - {clause: "9.3", kind: breach}
"""
    code, out, _err = _run(_workspace(tmp_path, globex_test=scenario))
    assert code == ExitCode.FINDINGS
    assert "expected but not found (line 6): clause 9.3, kind breach" in out
    assert "    clause 9.3 has no findings at all in this scenario" in out
    assert "actual findings of globex-test: none" in out


def test_an_expect_not_that_matches_fails(tmp_path: Path) -> None:
    wrong = PASSING.replace('- {clause: "4.1", subject: d2}', '- {clause: "4.1", subject: d1}')
    rules = _workspace(tmp_path, globex_test=wrong)
    code, out, _err = _run(rules)
    assert code == ExitCode.FINDINGS
    assert f"FAIL  {rules / 'globex.test.yaml'}::a direct deal in Germany" in out
    assert "found but must not appear (expect_not, line 12): clause 4.1, subject d1" in out
    assert (
        "    matched by: clause 4.1 breach exclusivity.forbidden_activity subject d1 on 2026-02-10:"
    ) in out


def test_only_true_fails_on_a_finding_of_the_clause_that_was_not_expected(tmp_path: Path) -> None:
    # d3 is a second direct deal in DE: a breach the scenario does not list.
    extra = PASSING.replace(
        "      - {id: d2,",
        "      - {id: d3, type: deal.closed, at: 2026-02-12, partner: us, territory: DE,"
        " channel: direct}\n      - {id: d2,",
    )
    code, out, _err = _run(_workspace(tmp_path, globex_test=extra))
    assert code == ExitCode.FINDINGS
    assert "found but not expected (the scenario says 'only: true' for clause 4.1):" in out
    assert "    clause 4.1 breach exclusivity.forbidden_activity subject d3 on 2026-02-12:" in out


def test_without_only_other_findings_of_the_clause_are_allowed(tmp_path: Path) -> None:
    extra = PASSING.replace(
        "      - {id: d2,",
        "      - {id: d3, type: deal.closed, at: 2026-02-12, partner: us, territory: DE,"
        " channel: direct}\n      - {id: d2,",
    ).replace("    only: true\n", "")
    code, out, _err = _run(_workspace(tmp_path, globex_test=extra))
    assert code == ExitCode.OK
    assert "2 passed, 0 failed" in out


def test_facts_after_the_as_of_day_are_ignored(tmp_path: Path) -> None:
    scenario = """\
agreement: globex-test
scenarios:
  - name: a deal on the day after
    as_of: 2026-02-10
    facts:
      - {id: d1, type: deal.closed, at: 2026-02-11, partner: us, territory: DE, channel: direct}
    expect:
      - {clause: "4.1", subject: d1}
"""
    code, out, _err = _run(_workspace(tmp_path, globex_test=scenario))
    assert code == ExitCode.FINDINGS
    assert "note: 1 fact(s) dated after the as-of were ignored, as a run ignores them" in out
    assert "clause 4.1 has no findings at all in this scenario" in out


def test_an_error_finding_nobody_expected_fails_the_scenario(tmp_path: Path) -> None:
    rule_file = """\
agreement: seats-test
title: Seat cap
partner: hooli
effective: 2026-01-01
expires: 2027-12-31
owner: legal
clauses:
  - id: "5.2"
    title: Licensed seats
    kind: cap
    measure: {fact: usage.reported, field: seats}
    max: 250
"""
    scenario = """\
agreement: seats-test
scenarios:
  - name: an unreadable seat count
    as_of: 2026-11-22
    facts:
      - {id: u1, type: usage.reported, at: 2026-03-01, partner: hooli, seats: many}
    expect_not:
      - {clause: "5.2", kind: breach}
"""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "seats.yaml").write_text(rule_file)
    (rules / "seats.test.yaml").write_text(scenario)
    code, out, _err = _run(rules)
    assert code == ExitCode.FINDINGS
    assert "could not be evaluated (an error finding that no 'expect' entry names" in out
    assert "    clause 5.2 error cap.unreadable_measure subject u1 on 2026-03-01:" in out
    # Expecting the error makes it pass.
    (rules / "seats.test.yaml").write_text(
        scenario + '    expect:\n      - {clause: "5.2", kind: error, subject: u1}\n'
    )
    code, out, _err = _run(rules)
    assert code == ExitCode.OK
    assert "1 passed, 0 failed" in out


def test_untested_clauses_are_listed_and_fail_with_strict_coverage(tmp_path: Path) -> None:
    only_exclusivity = PASSING[: PASSING.index("  - name: an incident notified late")]
    rules = _workspace(tmp_path, globex_test=only_exclusivity)
    code, out, _err = _run(rules)
    assert code == ExitCode.OK
    assert "Clauses no scenario exercises (no 'expect' or 'expect_not' names them):" in out
    assert f"  globex-test ({rules / 'globex.yaml'}): 9.3 Incident notice" in out
    assert "--strict-coverage" not in out

    code, out, _err = _run(rules, strict=True)
    assert code == ExitCode.FINDINGS
    assert "1 passed, 0 failed" in out
    assert "--strict-coverage: untested clauses and agreements count as failures." in out


def test_an_expect_not_alone_exercises_a_clause(tmp_path: Path) -> None:
    scenario = """\
agreement: globex-test
scenarios:
  - name: nothing happens
    as_of: 2026-11-22
    expect_not:
      - {clause: "4.1"}
      - {clause: "9.3"}
"""
    code, out, _err = _run(_workspace(tmp_path, globex_test=scenario), strict=True)
    assert code == ExitCode.OK
    assert "Every clause is exercised by at least one scenario." in out


def test_agreements_without_a_scenario_file_are_listed(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, globex_test=PASSING)
    other = RULE_FILE.replace("agreement: globex-test", "agreement: initech-test")
    (rules / "initech.yaml").write_text(other)
    code, out, _err = _run(rules)
    assert code == ExitCode.OK
    assert "Agreements with no scenario file:" in out
    assert (
        f"  initech-test ({rules / 'initech.yaml'}): write its scenarios in"
        f" {rules / 'initech.test.yaml'}"
    ) in out
    code, _out, _err = _run(rules, strict=True)
    assert code == ExitCode.FINDINGS


def test_a_scenario_file_given_alone_reports_only_its_own_agreement(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, globex_test=PASSING)
    (rules / "initech.yaml").write_text(
        RULE_FILE.replace("agreement: globex-test", "agreement: initech-test")
    )
    code, out, _err = _run(rules / "globex.test.yaml", strict=True)
    assert code == ExitCode.OK
    assert "2 passed, 0 failed" in out
    assert "initech-test" not in out


def test_a_rule_file_given_brings_its_scenario_file(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, globex_test=PASSING)
    code, out, _err = _run(rules / "globex.yaml")
    assert code == ExitCode.OK
    assert "2 passed, 0 failed (2 scenarios in 1 file)" in out


BROKEN = """\
agreement: globex-test
scenarios:
  - name: one
    as_of: 2026-11-22
    facts:
      - {id: d1, type: deal.closed, at: "2026-02-10T10:00:00", territory: DE}
      - {id: d2, type: deal.closed, at: 2026-02-10, territory: DE}
      - {id: d2, type: deal.closed, at: 2026-02-11, territory: DE}
    expect:
      - {clause: "4.2", kind: breach}
    expct_not: []
"""

UNKNOWN_AGREEMENT = """\
agreement: globex-tset
scenarios:
  - name: one
    as_of: 2026-11-22
    expect:
      - {clause: "4.1"}
"""


def test_invalid_scenario_files_give_positioned_errors_and_exit_3(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, broken_test=BROKEN, unknown_test=UNKNOWN_AGREEMENT)
    code, out, err = _run(rules)
    broken, unknown = rules / "broken.test.yaml", rules / "unknown.test.yaml"
    assert code == ExitCode.INVALID_RULES
    assert out == ""  # nothing was run
    assert (
        f"{broken}:6:9: error: fact 1 of scenario 'one' is not valid: 'at' has no UTC offset" in err
    )
    assert (
        f"{broken}:8:14: error: fact id 'd2' is used twice in scenario 'one' (first on line 7)"
        in err
    )
    assert f"{broken}:10:18: error: agreement globex-test has no clause '4.2'" in err
    assert "  help: did you mean '4.1'?" in err
    assert f"{broken}:11:5: error: unknown field 'expct_not'" in err
    assert "  help: did you mean 'expect_not'?" in err
    assert f"{unknown}:1:12: error: no rule file defines agreement 'globex-tset'" in err
    assert "  help: did you mean 'globex-test'?" in err
    # The offending line is shown with a caret under the column.
    assert '          - {clause: "4.2", kind: breach}\n                     ^' in err
    assert err.rstrip().endswith("5 problem(s) in rule or scenario files; no scenario was run.")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{}", "6:9: error: an expectation needs at least one of: clause, kind, code"),
        (
            "{kind: breech}",
            "6:16: error: 'breech' is not one of: breach, trigger, deadline, error, unknown",
        ),
        ('{clause: "4.1", date: 2026-02-30}', "6:31: error: '2026-02-30' is not a valid date"),
        ("{clause: 4.1}", "6:18: error: expected text here, got the number 4.1"),
    ],
)
def test_invalid_expectations_are_positioned(tmp_path: Path, entry: str, message: str) -> None:
    scenario = f"""\
agreement: globex-test
scenarios:
  - name: one
    as_of: 2026-11-22
    expect:
      - {entry}
"""
    rules = _workspace(tmp_path, globex_test=scenario)
    code, _out, err = _run(rules)
    assert code == ExitCode.INVALID_RULES
    assert f"{rules / 'globex.test.yaml'}:{message}" in err


def test_scenario_level_mistakes_are_reported(tmp_path: Path) -> None:
    scenario = """\
agreement: globex-test
scenarios:
  - name: same
    as_of: 2026-11-31
    expect_not:
      - {clause: "4.1"}
  - name: same
    as_of: 2026-11-22
  - name: restricted without a clause
    as_of: 2026-11-22
    expect:
      - {kind: breach}
    only: true
"""
    rules = _workspace(tmp_path, globex_test=scenario)
    code, _out, err = _run(rules)
    path = rules / "globex.test.yaml"
    assert code == ExitCode.INVALID_RULES
    assert f"{path}:4:12: error: '2026-11-31' is not a date or an instant" in err
    assert f"{path}:7:11: error: scenario name 'same' is used twice (first on line 3)" in err
    assert f"{path}:7:5: error: scenario 'same' has neither 'expect' nor 'expect_not'" in err
    assert f"{path}:9:5: error: 'only: true' restricts the clauses named in 'expect'" in err


def test_invalid_rule_files_exit_3_before_any_scenario_runs(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, globex_test=PASSING)
    (rules / "globex.yaml").write_text(
        RULE_FILE.replace("    territory: [DE]", "    teritory: [DE]")
    )
    code, out, err = _run(rules)
    assert code == ExitCode.INVALID_RULES
    assert out == ""
    assert f"{rules / 'globex.yaml'}:11:5: error: unknown field 'teritory'" in err
    # The scenario file's agreement is not reported as unknown: its rule file is the problem.
    assert "no rule file defines" not in err


def test_no_scenario_files_is_an_error(tmp_path: Path) -> None:
    rules = _workspace(tmp_path)
    code, out, err = _run(rules)
    assert code == ExitCode.INVALID_RULES
    assert out == ""
    assert "no scenario files (*.test.yaml) found here" in err


def test_the_demo_scenarios_pass_and_exercise_every_clause(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    code, out, err = _run(root / "rules", strict=True)
    assert "error:" not in err
    assert code == ExitCode.OK, out
    assert "0 failed" in out
    assert "in 5 files" in out
    assert "Every clause is exercised by at least one scenario." in out


def test_cli_test_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = _workspace(tmp_path, globex_test=PASSING)
    assert main(["test", str(rules)]) == ExitCode.OK
    assert "2 passed, 0 failed" in capsys.readouterr().out
    (rules / "globex.test.yaml").write_text(PASSING.replace("subject: d1,", "subject: d9,"))
    assert main(["test", "--strict-coverage", str(rules)]) == ExitCode.FINDINGS
    assert "expected but not found" in capsys.readouterr().out


def test_cli_test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["test", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "--strict-coverage" in help_text
    assert "example:\n  contract-checker test" in help_text
    assert "3 invalid rule or scenario files" in help_text


def test_scenario_facts_are_checked_like_fact_file_lines(tmp_path: Path) -> None:
    scenario = """\
agreement: globex-test
scenarios:
  - name: odd facts
    as_of: 2026-11-22
    facts:
      - {id: d1, type: deal.closed, at: 2026-02-10, territory: {code: DE}}
      - {type: deal.closed, at: 2026-02-10}
      - {id: d3, type: Deal Closed, at: 2026-02-10}
    expect_not:
      - {clause: "4.1"}
"""
    rules = _workspace(tmp_path, globex_test=scenario)
    code, _out, err = _run(rules)
    path = rules / "globex.test.yaml"
    assert code == ExitCode.INVALID_RULES
    assert (
        f"{path}:6:9: error: fact 1 of scenario 'odd facts' is not valid: field 'territory' is"
        " an object; attribute values must be strings, numbers, booleans, nulls or lists of those"
    ) in err
    assert (
        f"{path}:7:9: error: fact 2 of scenario 'odd facts' is not valid: missing field 'id'" in err
    )
    assert (
        f"{path}:8:9: error: fact 3 of scenario 'odd facts' is not valid: 'type' 'Deal Closed'"
        in err
    )
    assert "3 problem(s)" in err


def test_the_format_example_in_the_module_docstring_passes(tmp_path: Path) -> None:
    import textwrap

    import checker.scenarios

    docstring = checker.scenarios.__doc__ or ""
    block = docstring.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    rules = tmp_path / "rules"
    rules.mkdir()
    demo_rule_file = Path(__file__).resolve().parent.parent / "rules" / "globex-reseller.yaml"
    (rules / "globex-reseller.yaml").write_text(demo_rule_file.read_text())
    (rules / "globex-reseller.test.yaml").write_text(textwrap.dedent(block))
    code, out, err = _run(rules)
    assert "error:" not in err
    assert code == ExitCode.OK, out
    assert "1 passed, 0 failed" in out
