"""The registry of finding codes: complete and exact against the code each kind's module passes
when it makes findings (read from the source) and against every finding the demo produces; and
its use: misspelt or misplaced codes in scenario files and waivers are positioned errors (exit 3),
and the kinds' documentation lists each kind's findings."""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.authoring.kind_docs_markdown import render_markdown
from checker.authoring.kind_docs_terminal import render_kind
from checker.clauses import KINDS
from checker.cli import main
from checker.dates.timeutil import parse_instant
from checker.engine.program import Program
from checker.evaluation import evaluate
from checker.evaluation.run import run
from checker.findings.exit_codes import ExitCode
from checker.findings.model import Finding, FindingCode, FindingKind
from checker.norms import compile as norm_compile
from checker.norms.blocks import Window, windows
from checker.norms.context import AgreementTerm, ClauseContext
from checker.rulebook import finding_codes, term
from checker.rulebook.agreement import Agreement
from checker.rulebook.finding_codes import (
    ANY_CLAUSE,
    TERM,
    all_codes,
    check_code,
    check_finding_kind,
    codes_by_kind,
    codes_of,
)
from checker.rulebook.loading import load_rulebook
from checker.rulebook.term import TermClause
from checker.scenarios.loader import load_scenario_file
from checker.scenarios.model import CODE_PATTERN
from checker.scenarios.runner import run_case
from tests.helpers import GLOBEX_EXCLUSIVITY

ROOT = Path(__file__).resolve().parent.parent


# The registry itself.


def _source_of_kind(name: str) -> str:
    """The kind's module; for the four norms also checker/norms/compile.py, which reports the
    findings of every norm (each under its own prefix, so the check still tells them apart)."""
    source = inspect.getsource(sys.modules[KINDS[name].__module__])
    if name in ("obligation", "prohibition", "measure", "right"):
        source += inspect.getsource(norm_compile)
    return source


def _declarers() -> list[tuple[str, str, tuple[FindingCode, ...]]]:
    """(who declares, the module's source, its codes): every clause kind, the term, and the codes
    any clause can carry (declared by the registry, reported by the evaluation)."""
    found = [(name, _source_of_kind(name), KINDS[name].finding_codes) for name in sorted(KINDS)]
    found.append((TERM, inspect.getsource(term), TermClause.finding_codes))
    # Declared by the registry (which the evaluation may import), reported by the evaluation.
    any_clause = inspect.getsource(finding_codes) + inspect.getsource(evaluate)
    found.append(("any clause", any_clause, ANY_CLAUSE))
    return found


def _prefix(codes: tuple[FindingCode, ...]) -> str:
    (prefix,) = {code.code.split(".")[0] for code in codes}
    return prefix


def test_every_kind_and_the_term_declare_codes() -> None:
    assert sorted(codes_by_kind()) == sorted([*KINDS, TERM])
    for name, codes in codes_by_kind().items():
        assert codes, f"{name} declares no finding codes"
    assert [code.code for code in ANY_CLAUSE] == ["evaluation.failed"]


def test_codes_are_well_formed_unique_and_explained() -> None:
    declared = [code for _, _, codes in _declarers() for code in codes]
    names = [code.code for code in declared]
    assert len(names) == len(set(names)), "a code is declared twice"
    assert sorted(all_codes()) == sorted(names)
    for code in declared:
        assert re.fullmatch(CODE_PATTERN, code.code), code.code
        assert isinstance(code.kind, FindingKind)
        assert code.meaning[:1].isupper(), code.code
        assert code.meaning.endswith("."), code.code


def test_each_declarer_has_its_own_prefix() -> None:
    """So that scanning a module for the literals with its prefix finds exactly its codes."""
    prefixes = [_prefix(codes) for _, _, codes in _declarers()]
    assert len(prefixes) == len(set(prefixes))


def test_codes_of_a_kind_add_those_any_clause_can_carry() -> None:
    assert [code.code for code in codes_of("cap")] == [
        "cap.exceeded",
        "cap.unreadable_measure",
        "evaluation.failed",
    ]
    assert [code.code for code in codes_of(TERM)] == [
        "term.non_renewal_notice_due",
        "term.expires",
        "evaluation.failed",
    ]


