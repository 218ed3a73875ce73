"""The JSON Schemas of the files authors write beside rule files (scenarios, waivers, fact types)
and of the notifications file: committed and current, pointed at by the first line of every such
file in rules/ and docs/examples/ (and of notifications.example.yaml), followed by those files,
rejecting misspelt keys, agreeing with the models on what is valid, and documented field by field.
Also the `schema` command's --file-type and --all."""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from checker.alerts.notifications_loading import load_notifications
from checker.authoring.companion_schemas import instant_schema
from checker.authoring.schema import SCHEMA_FILE
from checker.authoring.schema_registry import SCHEMA_FILES, file_type_of, schema_line
from checker.cli import main
from checker.common.diagnostics import InputError
from checker.dates.timeutil import parse_instant
from checker.facts.reading import fact_from_record
from checker.rulebook.fact_catalog import CatalogueFile
from checker.rulebook.waivers import WaiverEntry, WaiversFile
from checker.rulebook.yaml_source import load_yaml
from checker.scenarios.model import ScenarioFile

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
EXAMPLES = ROOT / "docs" / "examples"
COMPANIONS = ("scenarios", "waivers", "fact-types", "notifications")
NOTIFICATIONS_EXAMPLE = ROOT / "notifications.example.yaml"
# The schema each directory's files point at, worked out by hand from where they sit.
SCHEMA_DIRECTORY_FROM = {RULES: "../schema/", EXAMPLES: "../../schema/"}


def _authored_files() -> list[tuple[Path, str]]:
    """Every YAML file authors write in rules/ and docs/examples/, with its file type."""
    found = []
    for directory in SCHEMA_DIRECTORY_FROM:
        for path in sorted(directory.iterdir()):
            file_type = file_type_of(path.name)
            if file_type is not None:
                found.append((path, file_type))
    return found


AUTHORED_FILES = _authored_files()


