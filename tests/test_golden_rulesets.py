"""Golden files: the durable_rules ruleset each demo agreement compiles to on the demo facts.

A change to what the engine is asked to do shows up as a diff of tests/golden/rulesets/*.json.
Regenerate after an intended change with `make golden` (UPDATE_GOLDEN=1), then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from checker.dates.timeutil import SECONDS_PER_DAY, parse_instant
from checker.engine.host import ruleset_definition
from checker.evaluation.evaluate import compile_agreement
from checker.facts.reading import read_facts
from checker.rulebook.loading import load_rulebook

ROOT = Path(__file__).parents[1]
GOLDEN = ROOT / "tests" / "golden" / "rulesets"
AS_OF = parse_instant("2026-11-22")
RULEBOOK = load_rulebook([str(ROOT / "rules")])
DEMO_FACTS = read_facts([str(ROOT / "fixtures" / "demo")], AS_OF).facts


def _compiled_ruleset(agreement_id: str) -> str:
    (agreement,) = [a for a in RULEBOOK.agreements if a.agreement == agreement_id]
    compiled = compile_agreement(agreement, DEMO_FACTS, AS_OF, AS_OF + 30 * SECONDS_PER_DAY)
    assert compiled.errors == []
    return json.dumps(ruleset_definition(compiled.program), indent=1, sort_keys=True) + "\n"


@pytest.mark.parametrize("agreement_id", sorted(a.agreement for a in RULEBOOK.agreements))
def test_compiled_ruleset_matches_its_golden_file(agreement_id: str) -> None:
    path = GOLDEN / f"{agreement_id}.json"
    text = _compiled_ruleset(agreement_id)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text)
    assert path.exists(), f"no golden file {path}: run `make golden`"
    assert text == path.read_text(), f"{path} differs: review, then `make golden` if intended"


def test_every_golden_file_belongs_to_a_demo_agreement() -> None:
    names = {a.agreement for a in RULEBOOK.agreements}
    assert {p.stem for p in GOLDEN.glob("*.json")} <= names
