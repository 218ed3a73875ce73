"""The rule-file JSON Schema: committed and current, valid, followed by every rule file in rules/,
agreeing with the models on what is valid, and documented field by field."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from checker.authoring.schema import (
    DIALECT,
    DURATION_PATTERN,
    SCHEMA_FILE,
    build_schema,
    render_schema,
)
from checker.cli import main
from checker.dates.timeutil import parse_duration
from checker.rulebook.agreement import Agreement
from checker.rulebook.loading import is_rule_file
from checker.rulebook.yaml_source import load_yaml

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/agreement.schema.json"
RULE_FILES = sorted(path for path in RULES.iterdir() if is_rule_file(path.name))


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return build_schema()


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(validator: Draft202012Validator, data: Any) -> list[tuple[list[Any], str]]:
    return [(list(e.absolute_path), e.message) for e in validator.iter_errors(data)]


# Committed, current, well formed ---------------------------------------------------------


def test_committed_schema_is_current() -> None:
    committed = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == render_schema(), "schema/agreement.schema.json is stale: run make docs"


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema" == DIALECT
    Draft202012Validator.check_schema(schema)


def test_output_is_deterministic_sorted_and_ends_with_a_newline() -> None:
    text = render_schema()
    assert text == render_schema()
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_cli_writes_the_schema_to_a_file_and_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "agreement.schema.json"
    assert main(["schema", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_schema()
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == render_schema()


def test_cli_makes_the_folder_of_its_output(tmp_path: Path) -> None:
    target = tmp_path / "schema" / "findings" / "findings.schema.json"
    assert main(["schema", "--findings", "--output", str(target)]) == 0
    assert target.read_bytes() == (ROOT / "schema" / "findings.schema.json").read_bytes()


def test_cli_reports_an_output_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    target = blocker / "agreement.schema.json"  # a folder cannot be made inside a file
    assert main(["schema", "--output", str(target)]) == 2
    # The folder to make is the file: os.makedirs says it exists (and is no folder).
    assert capsys.readouterr().err == f"cannot write {target}: File exists\n"


def test_schema_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["schema", "--help"])
    assert (
        "contract-checker schema --output schema/agreement.schema.json" in capsys.readouterr().out
    )


# rules/ ------------------------------------------------------------------------------------


def test_rules_directory_has_rule_files() -> None:
    names = {path.name for path in RULE_FILES}
    assert {"globex-reseller.yaml", "hooli-saas.yaml", "initech-data.yaml"} <= names
    assert "waivers.yaml" not in names


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: path.name)
def test_rule_file_points_editors_at_the_schema(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == SCHEMA_LINE


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: path.name)
def test_rule_file_validates_against_the_schema(
    path: Path, validator: Draft202012Validator
) -> None:
    assert _errors(validator, load_yaml(str(path)).data) == []


def test_misspelt_clause_key_is_rejected(validator: Draft202012Validator) -> None:
    data = load_yaml(str(RULES / "globex-reseller.yaml")).data
    clause = data["clauses"][0]
    assert clause["kind"] == "exclusivity"
    clause["territroy"] = clause.pop("territory")
    assert _errors(validator, data) == [
        (["clauses", 0], "Additional properties are not allowed ('territroy' was unexpected)")
    ]


def test_misspelt_top_level_key_is_rejected(validator: Draft202012Validator) -> None:
    # The demo files name their parties under `parties:` now, so `partner` is no longer a key to
    # misspell there; `owner` is required in every rule file.
    data = load_yaml(str(RULES / "globex-reseller.yaml")).data
    data["ownr"] = data.pop("owner")
    assert sorted(_errors(validator, data)) == [
        ([], "'owner' is a required property"),
        ([], "Additional properties are not allowed ('ownr' was unexpected)"),
    ]


def test_unknown_kind_is_rejected(validator: Draft202012Validator) -> None:
    data = load_yaml(str(RULES / "globex-reseller.yaml")).data
    data["clauses"][0]["kind"] = "exclusivty"
    [(path, message)] = _errors(validator, data)
    assert path == ["clauses", 0, "kind"]
    assert message.startswith("'exclusivty' is not one of ['cap', 'data_sharing', 'exclusivity'")


# The schema and the models agree -------------------------------------------------------------

BASE: dict[str, Any] = {
    "agreement": "globex-test",
    "title": "Test agreement",
    "partner": "globex",
    "effective": "2025-01-01",
    "expires": "2027-12-31",
    "owner": "legal",
    "clauses": [
        {
            "id": "5.2",
            "title": "Licensed seats",
            "kind": "cap",
            "measure": {"fact": "usage.reported", "field": "seats"},
            "max": 250,
        }
    ],
}
RESPONSE = {
    "id": "9.3",
    "title": "Incident notice",
    "kind": "response_time",
    "after": {"fact": "incident.detected"},
    "expect": {"fact": "notice.sent"},
    "within": "72h",
}
RECURRING = {
    "id": "5.1",
    "title": "Royalties",
    "kind": "recurring",
    "period": "quarter",
    "deliverable": {"fact": "payment.received"},
    "due_after_period_end": "30d",
}


def _with_clause(clause: dict[str, Any], **agreement: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["clauses"] = [clause]
        data.update(agreement)

    return change


def _cap(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["clauses"][0].update(changes)

    return change


def _response(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return _with_clause({**RESPONSE, **changes})


def _top(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for name, value in changes.items():
            if value is None:
                data.pop(name)
            else:
                data[name] = value

    return change


MINIMUM = {"measure": {"fact": "a.b", "field": "n"}, "at_least": 5}
MILESTONES = {
    "id": "6",
    "title": "Milestones",
    "kind": "milestones",
    "milestones": [{"name": "beta", "due": "2026-03-31"}],
    "achieved": {"fact": "milestone.achieved"},
}
ON_JULY_1 = {"effective": "2026-07-01"}
FIRST = ["clauses", 0]
VALID = None

# (what is tried, how the base agreement changes, where the schema finds the problem: VALID when
# there is none). The models must reject exactly the cases the schema rejects.
CASES: list[tuple[str, Callable[[dict[str, Any]], None], list[Any] | None]] = [
    ("the base agreement", _cap(), VALID),
    ("duration in hours", _response(within="72h"), VALID),
    ("duration in words", _response(within="6 months"), VALID),
    ("duration without a unit", _response(within="72"), [*FIRST, "within"]),
    ("duration as a bare number", _response(within=72), [*FIRST, "within"]),
    ("duration in an unknown unit", _response(within="3 fortnights"), [*FIRST, "within"]),
    (
        "business days with a calendar",
        _with_clause({**RESPONSE, "within": "10 business days"}, calendar={"country": "DE"}),
        VALID,
    ),
    ("one carve-out as a mapping", _response(after={"fact": "a.b", "unless": {"x": 1}}), VALID),
    (
        "carve-outs as a list",
        _response(after={"fact": "a.b", "unless": [{"x": 1}, {"y": 2}]}),
        VALID,
    ),
    (
        "a condition on a field name with a dash",
        _response(after={"fact": "a.b", "where": {"a-b": 1}}),
        [*FIRST, "after", "where"],
    ),
    (
        "an empty list of accepted values",
        _response(after={"fact": "a.b", "where": {"x": []}}),
        [*FIRST, "after", "where", "x"],
    ),
    (
        "a null accepted value",
        _response(after={"fact": "a.b", "where": {"x": None}}),
        [*FIRST, "after", "where", "x"],
    ),
    (
        "a fact type with capitals",
        _response(after={"fact": "Deal.Closed"}),
        [*FIRST, "after", "fact"],
    ),
    ("an unknown severity", _cap(severity="urgent"), [*FIRST, "severity"]),
    ("a cap that is not a number", _cap(max="lots"), [*FIRST, "max"]),
    ("an impossible date", _top(effective="2026-02-30"), ["effective"]),
    ("both expires and a renewing term", _top(term={"initial": "2y"}), []),
    ("neither expires nor a renewing term", _top(expires=None), []),
    ("a renewing term instead of expires", _top(expires=None, term={"initial": "2y"}), VALID),
    ("an agreement id with capitals", _top(agreement="Globex"), ["agreement"]),
    ("no clauses", _top(clauses=[]), ["clauses"]),
    ("an amendment changing the cap", _cap(amended=[{**ON_JULY_1, "max": 300}]), VALID),
    (
        "an amendment with a misspelt field",
        _cap(amended=[{**ON_JULY_1, "maxx": 3}]),
        [*FIRST, "amended", 0],
    ),
    (
        "an amendment of another kind's field",
        _cap(amended=[{**ON_JULY_1, "within": "3d"}]),
        [*FIRST, "amended", 0],
    ),
    (
        "an amendment changing the kind",
        _cap(amended=[{**ON_JULY_1, "kind": "cap"}]),
        [*FIRST, "amended", 0],
    ),
    ("an amendment without its date", _cap(amended=[{"max": 300}]), [*FIRST, "amended", 0]),
    (
        "an amendment with a bad duration",
        _response(amended=[{**ON_JULY_1, "within": "soon"}]),
        [*FIRST, "amended", 0, "within"],
    ),
    ("a recurring deliverable with its due time", _with_clause(RECURRING), VALID),
    (
        "a recurring deliverable without its due time",
        _with_clause({**RECURRING, "due_after_period_end": None}),
        [*FIRST, "due_after_period_end"],
    ),
    (
        "a recurring due time without a deliverable",
        _with_clause({**RECURRING, "deliverable": None, "minimum": MINIMUM}),
        FIRST,
    ),
    (
        "a material breach time without a deliverable",
        _with_clause(
            {
                **RECURRING,
                "deliverable": None,
                "due_after_period_end": None,
                "material_breach_after": "60d",
                "minimum": MINIMUM,
            }
        ),
        [*FIRST, "deliverable"],
    ),
    (
        "a recurring measure field with a space",
        _with_clause(
            {**RECURRING, "minimum": {**MINIMUM, "measure": {"fact": "a.b", "field": "net amount"}}}
        ),
        [*FIRST, "minimum"],
    ),
    (
        "a termination clause with nothing in it",
        _with_clause({"id": "14", "title": "T", "kind": "termination", "on_termination": []}),
        FIRST,
    ),
    (
        "a renegotiation clause with no windows",
        _with_clause({"id": "9", "title": "R", "kind": "renegotiation", "windows": []}),
        FIRST,
    ),
    (
        "a renegotiation window",
        _with_clause(
            {
                "id": "9",
                "title": "R",
                "kind": "renegotiation",
                "windows": [{"opens": "2026-01-01", "closes": "2026-03-31"}],
            }
        ),
        VALID,
    ),
    (
        "a conditional category without a condition",
        _with_clause(
            {
                "id": "8",
                "title": "D",
                "kind": "data_sharing",
                "conditional": [{"category": "health", "requires_consent": False}],
            }
        ),
        [*FIRST, "conditional", 0],
    ),
    (
        "a conditional category needing consent",
        _with_clause(
            {
                "id": "8",
                "title": "D",
                "kind": "data_sharing",
                "conditional": [{"category": "health", "requires_consent": True}],
            }
        ),
        VALID,
    ),
    ("milestones", _with_clause(MILESTONES), VALID),
    (
        "a milestone name field with a space",
        _with_clause({**MILESTONES, "name_field": "mile stone"}),
        [*FIRST, "name_field"],
    ),
]


@pytest.mark.parametrize(
    ("change", "problem_at"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_schema_and_models_agree(
    change: Callable[[dict[str, Any]], None],
    problem_at: list[Any] | None,
    validator: Draft202012Validator,
) -> None:
    data = copy.deepcopy(BASE)
    change(data)
    try:
        Agreement.model_validate(data)
        model_accepts = True
    except ValidationError:
        model_accepts = False
    assert model_accepts is (problem_at is VALID)
    schema_problems = [path for path, _ in _errors(validator, data)]
    assert schema_problems == ([] if problem_at is VALID else [problem_at])


DURATIONS = {
    "72h": True,
    "72 hours": True,
    "1 hour": True,
    "30d": True,
    "30 days": True,
    "1 day": True,
    "2w": True,
    "2 weeks": True,
    "6m": True,
    "6 months": True,
    "1y": True,
    "2 years": True,
    "10bd": True,
    "10 business days": True,
    "1 business day": True,
    "5 working days": True,
    " 30d ": True,
    "72": False,
    "h": False,
    "-5d": False,
    "1.5d": False,
    "30 Days": False,
    "3 fortnights": False,
    "30dd": False,
    "10 businessdays": False,
    "": False,
}


@pytest.mark.parametrize(("text", "valid"), DURATIONS.items(), ids=repr)
def test_duration_pattern_matches_what_durations_accept(text: str, valid: bool) -> None:
    try:
        parse_duration(text)
        parsed = True
    except ValueError:
        parsed = False
    assert parsed is valid
    assert (re.search(DURATION_PATTERN, text) is not None) is valid


# Documented field by field ------------------------------------------------------------------


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from ((f"(top level).{name}", p) for name, p in schema["properties"].items())
    for definition_name, definition in schema["$defs"].items():
        for name, property_schema in definition.get("properties", {}).items():
            yield f"{definition_name}.{name}", property_schema


def test_every_field_has_a_description_and_examples(schema: dict[str, Any]) -> None:
    undocumented = [
        name
        for name, property_schema in _properties(schema)
        if not property_schema.get("description") or not property_schema.get("examples")
    ]
    assert undocumented == []


def test_every_example_is_valid_where_it_stands(schema: dict[str, Any]) -> None:
    """Each example of a field (and each kind's whole example) passes that field's schema."""
    definitions = schema["$defs"]
    examples: list[tuple[str, dict[str, Any], Any]] = [
        (name, property_schema, example)
        for name, property_schema in _properties(schema)
        for example in property_schema["examples"]
    ]
    examples += [
        (name, definition, example)
        for name, definition in definitions.items()
        for example in definition.get("examples", [])
    ]
    assert len([name for name, _, _ in examples if name == "Cap"]) == 1
    invalid = []
    for name, subschema, example in examples:
        checker = Draft202012Validator(
            {**subschema, "$defs": definitions}, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        invalid += [(name, example, error.message) for error in checker.iter_errors(example)]
    assert invalid == []


def test_every_kind_has_its_own_amendments(schema: dict[str, Any]) -> None:
    definitions = schema["$defs"]
    kinds = definitions["Clause"]["properties"]["kind"]["enum"]
    assert len(kinds) == 15  # eleven clause kinds and the four norms
    cap_amendment = definitions["CapAmendment"]
    assert cap_amendment["required"] == ["effective"]
    assert cap_amendment["additionalProperties"] is False
    assert sorted(cap_amendment["properties"]) == [
        "deadline_severity",
        "effective",
        "max",
        "measure",
        "severity",
        "title",
    ]
    assert definitions["Cap"]["properties"]["amended"]["items"] == {"$ref": "#/$defs/CapAmendment"}


def test_clauses_are_chosen_by_kind(schema: dict[str, Any]) -> None:
    clause = schema["$defs"]["Clause"]
    assert clause["required"] == ["kind"]
    branches = {
        branch["if"]["properties"]["kind"]["const"]: branch["then"] for branch in clause["allOf"]
    }
    assert branches["cap"] == {"$ref": "#/$defs/Cap"}
    assert branches["non_solicitation"] == {"$ref": "#/$defs/NonSolicitation"}
    assert sorted(branches) == clause["properties"]["kind"]["enum"]


def test_durations_and_dates_are_strings(schema: dict[str, Any]) -> None:
    duration = schema["$defs"]["Duration"]
    assert duration["type"] == "string"
    assert duration["pattern"] == DURATION_PATTERN
    assert schema["properties"]["effective"]["format"] == "date"
    minimum = schema["$defs"]["Minimum"]["properties"]["right_for"]
    assert minimum["$ref"] == "#/$defs/Duration"
    assert minimum["default"] == "90 days"