def _validator(file_type: str) -> Draft202012Validator:
    return Draft202012Validator(
        SCHEMA_FILES[file_type].build(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    return {file_type: _validator(file_type) for file_type in SCHEMA_FILES}


def _errors(validator: Draft202012Validator, data: Any) -> list[tuple[list[Any], str]]:
    return [(list(e.absolute_path), e.message) for e in validator.iter_errors(data)]


# The registry -------------------------------------------------------------------------------


def test_every_file_type_has_its_schema_file() -> None:
    assert {file_type: schema.path for file_type, schema in SCHEMA_FILES.items()} == {
        "agreement": "schema/agreement.schema.json",
        "scenarios": "schema/scenarios.schema.json",
        "waivers": "schema/waivers.schema.json",
        "fact-types": "schema/fact-types.schema.json",
        "notifications": "schema/notifications.schema.json",
    }
    assert SCHEMA_FILES["agreement"].path == SCHEMA_FILE


@pytest.mark.parametrize(
    ("name", "file_type"),
    [
        ("globex-reseller.yaml", "agreement"),
        ("globex.yml", "agreement"),
        ("globex-reseller.test.yaml", "scenarios"),
        ("globex.test.yml", "scenarios"),
        ("waivers.yaml", "waivers"),
        ("waivers.yml", "waivers"),
        ("fact-types.yaml", "fact-types"),
        ("fact-types.yml", "fact-types"),
        ("notes.txt", None),
        ("waivers.json", None),
    ],
)
def test_file_type_is_told_by_the_name(name: str, file_type: str | None) -> None:
    assert file_type_of(name) == file_type


def test_schema_line_is_relative_to_the_file() -> None:
    root = str(ROOT)
    assert (
        schema_line(str(RULES / "x.test.yaml"), root, "scenarios")
        == "# yaml-language-server: $schema=../schema/scenarios.schema.json"
    )
    assert (
        schema_line(str(EXAMPLES / "waivers.yaml"), root, "waivers")
        == "# yaml-language-server: $schema=../../schema/waivers.schema.json"
    )
    assert (
        schema_line(str(ROOT / "fact-types.yaml"), root, "fact-types")
        == "# yaml-language-server: $schema=schema/fact-types.schema.json"
    )


# Committed and current ------------------------------------------------------------------------


@pytest.mark.parametrize("file_type", list(SCHEMA_FILES))
def test_committed_schema_is_current(file_type: str) -> None:
    schema = SCHEMA_FILES[file_type]
    committed = (ROOT / schema.path).read_text(encoding="utf-8")
    assert committed == schema.render(), f"{schema.path} is stale: run make docs"


@pytest.mark.parametrize("file_type", COMPANIONS)
def test_schema_is_valid_draft_2020_12(file_type: str) -> None:
    schema = SCHEMA_FILES[file_type].build()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    text = SCHEMA_FILES[file_type].render()
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# Every authored file points at its schema and follows it -------------------------------------


def test_rules_directory_has_a_file_of_every_type() -> None:
    in_rules = {file_type for path, file_type in AUTHORED_FILES if path.parent == RULES}
    assert in_rules == {"agreement", "scenarios", "waivers", "fact-types"}
    assert (EXAMPLES / "acme-distribution.test.yaml", "scenarios") in AUTHORED_FILES


@pytest.mark.parametrize(
    ("path", "file_type"), AUTHORED_FILES, ids=lambda value: getattr(value, "name", value)
)
def test_file_points_editors_at_its_schema(path: Path, file_type: str) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    directory = SCHEMA_DIRECTORY_FROM[path.parent]
    assert first_line == f"# yaml-language-server: $schema={directory}{file_type}.schema.json"


@pytest.mark.parametrize(
    ("path", "file_type"), AUTHORED_FILES, ids=lambda value: getattr(value, "name", value)
)
def test_file_validates_against_its_schema(
    path: Path, file_type: str, validators: dict[str, Draft202012Validator]
) -> None:
    assert _errors(validators[file_type], load_yaml(str(path)).data) == []


# Misspelt keys are rejected -------------------------------------------------------------------


def test_misspelt_scenario_keys_are_rejected(validators: dict[str, Draft202012Validator]) -> None:
    data = load_yaml(str(RULES / "globex-reseller.test.yaml")).data
    scenario = data["scenarios"][0]
    scenario["expect_nto"] = scenario.pop("expect_not")
    scenario["expect"][0]["subjct"] = scenario["expect"][0].pop("subject")
    assert _errors(validators["scenarios"], data) == [
        (["scenarios", 0], "Additional properties are not allowed ('expect_nto' was unexpected)"),
        (
            ["scenarios", 0, "expect", 0],
            "Additional properties are not allowed ('subjct' was unexpected)",
        ),
    ]


def test_misspelt_waiver_key_is_rejected(validators: dict[str, Draft202012Validator]) -> None:
    data = load_yaml(str(RULES / "waivers.yaml")).data
    data["waivers"][1]["aproved_by"] = data["waivers"][1].pop("approved_by")
    assert sorted(_errors(validators["waivers"], data)) == [
        (["waivers", 1], "'approved_by' is a required property"),
        (["waivers", 1], "Additional properties are not allowed ('aproved_by' was unexpected)"),
    ]


def test_misspelt_fact_type_keys_are_rejected(validators: dict[str, Draft202012Validator]) -> None:
    data = load_yaml(str(RULES / "fact-types.yaml")).data
    entry = data["fact_types"]["deal.closed"]
    entry["feilds"] = entry.pop("fields")
    assert _errors(validators["fact-types"], data) == [
        (
            ["fact_types", "deal.closed"],
            "Additional properties are not allowed ('feilds' was unexpected)",
        )
    ]
    data["fact_type"] = data.pop("fact_types")
    messages = sorted(message for _, message in _errors(validators["fact-types"], data))
    assert messages == [
        "'fact_types' is a required property",
        "Additional properties are not allowed ('fact_type' was unexpected)",
    ]


def test_the_notifications_example_points_at_its_schema_and_follows_it(
    validators: dict[str, Draft202012Validator],
) -> None:
    text = NOTIFICATIONS_EXAMPLE.read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "# yaml-language-server: $schema=schema/notifications.schema.json"
    )
    assert text.splitlines()[0] == schema_line(
        str(NOTIFICATIONS_EXAMPLE), str(ROOT), "notifications"
    )
    assert _errors(validators["notifications"], load_yaml(str(NOTIFICATIONS_EXAMPLE)).data) == []


def test_misspelt_notification_keys_are_rejected(
    validators: dict[str, Draft202012Validator],
) -> None:
    data = load_yaml(str(NOTIFICATIONS_EXAMPLE)).data
    data["receivers"]["legal"]["min_severty"] = data["receivers"]["legal"].pop("min_severity")
    data["snoozes"][0]["experes"] = data["snoozes"][0].pop("expires")
    data["reminder_day"] = data.pop("reminder_days")
    assert sorted(_errors(validators["notifications"], data)) == [
        ([], "Additional properties are not allowed ('reminder_day' was unexpected)"),
        (
            ["receivers", "legal"],
            "Additional properties are not allowed ('min_severty' was unexpected)",
        ),
        (["snoozes", 0], "'expires' is a required property"),
        (["snoozes", 0], "Additional properties are not allowed ('experes' was unexpected)"),
    ]


def test_a_receiver_type_picks_the_fields_it_takes(
    validators: dict[str, Draft202012Validator],
) -> None:
    """`max_items` (findings per message) belongs to the generic webhook only; a misspelt type
    is named as such, not buried in one error per receiver type."""
    data = copy.deepcopy(NOTIFICATIONS)
    data["receivers"]["legal"]["max_items"] = 20
    assert _errors(validators["notifications"], data) == [
        (
            ["receivers", "legal"],
            "Additional properties are not allowed ('max_items' was unexpected)",
        )
    ]
    data["receivers"]["legal"] = {"type": "slak", "url_env": "SLACK_LEGAL_WEBHOOK"}
    assert _errors(validators["notifications"], data) == [
        (
            ["receivers", "legal", "type"],
            "'slak' is not one of ['slack', 'teams', 'webhook', 'email']",
        )
    ]


# The schemas and the models agree -------------------------------------------------------------

Change = Callable[[dict[str, Any]], None]
VALID = None
LEFT_OUT = object()  # a field removed, as opposed to written as null (None)
FACT = {"id": "d1", "type": "deal.closed", "at": "2026-03-09T11:05:00Z", "partner": "globex"}
SCENARIOS: dict[str, Any] = {
    "agreement": "globex-test",
    "scenarios": [
        {"name": "one", "as_of": "2026-11-22", "facts": [FACT], "expect": [{"clause": "4.1"}]}
    ],
}
WAIVERS: dict[str, Any] = {
    "waivers": [
        {
            "agreement": "globex-test",
            "clause": "4.1",
            "reason": "Consented in writing",
            "approved_by": "Legal",
            "expires": "2027-03-31",
        }
    ]
}
FACT_TYPES: dict[str, Any] = {
    "fact_types": {"deal.closed": {"description": "A sale", "fields": {"territory": "Country"}}}
}
NOTIFICATIONS: dict[str, Any] = {
    "receivers": {
        "legal": {"type": "slack", "url_env": "SLACK_LEGAL_WEBHOOK"},
        "audit": {"type": "webhook", "url_env": "AUDIT_WEBHOOK"},
    },
    "fallback": "legal",
    "routes": [{"to": ["legal"], "owner": ["emea-legal"]}],
    "snoozes": [
        {
            "agreement": "globex-test",
            "clause": "4.1",
            "author": "Maria Weber",
            "comment": "Settled in the QBR",
            "expires": "2026-12-31",
        }
    ],
}
FINGERPRINT = "0123456789abcdef0123"
SCENARIO = ["scenarios", 0]
EXPECTATION = [*SCENARIO, "expect", 0]
FIRST_FACT = [*SCENARIO, "facts", 0]
WAIVER = ["waivers", 0]
DEAL = ["fact_types", "deal.closed"]
LEGAL = ["receivers", "legal"]
ROUTE = ["routes", 0]
SNOOZE = ["snoozes", 0]


def _scenario(**changes: Any) -> Change:
    """Set (or, given LEFT_OUT, remove) fields of the first scenario."""

    def change(data: dict[str, Any]) -> None:
        _update(data["scenarios"][0], changes)

    return change


def _expectation(**fields: Any) -> Change:
    return _scenario(expect=[fields])


def _fact(**changes: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        _update(data["scenarios"][0]["facts"][0], changes)

    return change


def _waiver(**changes: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        _update(data["waivers"][0], changes)

    return change


def _deal(**changes: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        _update(data["fact_types"]["deal.closed"], changes)

    return change


def _legal(**changes: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        _update(data["receivers"]["legal"], changes)

    return change


def _audit(**changes: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        _update(data["receivers"]["audit"], changes)

    return change


def _route(**changes: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        _update(data["routes"][0], changes)

    return change


def _snooze(**changes: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        _update(data["snoozes"][0], changes)

    return change


def _by_fingerprint(**changes: Any) -> Change:
    """The snooze names one finding by fingerprint instead of a clause."""
    return _snooze(
        **{"fingerprint": FINGERPRINT, "agreement": LEFT_OUT, "clause": LEFT_OUT, **changes}
    )


def _top(**changes: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        _update(data, changes)

    return change


def _update(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if value is LEFT_OUT:
            target.pop(name)
        else:
            target[name] = value


# (what is tried, how the base file changes, where the schema finds the problem: VALID when
# there is none). The model must reject exactly the cases the schema rejects.
SCENARIO_CASES: list[tuple[str, Change, list[Any] | None]] = [
    ("the base scenario file", _scenario(), VALID),
    ("as of an instant in UTC", _scenario(as_of="2026-11-22T09:00:00Z"), VALID),
    ("as of an instant with an offset", _scenario(as_of="2026-11-22T10:00:00+01:00"), VALID),
    (
        "as of an instant without offset",
        _scenario(as_of="2026-11-22T09:00:00"),
        [*SCENARIO, "as_of"],
    ),
    ("as of an impossible day", _scenario(as_of="2026-11-31"), [*SCENARIO, "as_of"]),
    ("as of a word", _scenario(as_of="today"), [*SCENARIO, "as_of"]),
    ("no as-of", _scenario(as_of=LEFT_OUT), SCENARIO),
    ("a horizon of 90 days", _scenario(horizon=90), VALID),
    ("a negative horizon", _scenario(horizon=-1), [*SCENARIO, "horizon"]),
    ("a horizon written as text", _scenario(horizon="30"), [*SCENARIO, "horizon"]),
    ("only, with a clause in expect", _scenario(only=True), VALID),
    ("only written as text", _scenario(only="yes"), [*SCENARIO, "only"]),
    (
        "only, with no clause in expect",
        _scenario(only=True, expect=[{"kind": "breach"}]),
        [*SCENARIO, "expect"],
    ),
    ("neither expect nor expect_not", _scenario(expect=LEFT_OUT), SCENARIO),
    ("empty expect and expect_not", _scenario(expect=[], expect_not=[]), SCENARIO),
    ("only expect_not", _scenario(expect=LEFT_OUT, expect_not=[{"clause": "4.1"}]), VALID),
    ("an expectation naming nothing", _expectation(), EXPECTATION),
    ("an expectation naming only null", _expectation(clause=None), EXPECTATION),
    ("an expectation misspelt", _expectation(clase="4.1"), EXPECTATION),
    (
        "an expectation with every field",
        _expectation(
            clause="4.1",
            kind="breach",
            code="exclusivity.forbidden_activity",
            subject="d1",
            date="2026-03-09",
            severity="high",
            message_contains="lidl",
        ),
        VALID,
    ),
    ("an unknown finding kind", _expectation(kind="braech"), [*EXPECTATION, "kind"]),
    ("a code with capitals", _expectation(code="Exclusivity.X"), [*EXPECTATION, "code"]),
    ("an impossible date", _expectation(date="2026-02-30"), [*EXPECTATION, "date"]),
    ("an unknown severity", _expectation(severity="urgent"), [*EXPECTATION, "severity"]),
    ("an empty message", _expectation(message_contains=""), [*EXPECTATION, "message_contains"]),
    ("a clause id as a number", _expectation(clause=4.1), [*EXPECTATION, "clause"]),
    ("an agreement id with capitals", _top(agreement="Globex"), ["agreement"]),
    ("no scenarios", _top(scenarios=[]), ["scenarios"]),
    ("a fact with a whole-number id", _fact(id=7), VALID),
    ("a fact on a bare date", _fact(at="2026-03-09"), VALID),
    ("a fact without partner", _fact(partner=LEFT_OUT), VALID),
    ("a fact with a null partner", _fact(partner=None), VALID),
    ("a fact with a list of values", _fact(tags=["a", 1, None]), VALID),
    ("a fact without id", _fact(id=LEFT_OUT), FIRST_FACT),
    ("a fact with a blank id", _fact(id="  "), [*FIRST_FACT, "id"]),
    ("a fact without offset", _fact(at="2026-03-09T11:05:00"), [*FIRST_FACT, "at"]),
    ("a fact type with capitals", _fact(type="Deal.Closed"), [*FIRST_FACT, "type"]),
    ("a fact with an empty partner", _fact(partner=""), [*FIRST_FACT, "partner"]),
    ("a fact with a nested mapping", _fact(address={"city": "Bonn"}), [*FIRST_FACT, "address"]),
    ("a fact with a list of mappings", _fact(tags=[{"a": 1}]), [*FIRST_FACT, "tags"]),
]

WAIVER_CASES: list[tuple[str, Change, list[Any] | None]] = [
    ("the base waivers file", _waiver(), VALID),
    (
        "a waiver with every field",
        _waiver(id="W-1", subject="d1", code="recurring.missed", approved_on="2026-03-05"),
        VALID,
    ),
    ("no waivers", _top(waivers=[]), VALID),
    ("approved on nothing (null)", _waiver(approved_on=None), VALID),
    ("a null subject", _waiver(subject=None), VALID),
    ("a null reason", _waiver(reason=None), [*WAIVER, "reason"]),
    ("no reason", _waiver(reason=LEFT_OUT), WAIVER),
    ("a blank reason", _waiver(reason="   "), [*WAIVER, "reason"]),
    ("an empty id", _waiver(id=""), [*WAIVER, "id"]),
    ("a blank subject", _waiver(subject=" "), [*WAIVER, "subject"]),
    ("a clause id as a number", _waiver(clause=4.1), [*WAIVER, "clause"]),
    ("an impossible expiry day", _waiver(expires="2026-02-30"), [*WAIVER, "expires"]),
    ("an expiry in words", _waiver(expires="next year"), [*WAIVER, "expires"]),
    ("a misspelt key", _waiver(expiers="2027-03-31", expires=LEFT_OUT), WAIVER),
    ("a misspelt top-level key", _top(waiver=[], waivers=LEFT_OUT), []),
    ("waivers as a mapping", _top(waivers={"W1": {}}), ["waivers"]),
]

FACT_TYPE_CASES: list[tuple[str, Change, list[Any] | None]] = [
    ("the base catalogue", _deal(), VALID),
    ("a fact type without fields", _deal(fields=LEFT_OUT), VALID),
    ("no fact types", _top(fact_types={}), ["fact_types"]),
    (
        "a fact type with capitals",
        _top(fact_types={"Deal.Closed": {"description": "A sale"}}),
        ["fact_types"],
    ),
    ("a field name with a dash", _deal(fields={"net-amount": "Net"}), [*DEAL, "fields"]),
    ("an empty field description", _deal(fields={"net": ""}), [*DEAL, "fields", "net"]),
    ("a field description as a number", _deal(fields={"net": 5}), [*DEAL, "fields", "net"]),
    ("an empty description", _deal(description=""), [*DEAL, "description"]),
    ("no description", _deal(description=LEFT_OUT), DEAL),
    ("a misspelt key", _deal(fields=LEFT_OUT, feilds={}), DEAL),
]


NOTIFICATION_CASES: list[tuple[str, Change, list[Any] | None]] = [
    ("the base notifications file", _top(), VALID),
    ("a digest of at most 20 findings", _legal(max_items_per_digest=20), VALID),
    ("a digest of no findings", _legal(max_items_per_digest=0), [*LEGAL, "max_items_per_digest"]),
    ("a cap written as text", _legal(max_items_per_digest="50"), [*LEGAL, "max_items_per_digest"]),
    ("a web address for url_env", _legal(url_env="https://hooks.example/x"), [*LEGAL, "url_env"]),
    ("a variable name with a dash", _legal(url_env="SLACK-LEGAL"), [*LEGAL, "url_env"]),
    ("an unknown receiver type", _legal(type="slak"), [*LEGAL, "type"]),
    ("no receiver type", _legal(type=LEFT_OUT), LEGAL),
    ("max_items on a Slack receiver", _legal(max_items=20), LEGAL),
    ("max_items on a generic webhook", _audit(max_items=20), VALID),
    ("a misspelt receiver key", _audit(min_severty="low"), ["receivers", "audit"]),
    (
        "an unknown minimum severity",
        _audit(min_severity="urgent"),
        ["receivers", "audit", "min_severity"],
    ),
    (
        "a receiver name with capitals",
        _top(receivers={**NOTIFICATIONS["receivers"], "Audit": {"type": "teams", "url_env": "A"}}),
        ["receivers"],
    ),
    ("no receivers", _top(receivers={}), ["receivers"]),
    ("a fallback with capitals", _top(fallback="Legal"), ["fallback"]),
    ("no fallback", _top(fallback=LEFT_OUT), []),
    ("a route to one receiver, written alone", _route(to="legal"), VALID),
    ("a route to nobody", _route(to=[]), [*ROUTE, "to"]),
    ("a route to a name with capitals", _route(to=["Legal"]), [*ROUTE, "to"]),
    ("a severity filter written alone", _route(severity="critical"), VALID),
    ("an unknown severity filter", _route(severity=["urgent"]), [*ROUTE, "severity"]),
    ("a kind filter of null", _route(kind=None), VALID),
    ("an unknown kind filter", _route(kind="braech"), [*ROUTE, "kind"]),
    ("an owner filter as a number", _route(owner=5), [*ROUTE, "owner"]),
    ("a misspelt route key", _route(ownr=["x"]), ROUTE),
    ("an open count every 2w", _top(open_count_every="2w"), VALID),
    ("an open count every 3 (days)", _top(open_count_every=3), VALID),
    ("an open count every 0d", _top(open_count_every="0d"), ["open_count_every"]),
    ("an open count every 0", _top(open_count_every=0), ["open_count_every"]),
    ("an open count every month", _top(open_count_every="1 month"), ["open_count_every"]),
    ("reminders 30, 7 and 0 days before", _top(reminder_days=[30, 7, 0]), VALID),
    ("a reminder -1 day before", _top(reminder_days=[30, -1]), ["reminder_days", 1]),
    ("a reminder written as text", _top(reminder_days=["7"]), ["reminder_days", 0]),
    ("attempts written as text", _top(delivery={"attempts": "5"}), ["delivery", "attempts"]),
    ("no attempt at all", _top(delivery={"attempts": 0}), ["delivery", "attempts"]),
    ("a first retry after 1.5 s", _top(delivery={"first_retry_seconds": 1.5}), VALID),
    (
        "no time for an attempt",
        _top(delivery={"timeout_seconds": 0}),
        ["delivery", "timeout_seconds"],
    ),
    ("a misspelt delivery key", _top(delivery={"atempts": 5}), ["delivery"]),
    ("a snooze by fingerprint", _by_fingerprint(), VALID),
    ("a snooze by fingerprint, agreement null", _by_fingerprint(agreement=None), VALID),
    (
        "a fingerprint in capitals",
        _by_fingerprint(fingerprint=FINGERPRINT.upper()),
        [*SNOOZE, "fingerprint"],
    ),
    ("a short fingerprint", _by_fingerprint(fingerprint="0123"), [*SNOOZE, "fingerprint"]),
    (
        "a snooze by fingerprint and agreement",
        _snooze(fingerprint=FINGERPRINT, clause=LEFT_OUT),
        SNOOZE,
    ),
    ("a snooze naming nothing", _snooze(agreement=LEFT_OUT, clause=LEFT_OUT), SNOOZE),
    ("a clause without its agreement", _by_fingerprint(clause="4.1"), SNOOZE),
    ("a whole agreement snoozed", _snooze(clause=LEFT_OUT), VALID),
    ("a blank comment", _snooze(comment="  "), [*SNOOZE, "comment"]),
    ("no author", _snooze(author=LEFT_OUT), SNOOZE),
    ("an impossible expiry day", _snooze(expires="2026-02-30"), [*SNOOZE, "expires"]),
    ("a misspelt snooze key", _snooze(experes="2026-12-31", expires=LEFT_OUT), SNOOZE),
]


def _notifications_file_is_accepted(data: dict[str, Any]) -> bool:
    """What `run --notify` and `validate --notifications` check: the file loaded as written
    (JSON is YAML), with its receiver names and the addresses in it checked too."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "notifications.yaml"
        path.write_text(json.dumps(data), encoding="utf-8")
        try:
            load_notifications(str(path))
        except InputError:
            return False
    return True


def _scenario_file_is_accepted(data: dict[str, Any]) -> bool:
    """What loading a scenario file checks before it looks the agreement up: the model, and
    each fact as a fact file's line."""
    if not _model_accepts(ScenarioFile, data):
        return False
    try:
        for scenario in data["scenarios"]:
            for record in scenario.get("facts", []):
                fact_from_record(record, "scenario.test.yaml", 1)
    except ValueError:
        return False
    return True


def _model_accepts(model: type[BaseModel], data: dict[str, Any]) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


def _cases(
    file_type: str,
    base: dict[str, Any],
    accepts: Callable[[dict[str, Any]], bool],
    cases: list[tuple[str, Change, list[Any] | None]],
) -> list[Any]:
    return [
        pytest.param(file_type, base, accepts, change, problem_at, id=f"{file_type}: {name}")
        for name, change, problem_at in cases
    ]


ALL_CASES = [
    *_cases("scenarios", SCENARIOS, _scenario_file_is_accepted, SCENARIO_CASES),
    *_cases("waivers", WAIVERS, lambda data: _model_accepts(WaiversFile, data), WAIVER_CASES),
    *_cases(
        "fact-types", FACT_TYPES, lambda data: _model_accepts(CatalogueFile, data), FACT_TYPE_CASES
    ),
    *_cases("notifications", NOTIFICATIONS, _notifications_file_is_accepted, NOTIFICATION_CASES),
]


@pytest.mark.parametrize(("file_type", "base", "accepts", "change", "problem_at"), ALL_CASES)
def test_schema_and_model_agree(
    file_type: str,
    base: dict[str, Any],
    accepts: Callable[[dict[str, Any]], bool],
    change: Change,
    problem_at: list[Any] | None,
    validators: dict[str, Draft202012Validator],
) -> None:
    data = copy.deepcopy(base)
    change(data)
    assert accepts(data) is (problem_at is VALID)
    schema_problems = {tuple(path) for path, _ in _errors(validators[file_type], data)}
    assert schema_problems == (set() if problem_at is VALID else {tuple(problem_at)})


WAIVER_TEXTS = {
    name for name, info in WaiverEntry.model_fields.items() if info.annotation in (str, str | None)
}


def test_the_waiver_has_the_text_fields_these_tests_expect() -> None:
    assert {"id", "agreement", "clause", "subject", "code", "reason", "approved_by"} == WAIVER_TEXTS


@pytest.mark.parametrize("name", sorted(WAIVER_TEXTS))
def test_a_blank_waiver_text_is_rejected_by_model_and_schema(
    name: str, validators: dict[str, Draft202012Validator]
) -> None:
    data = copy.deepcopy(WAIVERS)
    data["waivers"][0][name] = " "
    assert not _model_accepts(WaiversFile, data)
    assert [path for path, _ in _errors(validators["waivers"], data)] == [[*WAIVER, name]]


INSTANTS = {
    "2026-11-22": True,
    "2024-02-29": True,
    "2026-11-22T09:00:00Z": True,
    "2026-11-22T10:00:00+01:00": True,
    "2026-11-22T04:00:00-05:00": True,
    "2026-11-22T09:00Z": True,
    "2026-11-22 09:00:00+00:00": True,
    "2026-11-22T09:00:00.250Z": True,
    "2026-11-22T10:00:00+0100": True,
    "2026-11-22T09:00:00": False,
    "2026-11-31": False,
    "2026-02-29": False,
    "2026-13-01T00:00:00Z": False,
    "2026-11-22T24:00:00Z": False,
    "22.11.2026": False,
    "today": False,
    "": False,
}


@pytest.mark.parametrize(("text", "valid"), INSTANTS.items(), ids=repr)
def test_instant_schema_matches_what_instants_accept(text: str, valid: bool) -> None:
    try:
        parse_instant(text)
        parsed = True
    except ValueError:
        parsed = False
    assert parsed is valid
    checker = Draft202012Validator(
        instant_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert checker.is_valid(text) is valid


# Documented field by field ------------------------------------------------------------------


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [(f"(top level).{name}", p) for name, p in schema["properties"].items()]
    for definition_name, definition in schema["$defs"].items():
        for name, property_schema in definition.get("properties", {}).items():
            found.append((f"{definition_name}.{name}", property_schema))
    return found


@pytest.mark.parametrize("file_type", COMPANIONS)
def test_every_field_has_a_description_and_examples(file_type: str) -> None:
    schema = SCHEMA_FILES[file_type].build()
    properties = _properties(schema)
    assert len(properties) >= 3
    undocumented = [
        name
        for name, property_schema in properties
        if not property_schema.get("description") or not property_schema.get("examples")
    ]
    assert undocumented == []


@pytest.mark.parametrize("file_type", COMPANIONS)
def test_every_example_is_valid_where_it_stands(file_type: str) -> None:
    schema = SCHEMA_FILES[file_type].build()
    definitions = schema["$defs"]
    examples = [
        (name, property_schema, example)
        for name, property_schema in _properties(schema)
        for example in property_schema["examples"]
    ]
    examples += [
        (name, definition, example)
        for name, definition in definitions.items()
        for example in definition.get("examples", [])
    ]
    invalid = []
    for name, subschema, example in examples:
        checker = Draft202012Validator(
            {**subschema, "$defs": definitions}, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        invalid += [(name, example, error.message) for error in checker.iter_errors(example)]
    assert invalid == []


def test_mapping_keys_that_follow_a_pattern_reject_others() -> None:
    schema = SCHEMA_FILES["fact-types"].build()
    fact_types = schema["properties"]["fact_types"]
    assert fact_types["propertyNames"] == {"pattern": "^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$"}
    assert fact_types["additionalProperties"] == {"$ref": "#/$defs/FactTypeEntry"}
    assert "patternProperties" not in json.dumps(schema)


# The schema command ---------------------------------------------------------------------------


@pytest.mark.parametrize("file_type", list(SCHEMA_FILES))
def test_cli_writes_one_schema_by_file_type(
    file_type: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = (ROOT / f"schema/{file_type}.schema.json").read_text(encoding="utf-8")
    assert main(["schema", "--file-type", file_type]) == 0
    assert capsys.readouterr().out == committed
    target = tmp_path / "out.json"
    assert main(["schema", "--file-type", file_type, "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == committed


def test_cli_writes_every_schema_to_a_directory(tmp_path: Path) -> None:
    assert main(["schema", "--all", "--output-dir", str(tmp_path)]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "agreement.schema.json",
        "fact-types.schema.json",
        "findings.schema.json",
        "mapping.schema.json",
        "notifications.schema.json",
        "scenarios.schema.json",
        "waivers.schema.json",
    ]
    for path in tmp_path.iterdir():
        assert path.read_text(encoding="utf-8") == (ROOT / "schema" / path.name).read_text(
            encoding="utf-8"
        )


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--all", "--output", "x.json"], "--all writes every schema, each to its own file"),
        (["--all", "--file-type", "waivers"], "--all writes every schema, each to its own file"),
        (["--output-dir", "schema/"], "--output-dir goes with --all"),
    ],
)
def test_cli_rejects_options_that_do_not_go_together(
    arguments: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"contract-checker schema: {problem}")
    assert captured.out == ""


def test_cli_creates_a_missing_output_directory(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-directory" / "schema"
    assert main(["schema", "--all", "--output-dir", str(missing)]) == 0
    assert (missing / "waivers.schema.json").read_text(encoding="utf-8") == (
        ROOT / "schema" / "waivers.schema.json"
    ).read_text(encoding="utf-8")
    assert len(list(missing.iterdir())) == 7


def test_cli_reports_a_directory_it_cannot_create(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("", encoding="utf-8")
    assert main(["schema", "--all", "--output-dir", str(in_the_way / "schema")]) == 2
    assert f"cannot create {in_the_way / 'schema'}: Not a directory" in capsys.readouterr().err


def test_cli_rejects_an_unknown_file_type(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["schema", "--file-type", "waiver"])
    assert stopped.value.code == 2
    assert "invalid choice: 'waiver'" in capsys.readouterr().err


def test_schema_help_lists_every_file_type(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["schema", "--help"])
    out = capsys.readouterr().out
    assert "contract-checker schema --all --output-dir schema/" in out
    assert "  scenarios     scenario files: rules/<name>.test.yaml" in out
    assert "  fact-types    the fact-type catalogue: rules/fact-types.yaml" in out
    assert "  notifications chat alerts of run --notify: notifications.yaml" in out