# Static: the codes each module passes when it makes findings.


def _finding_kind(node: ast.expr) -> FindingKind | None:
    """`FindingKind.BREACH` in the source -> FindingKind.BREACH."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "FindingKind"
    ):
        return FindingKind[node.attr]
    return None


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _kinds_at_call(call: ast.Call) -> Iterator[tuple[str | None, FindingKind | None]]:
    """(code, finding kind) wherever a call shows both: `Outcome(kind, code)`,
    `context.finding(kind, code, ...)`, `Finding(kind=..., code=...)`, a `Forbidden` entry (always
    a breach), and the deadline and trigger codes of obligations and windows."""
    name, args = _call_name(call), call.args
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    if name in ("Outcome", "finding") and len(args) >= 2:
        yield _text(args[1]), _finding_kind(args[0])
    if name == "Finding" and "kind" in keywords and "code" in keywords:
        yield _text(keywords["code"]), _finding_kind(keywords["kind"])
    if name == "Forbidden" and len(args) >= 5:
        yield _text(args[4]), FindingKind.BREACH
    for keyword in ("due_soon_code", "opening_code", "closing_code"):
        if keyword in keywords:
            yield _text(keywords[keyword]), FindingKind.DEADLINE
    if "open_code" in keywords:
        open_kind = keywords.get("open_kind")
        kind = FindingKind.TRIGGER if open_kind is None else _finding_kind(open_kind)
        yield _text(keywords["open_code"]), kind


def codes_in_source(
    source: str, prefix: str
) -> tuple[set[str], list[tuple[str, FindingKind]], list[int]]:
    """What a module's source passes as codes with `prefix`: every such string literal outside a
    `FindingCode(...)` declaration and outside fact types (`fact=...`, `{"fact": ...}`); the
    (code, kind) pairs whose kind the call shows; and the lines of codes composed with f-strings,
    which cannot be checked."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) == "FindingCode":
            skipped.update(id(inner) for inner in ast.walk(node))
        elif isinstance(node, ast.keyword) and node.arg == "fact":
            skipped.add(id(node.value))
        elif isinstance(node, ast.Dict):
            skipped.update(
                id(value)
                for key, value in zip(node.keys, node.values, strict=True)
                if _text(key) == "fact"
            )
    shape = re.compile(rf"{re.escape(prefix)}\.[a-z0-9_]+")
    literals: set[str] = set()
    kinds: list[tuple[str, FindingKind]] = []
    composed: list[int] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        text = _text(node) if isinstance(node, ast.expr) else None
        if text is not None and shape.fullmatch(text):
            literals.add(text)
        if isinstance(node, ast.JoinedStr) and node.values:
            first = _text(node.values[0])
            if first is not None and first.startswith(f"{prefix}."):
                composed.append(node.lineno)
        if isinstance(node, ast.Call):
            for code, kind in _kinds_at_call(node):
                if code is not None and kind is not None and shape.fullmatch(code):
                    kinds.append((code, kind))
    return literals, kinds, composed


@pytest.mark.parametrize(("who", "source", "codes"), _declarers(), ids=lambda v: str(v)[:20])
def test_the_codes_a_module_passes_are_exactly_those_it_declares(
    who: str, source: str, codes: tuple[FindingCode, ...]
) -> None:
    passed, kinds, composed = codes_in_source(source, _prefix(codes))
    declared = {code.code: code.kind for code in codes}
    assert composed == [], f"{who}: codes built with f-strings on lines {composed}"
    assert sorted(passed - set(declared)) == [], f"{who} passes codes it does not declare"
    assert sorted(set(declared) - passed) == [], f"{who} declares codes it never passes"
    wrong = [(code, kind.value) for code, kind in kinds if declared[code] is not kind]
    assert wrong == [], f"{who} reports these codes as another kind than declared"


