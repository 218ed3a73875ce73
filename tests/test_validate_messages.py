"""What `contract-checker validate` prints for broken rule files, frozen as golden files.

Each `tests/golden/errors/<case>.yaml` is a broken rule file and `<case>.txt` the exact output of
`contract-checker validate tests/golden/errors/<case>.yaml` (run from the repository root, so paths
are relative). The fact-type catalogue next to them is found automatically. After an intended
change of wording, regenerate with `make golden` (UPDATE_GOLDEN=1) and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.cli import main
from checker.common.diagnostics import Level
from checker.findings.exit_codes import ExitCode
from checker.rulebook.loading import is_rule_file, load_rulebook

ROOT = Path(__file__).parents[1]
CASES = Path("tests") / "golden" / "errors"
CASE_NAMES = sorted(path.stem for path in (ROOT / CASES).glob("*.yaml") if is_rule_file(path.name))
TEN_MISTAKES = ROOT / CASES / "ten-mistakes.yaml"


def _validate(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.chdir(ROOT)
    code = main(["validate", str(CASES / f"{case}.yaml")])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


@pytest.mark.parametrize("case", CASE_NAMES)
def test_validate_output_matches_its_golden_file(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = _validate(case, monkeypatch, capsys)
    golden = ROOT / CASES / f"{case}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(output)
    assert golden.exists(), f"no golden file {golden}: run `make golden`"
    assert output == golden.read_text(), f"{golden} differs: review, then `make golden` if intended"
    failed = output.splitlines()[-1].startswith("FAILED")
    assert code == (ExitCode.INVALID_RULES if failed else ExitCode.OK)


def test_every_golden_output_has_its_rule_file_and_the_set_is_complete() -> None:
    outputs = {path.stem for path in (ROOT / CASES).glob("*.txt")}
    assert outputs == set(CASE_NAMES)
    assert {
        "ten-mistakes",
        "duplicate-clause-ids",
        "windows",
        "term-dates",
        "dates-outside-term",
        "renewing-term",
        "unknown-facts",
        "schema-mistakes",
    } <= outputs


def test_every_golden_problem_is_positioned_and_has_a_help_line() -> None:
    for name in CASE_NAMES:
        text = (ROOT / CASES / f"{name}.txt").read_text()
        blocks = text.split(f"{CASES}/{name}.yaml:")[1:]
        assert blocks, name
        for block in blocks:
            line, column = block.split(":")[:2]
            assert int(line) > 0
            assert int(column) > 0
            assert "\n    " in block  # the offending line
            assert "^\n" in block  # the caret
            assert "  help: " in block, f"{name}: no help line in {block!r}"


def test_ten_different_mistakes_give_ten_positioned_problems_in_one_run() -> None:
    book = load_rulebook([str(TEN_MISTAKES)])
    # Each mistake sits on the line after a "# mistake:" comment.
    lines = TEN_MISTAKES.read_text().splitlines()
    marked = [number + 1 for number, line in enumerate(lines, start=1) if "# mistake:" in line]
    assert len(marked) == 10
    assert sorted(d.line for d in book.diagnostics) == marked
    assert all(d.column > 0 and d.help for d in book.diagnostics)
    # Worked out by hand from the file: (line, level, what).
    assert [(d.line, d.level, d.message.split(" ")[0]) for d in book.diagnostics] == [
        (14, Level.ERROR, "unknown"),  # teritory
        (17, Level.WARNING, "unknown"),  # deal.closd
        (20, Level.WARNING, "fact"),  # chanel
        (23, Level.ERROR, "this"),  # amendment before the effective date
        (25, Level.ERROR, "clause"),  # id 4.1 again
        (28, Level.ERROR, "unknown"),  # noncompete
        (35, Level.ERROR, "'2026-02-30'"),
        (37, Level.ERROR, "'launch'"),  # due before the term
        (46, Level.ERROR, "'72"),  # 72 hrs
        (52, Level.ERROR, "this"),  # closes before it opens
    ]
    assert "line 10" in book.diagnostics[4].message
    assert book.agreements == []


def test_warnings_pass_unless_strict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    case = str(CASES / "unknown-facts.yaml")
    assert main(["validate", case]) == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out == "OK: 1 agreement, 6 clauses; 9 warnings.\n"
    assert captured.err.count(": warning: ") == 9
    assert ": error: " not in captured.err
    assert main(["validate", "--strict", case]) == ExitCode.INVALID_RULES
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.endswith(
        "FAILED: 0 errors, 9 warnings (--strict counts warnings as failures).\n"
    )


def test_strict_passes_a_clean_rulebook(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate", "--strict", "rules/"]) == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out.startswith("OK: ")
    assert "warning" not in captured.out
    assert captured.err == ""


def test_errors_and_warnings_are_counted_apart(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = _validate("ten-mistakes", monkeypatch, capsys)
    assert code == ExitCode.INVALID_RULES
    assert output.count(": error: ") == 8
    assert output.count(": warning: ") == 2
    assert output.endswith("FAILED: 8 errors, 2 warnings.\n")
