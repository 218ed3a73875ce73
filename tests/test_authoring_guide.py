"""docs/authoring.md and its worked example in docs/examples/ stay true: the example validates
strictly and its scenarios pass, and every YAML snippet of the guide loads."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from checker.cli import main
from checker.rulebook.agreement import Agreement
from checker.rulebook.waivers import load_waivers

GUIDE = Path("docs/authoring.md")
EXAMPLES = Path("docs/examples")
# The guide's worked example, which brings its scenario file (docs/examples/norms/ holds the
# norm examples, tested apart).
WORKED = [str(EXAMPLES / "acme-distribution.yaml")]
CATALOGUE = "rules/fact-types.yaml"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def _header_and_clauses() -> tuple[dict[str, object], list[str]]:
    blocks = _yaml_blocks()
    header = next(b for b in blocks if b.lstrip().startswith("# yaml-language-server"))
    clauses = [b for b in blocks if re.match(r"\s*(#.*\n\s*)*- id:", b)]
    return yaml.safe_load(header), clauses


def test_worked_example_validates_strictly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--strict", "--fact-types", CATALOGUE, *WORKED]) == 0
    assert capsys.readouterr().out == "OK: 1 agreement, 3 clauses, 1 scenario file.\n"


def test_the_guides_validate_output_is_what_validate_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Section 5: the worked example put into the demo's rules/ folder, then `validate rules/`.
    rules = tmp_path / "rules"
    shutil.copytree("rules", rules)
    for example in EXAMPLES.glob("acme-distribution*.yaml"):
        shutil.copy(example, rules)
    shown = re.search(
        r"When everything is right it prints what it checked:\n\n```\n(.*?)\n```",
        GUIDE.read_text(encoding="utf-8"),
    )
    assert shown is not None
    assert main(["validate", str(rules)]) == 0
    assert capsys.readouterr().out == shown.group(1) + "\n"


def test_worked_example_scenarios_pass_and_cover_every_clause(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["test", "--strict-coverage", *WORKED]) == 0
    assert "3 passed, 0 failed" in capsys.readouterr().out


def test_guide_clause_snippets_load_with_its_header() -> None:
    header, clauses = _header_and_clauses()
    assert len(clauses) == 4  # 3.1, 6.1, 9.2 and the amended 3.1
    for clause in clauses:
        Agreement.model_validate({**header, "clauses": yaml.safe_load(clause)})
    first_three = [yaml.safe_load(c)[0] for c in clauses[:3]]
    agreement = Agreement.model_validate({**header, "clauses": first_three})
    assert [c.id for c in agreement.clauses] == ["3.1", "6.1", "9.2"]


def test_guide_rules_match_the_example_file() -> None:
    header, clauses = _header_and_clauses()
    example = yaml.safe_load((EXAMPLES / "acme-distribution.yaml").read_text(encoding="utf-8"))
    assert {k: v for k, v in example.items() if k != "clauses"} == {
        k: v for k, v in header.items() if k != "clauses"
    }
    assert [yaml.safe_load(c)[0] for c in clauses[:3]] == example["clauses"]


def test_guide_waiver_snippet_loads_against_the_example(tmp_path: Path) -> None:
    waiver = next(b for b in _yaml_blocks() if "\nwaivers:" in b)
    path = tmp_path / "waivers.yaml"
    path.write_text(waiver, encoding="utf-8")
    header, clauses = _header_and_clauses()
    agreement = Agreement.model_validate(
        {**header, "clauses": [yaml.safe_load(c)[0] for c in clauses[:3]]}
    )
    loaded = load_waivers([str(path)], [agreement])
    assert loaded.diagnostics == []
    assert [w.id for w in loaded.waivers] == ["W-2026-07"]


def test_guide_scenarios_are_those_of_the_example() -> None:
    snippet = yaml.safe_load(next(b for b in _yaml_blocks() if "scenarios:" in b))
    example = yaml.safe_load((EXAMPLES / "acme-distribution.test.yaml").read_text(encoding="utf-8"))
    by_name = {scenario["name"]: scenario for scenario in example["scenarios"]}
    assert snippet["agreement"] == example["agreement"]
    for scenario in snippet["scenarios"]:
        assert scenario == by_name[scenario["name"]]