def test_the_source_scan_sees_an_undeclared_code_a_wrong_kind_and_a_composed_code() -> None:
    source = """
finding_codes = (FindingCode("cap.exceeded", FindingKind.BREACH, "Above the cap."),)
MEASURE = FactPattern(fact="cap.reading", where={})
EXAMPLE = {"fact": "cap.reported"}
a = Outcome(FindingKind.TRIGGER, "cap.exceeded")
b = context.finding(FindingKind.ERROR, "cap.unreadable", day)
c = Obligation(due_soon_code="cap.due")
d = f"cap.{name}_over"
"""
    passed, kinds, composed = codes_in_source(source, "cap")
    assert passed == {"cap.exceeded", "cap.unreadable", "cap.due"}
    assert sorted(kinds) == sorted(
        [
            ("cap.exceeded", FindingKind.TRIGGER),
            ("cap.unreadable", FindingKind.ERROR),
            ("cap.due", FindingKind.DEADLINE),
        ]
    )
    assert composed == [8]


def test_windows_without_an_opening_code_must_not_announce_their_opening() -> None:
    context = ClauseContext(
        agreement_id="a",
        partner="globex",
        owner="legal",
        clause=TermClause(),
        index=0,
        term=AgreementTerm(0, 10_000_000, "expiry"),
        as_of=0,
        horizon_end=1_000_000,
        program=Program("a"),
    )
    quiet = Window("w", "a right", 100, 200, (), announce_opening=False)
    windows(context, "right", [quiet], open_code="x.open", closing_code="x.closes")
    assert len(context.program.rules) == 3  # open, closing, opening (never fires)
    announced = Window("w", "a right", 100, 200, ())
    with pytest.raises(ValueError, match="announce their opening but have no opening code"):
        windows(context, "other", [announced], open_code="x.open", closing_code="x.closes")


# Dynamic: every finding of the demo and of the scenarios carries a code declared for its kind.


def _clause_kinds(agreements: list[Agreement]) -> dict[tuple[str, str], str]:
    return {(a.agreement, clause.id): clause.kind for a in agreements for clause in a.clauses}


def _check_findings(findings: list[Finding], kind_of: dict[tuple[str, str], str]) -> set[str]:
    """Assert each finding's code is declared for its clause's kind, as that kind of finding;
    return the clause kinds seen."""
    seen: set[str] = set()
    for finding in findings:
        if finding.clause == TERM:
            kind = TERM
        else:
            kind = kind_of.get((finding.agreement, finding.clause), "")
        allowed = {code.code: code for code in (codes_of(kind) if kind else ANY_CLAUSE)}
        where = f"{finding.agreement} clause {finding.clause} ({kind or 'whole agreement'})"
        assert finding.code in allowed, f"{where} reported undeclared code {finding.code}"
        assert allowed[finding.code].kind is finding.kind, f"{where}: {finding.code} kind"
        seen.add(kind)
    return seen


def test_every_code_the_demo_run_produces_is_declared_for_its_clause_kind() -> None:
    rulebook = load_rulebook([str(ROOT / "rules")])
    with run(
        [str(ROOT / "rules")],
        [str(ROOT / "fixtures" / "demo")],
        parse_instant("2026-11-22"),
        workers=1,
    ) as result:
        findings = list(result.findings)
    seen = _check_findings(findings, _clause_kinds(rulebook.agreements))
    assert seen == {*KINDS, TERM}  # the demo has findings of every kind of clause


@pytest.mark.parametrize("folder", ["rules", "docs/examples"])
def test_every_code_the_scenarios_produce_is_declared_for_its_clause_kind(folder: str) -> None:
    rulebook = load_rulebook([str(ROOT / folder)])
    agreements = {agreement.agreement: agreement for agreement in rulebook.agreements}
    findings: list[Finding] = []
    for path in sorted((ROOT / folder).glob("*.test.yaml")):
        suite = load_scenario_file(str(path), agreements)
        assert suite is not None
        for case in suite.cases:
            findings.extend(run_case(case).findings)
    assert findings
    _check_findings(findings, _clause_kinds(rulebook.agreements))


# The checks authors meet.


def test_check_code_accepts_a_code_anywhere_without_a_clause_and_only_fitting_ones_with_one() -> (
    None
):
    assert check_code("cap.exceeded", "so it fails") is None
    assert check_code("cap.exceeded", "so it fails", "5.2", "cap") is None
    assert check_code("evaluation.failed", "so it fails", "4.1", "exclusivity") is None
    assert check_code("term.expires", "so it fails", TERM, TERM) is None
    problem = check_code("term.expires", "so it fails", "5.2", "cap")
    assert problem is not None
    assert problem.message == (
        "clause 5.2 is a cap clause, which never reports 'term.expires' (a code of the"
        " agreement's own term), so it fails"
    )
    assert problem.help == (
        "the codes that fit clause 5.2 are: cap.exceeded, cap.unreadable_measure, evaluation.failed"
    )
    problem = check_code("cap.exceeded", "so it fails", TERM, TERM)
    assert problem is not None
    assert problem.message == (
        "the agreement's own term (clause term) never reports 'cap.exceeded' (a code of cap"
        " clauses), so it fails"
    )


def test_an_unknown_code_far_from_any_points_to_the_lists() -> None:
    problem = check_code("payroll.late", "so it fails")
    assert problem is not None
    assert problem.field == "code"
    assert problem.message == "no finding has the code 'payroll.late', so it fails"
    assert problem.help == (
        "the codes of each kind of clause are listed in docs/clauses.md, and by"
        " 'contract-checker explain --kind <kind>'"
    )


def test_check_finding_kind() -> None:
    assert check_finding_kind("milestone.termination_right", FindingKind.TRIGGER, "x") is None
    assert check_finding_kind("no.such_code", FindingKind.TRIGGER, "x") is None
    problem = check_finding_kind("cap.unreadable_measure", FindingKind.BREACH, "so it fails")
    assert problem is not None
    assert problem.field == "kind"
    assert problem.message == (
        "'cap.unreadable_measure' findings are always an error, never a breach, so it fails"
    )
    assert problem.help == "write 'kind: error', or leave 'kind' out: the code says it already"


RULE_FILE = (
    GLOBEX_EXCLUSIVITY
    + """\
  - id: "5.2"
    title: Licensed seats
    kind: cap
    measure: {fact: usage.reported, field: seats}
    max: 250
  - id: "9.3"
    title: Incident notice
    kind: response_time
    after: {fact: incident.detected}
    expect: {fact: notice.sent}
    match_on: [incident]
    within: 72h
"""
)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "globex.yaml").write_text(RULE_FILE)
    deal = (
        '{"id": "d1", "type": "deal.closed", "at": "2026-02-10T10:00:00Z", "partner": "us",'
        ' "territory": "DE", "channel": "direct"}'
    )
    (tmp_path / "facts.jsonl").write_text(deal + "\n")
    return folder


def test_misspelt_and_misplaced_codes_in_a_scenario_file_exit_3(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios = rules / "globex.test.yaml"
    scenarios.write_text(
        "agreement: globex-reseller-2025\n"
        "scenarios:\n"
        "  - name: misspelt codes\n"
        "    as_of: 2026-11-22\n"
        "    expect:\n"
        '      - {clause: "9.3", code: exclusivity.forbidden_activity}\n'
        '      - {clause: "9.3", kind: trigger, code: response_time.missed}\n'
        "      - {clause: term, code: term.expire}\n"
        "    expect_not:\n"
        "      - {code: exclusivity.forbiden_activity}\n"
    )
    assert main(["test", str(rules)]) == ExitCode.INVALID_RULES
    captured = capsys.readouterr()
    assert captured.out == ""  # no scenario ran
    err = captured.err
    assert (
        f"{scenarios}:10:16: error: no finding has the code 'exclusivity.forbiden_activity', so"
        " this 'expect_not' entry could never fail\n"
        "          - {code: exclusivity.forbiden_activity}\n"
        "                   ^\n"
        "  help: did you mean 'exclusivity.forbidden_activity'?\n"
    ) in err
    assert (
        f"{scenarios}:6:31: error: clause 9.3 is a response_time clause, which never reports"
        " 'exclusivity.forbidden_activity' (a code of exclusivity clauses), so this 'expect'"
        " entry could never pass\n"
    ) in err
    assert (
        "  help: the codes that fit clause 9.3 are: response_time.missed,"
        " response_time.unknown, response_time.due, evaluation.failed\n"
    ) in err
    assert (
        f"{scenarios}:7:31: error: 'response_time.missed' findings are always a breach, never a"
        " trigger, so this 'expect' entry could never pass\n"
    ) in err
    assert "  help: write 'kind: breach', or leave 'kind' out: the code says it already\n" in err
    assert (
        f"{scenarios}:8:30: error: no finding has the code 'term.expire', so this 'expect' entry"
        " could never pass\n"
    ) in err
    assert "  help: did you mean 'term.expires'?\n" in err
    assert err.endswith("4 problem(s) in rule or scenario files; no scenario was run.\n")


def test_a_finding_kind_a_clause_never_reports_exits_3(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios = rules / "globex.test.yaml"
    scenarios.write_text(
        "agreement: globex-reseller-2025\n"
        "scenarios:\n"
        "  - name: kinds without codes\n"
        "    as_of: 2026-11-22\n"
        "    expect:\n"
        '      - {clause: "4.1", kind: deadline}\n'
        '      - {clause: "4.1", kind: breach}\n'
        "    expect_not:\n"
        "      - {clause: term, kind: breach}\n"
    )
    assert main(["test", str(rules)]) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    # An exclusivity clause reports breaches (and errors when it cannot be checked), never a
    # deadline; the term reports deadlines (and errors), never a breach.
    assert (
        f"{scenarios}:6:31: error: clause 4.1 is an exclusivity clause, which never reports a"
        " deadline, so this 'expect' entry could never pass\n"
    ) in err
    assert "  help: its findings are: breach, error\n" in err
    assert (
        f"{scenarios}:9:30: error: the agreement's own term (clause term) never reports a breach,"
        " so this 'expect_not' entry could never fail\n"
    ) in err
    assert err.endswith("2 problem(s) in rule or scenario files; no scenario was run.\n")


def test_a_code_in_a_scenario_for_an_unknown_agreement_is_still_checked(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios = rules / "other.test.yaml"
    scenarios.write_text(
        "agreement: globex-resseller-2025\n"
        "scenarios:\n"
        "  - name: one\n"
        "    as_of: 2026-11-22\n"
        "    expect_not:\n"
        "      - {code: cap.exceded}\n"
    )
    assert main(["test", str(scenarios)]) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert f"{scenarios}:1:12: error: no rule file defines agreement" in err
    assert f"{scenarios}:6:16: error: no finding has the code 'cap.exceded'" in err
    assert "  help: did you mean 'cap.exceeded'?\n" in err


def test_fitting_codes_and_kinds_in_a_scenario_file_run(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rules / "globex.test.yaml").write_text(
        "agreement: globex-reseller-2025\n"
        "scenarios:\n"
        "  - name: a direct deal in Germany\n"
        "    as_of: 2026-11-22\n"
        "    facts:\n"
        "      - {id: d1, type: deal.closed, at: 2026-02-10, partner: us, territory: DE,"
        " channel: direct}\n"
        "    expect:\n"
        '      - {clause: "4.1", kind: breach, code: exclusivity.forbidden_activity}\n'
        "    expect_not:\n"
        '      - {clause: "4.1", code: evaluation.failed}\n'
        "      - {clause: term, kind: deadline, code: term.expires}\n"
    )
    assert main(["test", str(rules)]) == ExitCode.OK
    assert "1 passed, 0 failed" in capsys.readouterr().out


def _run(rules: Path, *extra: str) -> int:
    facts = rules.parent / "facts.jsonl"
    return main(
        [
            *("run", "--rules", str(rules), "--facts", str(facts)),
            *("--as-of", "2026-11-22", "--workers", "1", *extra),
        ]
    )


def _waiver(clause: str, code: str, agreement: str = "globex-reseller-2025") -> str:
    return (
        f"  - agreement: {agreement}\n"
        f'    clause: "{clause}"\n'
        f"    code: {code}\n"
        "    reason: r\n"
        "    approved_by: a\n"
        "    expires: 2026-12-31\n"
    )


def test_misspelt_and_misplaced_codes_in_waivers_exit_3(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = rules / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        + _waiver("4.1", "exclusivity.forbiden_activity")  # lines 2-7, code on line 4
        + _waiver("5.2", "exclusivity.forbidden_activity")  # code on line 10
        + _waiver("5.2", "cap.unreadable_measure")  # code on line 16
        + _waiver("term", "term.expire")  # code on line 22
        + _waiver("4.1", "cap.exceded", agreement="globex-resseller-2025")  # code on line 28
    )
    assert _run(rules) == ExitCode.INVALID_RULES
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing evaluated
    err = captured.err
    assert (
        f"{waivers}:4:11: error: no finding has the code 'exclusivity.forbiden_activity', so"
        " this waiver would never apply\n"
        "        code: exclusivity.forbiden_activity\n"
        "              ^\n"
        "  help: did you mean 'exclusivity.forbidden_activity'?\n"
    ) in err
    assert (
        f"{waivers}:10:11: error: clause 5.2 is a cap clause, which never reports"
        " 'exclusivity.forbidden_activity' (a code of exclusivity clauses), so this waiver"
        " would never apply\n"
    ) in err
    # Error findings are never waived, so their codes are not offered.
    assert "  help: the codes that fit clause 5.2 are: cap.exceeded\n" in err
    assert (
        f"{waivers}:16:11: error: 'cap.unreadable_measure' findings are errors, and errors are"
        " never waived, so this waiver would never apply\n"
    ) in err
    assert (
        f"{waivers}:22:11: error: no finding has the code 'term.expire', so this waiver would"
        " never apply\n"
    ) in err
    assert "  help: did you mean 'term.expires'?\n" in err
    # An unknown agreement does not hide a misspelt code.
    assert f"{waivers}:26:16: error: no rule file has the agreement 'globex-resseller-2025'" in err
    assert f"{waivers}:28:11: error: no finding has the code 'cap.exceded'" in err
    assert "  help: did you mean 'cap.exceeded'?\n" in err
    assert "6 problem(s) in rule or waivers files; nothing evaluated." in err


def test_a_fitting_code_in_a_waiver_applies(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rules / "waivers.yaml").write_text(
        "waivers:\n" + _waiver("4.1", "exclusivity.forbidden_activity")
    )
    # The one breach (d1) is waived; term.expires is not due within 30 days of 2026-11-22.
    assert _run(rules, "--format", "json") == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["waived"] == 1
    assert [record["subject"] for record in document["waivers"]["waived"]] == ["d1"]


# Documentation.


def test_explain_kind_lists_the_kinds_findings() -> None:
    text = render_kind("cap")
    assert (
        "Findings (code, kind of finding, what it means):\n"
        "  cap.exceeded (breach)\n"
        "      A reported value is above the cap in force that day.\n"
        "  cap.unreadable_measure (error)\n"
        "      A report has no number in the measured field, so the cap could not be checked.\n"
        "Like any clause, it can also have:\n"
        "  evaluation.failed (error)\n"
    ) in text
    assert text.index("\nFindings (") < text.index("\nExample:\n")


def test_clauses_md_lists_every_kinds_findings_and_those_of_any_agreement() -> None:
    text = render_markdown()
    assert "- [Findings and their codes](#findings-and-their-codes)\n" in text
    assert (
        "| `term.expires` | deadline | clause `term` (the agreement's own term) |"
        " The agreement expires within the horizon. |\n"
    ) in text
    assert "| `evaluation.failed` | error | any clause (`*`: the whole agreement) |" in text
    assert (
        "### Findings\n\n"
        "| Code | Kind | Meaning |\n"
        "|---|---|---|\n"
        "| `milestone.missed` | breach | A milestone was not achieved by its due date"
        " (achieved late, or not at all). |\n"
    ) in text
    for codes in codes_by_kind().values():
        for code in codes:
            assert f"| `{code.code}` | {code.kind.value} |" in text
