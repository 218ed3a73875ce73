"""The JSON Schemas (draft 2020-12) of the files authors write beside rule files: scenario files
(`rules/<name>.test.yaml`), the waivers file (`rules/waivers.yaml`) and the fact-type catalogue
(`rules/fact-types.yaml`); and of the notifications file of `run --notify`
(`notifications.example.yaml`). All are generated from their models so that editors suggest and
check fields.

As `checker.authoring.schema` does for rule files, pydantic writes what the models declare and this module
states what pydantic cannot see: the checks models make in validators (a scenario checks
something, an expectation names something, waiver texts are not blank), the checks the scenario
loader makes on facts (written like the lines of a fact file), and names chosen by a pattern
(fact types, field names) written so that any other name is rejected. The models stay the judge.
What JSON Schema cannot say is left to them, so the schemas accept a little they reject: an
impossible day in a date and time (2026-11-31T10:00:00Z), a whole number written as 30.0, a
waiver approved after it expires, and in a notifications file a receiver named in `fallback` or
`to` that is not declared, or a web address written where the schema takes any text (a comment):
`contract-checker validate --notifications FILE` reports those.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaValue

from checker.alerts.notifications_model import FINGERPRINT_PATTERN, NotificationsFile, Route, Snooze
from checker.alerts.receivers import (
    ENVIRONMENT_VARIABLE_PATTERN,
    RECEIVER_NAME_PATTERN,
    EmailReceiver,
    SlackReceiver,
    TeamsReceiver,
    WebhookReceiver,
)
from checker.authoring.schema import (
    DEFS,
    DIALECT,
    non_empty_list,
    present,
    property_of,
    replace_type,
)
from checker.norms.fact_pattern import FACT_TYPE_PATTERN
from checker.rulebook.fact_catalog import CatalogueFile
from checker.rulebook.waivers import WaiverEntry, WaiversFile
from checker.scenarios.model import MATCHED_FIELDS, Expectation, Scenario, ScenarioFile

GENERATED_BY = "Generated from the models by `make docs`."
# A day, as `date.fromisoformat` reads it (the `date` format rejects impossible days).
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# A date and time with its offset from UTC, in the forms ISO 8601 writes most often.
INSTANT_PATTERN = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d"
    r"(:[0-5]\d([.,]\d+)?)?(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)$"
)
# Text that is not empty or only spaces (the waivers model strips it and rejects what is left
# empty).
NOT_BLANK_PATTERN = r"\S"
# WaiverEntry fields its `_not_blank` validator checks.
WAIVER_TEXT_FIELDS = ("id", "agreement", "clause", "subject", "code", "reason", "approved_by")
# Snooze fields its `_not_blank` validator checks.
SNOOZE_TEXT_FIELDS = ("agreement", "clause", "author", "comment")
# `open_count_every` as text: whole days or weeks, at least one (`_interval_days`, then ge=1).
POSITIVE_INTERVAL_PATTERN = r"^\s*0*[1-9]\d*\s*(d|days?|w|weeks?)\s*$"
RECEIVER_MODELS: tuple[type[BaseModel], ...] = (
    SlackReceiver,
    TeamsReceiver,
    WebhookReceiver,
    EmailReceiver,
)
# Fields naming an environment variable (`_environment_variable_name`), by receiver model.
RECEIVER_VARIABLES: dict[type[BaseModel], tuple[str, ...]] = {
    SlackReceiver: ("url_env",),
    TeamsReceiver: ("url_env",),
    WebhookReceiver: ("url_env", "secret_env"),
    EmailReceiver: ("username_env", "password_env"),
}
FACT_SCALAR: JsonSchemaValue = {"type": ["string", "number", "boolean", "null"]}
FACT_EXAMPLE = {
    "id": "d-lidl",
    "type": "deal.closed",
    "at": "2026-03-09T11:05:00Z",
    "partner": "northwind",
    "territory": "DE",
    "channel": "direct",
}


def instant_schema() -> JsonSchemaValue:
    """A day (00:00 UTC) or a date and time with an offset, as `parse_instant` accepts them."""
    return {
        "type": "string",
        "description": "A day written YYYY-MM-DD (meaning 00:00 UTC), or a date and time with "
        "its offset from UTC, e.g. 2026-11-22T09:00:00Z or 2026-11-22T10:00:00+01:00",
        "anyOf": [{"pattern": DATE_PATTERN, "format": "date"}, {"pattern": INSTANT_PATTERN}],
        "examples": ["2026-11-22", "2026-11-22T09:00:00Z", "2026-11-22T10:00:00+01:00"],
    }


def fact_schema() -> JsonSchemaValue:
    """One fact of a scenario, checked as a line of a fact file is (see `fact_from_record`)."""
    return {
        "type": "object",
        "title": "Fact",
        "description": "One piece of activity, written like a line of a fact file: id, type, "
        "at, partner, then any other fields (each a text, number, true/false, or a list of "
        "those)",
        "required": ["id", "type", "at"],
        "properties": {
            "id": {
                "description": "The fact's own id, different for every fact of the scenario",
                "anyOf": [{"type": "string", "pattern": NOT_BLANK_PATTERN}, {"type": "integer"}],
                "examples": ["d-lidl"],
            },
            "type": {
                "description": "The fact type: lowercase words joined by dots",
                "type": "string",
                "pattern": FACT_TYPE_PATTERN,
                "examples": ["deal.closed"],
            },
            "at": {
                "$ref": DEFS + "Instant",
                "description": "When it happened: a day, or a date and time with its offset",
                "examples": ["2026-03-09T11:05:00Z", "2026-03-10"],
            },
            "partner": {
                "description": "The party the activity belongs to (leave out for our own records)",
                "anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}],
                "examples": ["northwind"],
            },
        },
        "additionalProperties": {
            "anyOf": [FACT_SCALAR, {"type": "array", "items": FACT_SCALAR}],
        },
        "examples": [FACT_EXAMPLE],
    }


def build_scenarios_schema() -> dict[str, Any]:
    """The schema of a scenario file as a JSON-ready dict."""
    schema = ScenarioFile.model_json_schema()
    definitions: dict[str, Any] = schema["$defs"]
    definitions["Instant"] = instant_schema()
    definitions["Fact"] = fact_schema()

    scenario = definitions[Scenario.__name__]
    replace_type(property_of(scenario, "as_of"), {"$ref": DEFS + "Instant"})
    property_of(scenario, "facts")["items"] = {"$ref": DEFS + "Fact"}
    scenario["allOf"] = [
        # Scenario._expects_something
        {"anyOf": [non_empty_list("expect"), non_empty_list("expect_not")]},
        {
            "if": {"required": ["only"], "properties": {"only": {"const": True}}},
            "then": {
                "required": ["expect"],
                "properties": {"expect": {"contains": present("clause")}},
            },
        },
    ]
    expectation = definitions[Expectation.__name__]
    # Expectation._names_something
    expectation["allOf"] = [{"anyOf": [present(name) for name in MATCHED_FIELDS]}]
    return _with_header(
        schema,
        "contract-checker scenario file",
        "Scenarios for one agreement, run by `contract-checker test`: each gives some activity "
        "(facts), the day it is checked on (as_of), the findings that must appear (expect) and "
        f"those that must not (expect_not). {GENERATED_BY}",
    )


def build_waivers_schema() -> dict[str, Any]:
    """The schema of a waivers file as a JSON-ready dict."""
    schema = WaiversFile.model_json_schema()
    entry = schema["$defs"][WaiverEntry.__name__]
    for name in WAIVER_TEXT_FIELDS:
        _text_of(property_of(entry, name))["pattern"] = NOT_BLANK_PATTERN
    return _with_header(
        schema,
        "contract-checker waivers file",
        "Exceptions Legal has approved: each sets apart the findings of one agreement's clause "
        "(optionally only one subject and code) through the end of its expiry day. "
        f"{GENERATED_BY}",
    )


def build_fact_types_schema() -> dict[str, Any]:
    """The schema of a fact-type catalogue as a JSON-ready dict."""
    schema = CatalogueFile.model_json_schema()
    _names_by_pattern(property_of(schema, "fact_types"))
    _names_by_pattern(property_of(schema["$defs"]["FactTypeEntry"], "fields"))
    return _with_header(
        schema,
        "contract-checker fact-type catalogue",
        "Every fact type the rule files may name, with the fields facts of that type carry "
        "(besides id, type, at and partner, which every fact has). `contract-checker validate` "
        f"warns about a fact type or field a clause names that is not listed. {GENERATED_BY}",
    )


def build_notifications_schema() -> dict[str, Any]:
    """The schema of a notifications file as a JSON-ready dict."""
    schema = NotificationsFile.model_json_schema()
    definitions: dict[str, Any] = schema["$defs"]
    receivers = property_of(schema, "receivers")
    receivers["propertyNames"] = {"pattern": RECEIVER_NAME_PATTERN}  # `_receiver_references`
    receivers["additionalProperties"] = {"$ref": DEFS + "Receiver"}
    definitions["Receiver"] = _receiver_by_type()
    for model, names in RECEIVER_VARIABLES.items():  # `_environment_variable_name`
        for name in names:
            _text_of(property_of(definitions[model.__name__], name))["pattern"] = (
                ENVIRONMENT_VARIABLE_PATTERN
            )
    email = definitions[EmailReceiver.__name__]  # EmailReceiver._credentials
    email["dependentRequired"] = {
        "username_env": ["password_env"],
        "password_env": ["username_env"],
    }
    receiver_name = {"type": "string", "pattern": RECEIVER_NAME_PATTERN}
    property_of(schema, "fallback")["pattern"] = RECEIVER_NAME_PATTERN
    replace_type(
        property_of(schema, "open_count_every"),  # `_interval_days`, then at least 1
        {
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": POSITIVE_INTERVAL_PATTERN},
            ]
        },
    )
    property_of(schema, "reminder_days")["default"] = list(
        NotificationsFile.model_fields["reminder_days"].get_default(call_default_factory=True)
    )

    # Filters written as one value or a list of values (`_as_list`).
    route = definitions[Route.__name__]
    replace_type(property_of(route, "to"), _one_or_more(receiver_name, at_least_one=True))
    for name in ("owner", "agreement"):
        replace_type(property_of(route, name), _one_or_more({"type": "string"}))
    for name, enum in (("severity", "Severity"), ("kind", "FindingKind")):
        replace_type(property_of(route, name), _one_or_more({"$ref": DEFS + enum}))

    snooze = definitions[Snooze.__name__]
    _text_of(property_of(snooze, "fingerprint"))["pattern"] = FINGERPRINT_PATTERN
    for name in SNOOZE_TEXT_FIELDS:
        _text_of(property_of(snooze, name))["pattern"] = NOT_BLANK_PATTERN
    snooze["allOf"] = [  # Snooze._one_target
        {"oneOf": [present("fingerprint"), present("agreement")]},
        {"if": present("clause"), "then": present("agreement")},
    ]
    return _with_header(
        schema,
        "contract-checker notifications file",
        "Who receives alerts of `contract-checker run --notify` (Slack, Microsoft Teams, any "
        "JSON webhook or email), which findings go where, reminders, and snoozes. Webhook "
        "addresses, signing secrets and SMTP credentials are secrets: name the environment "
        f"variable that holds each. {GENERATED_BY}",
    )


def _receiver_by_type() -> JsonSchemaValue:
    """One receiver: `type` picks the schema the rest of its fields must follow (YAML editors
    follow `if`/`then` to suggest each type's own fields)."""
    types = {_type_of(model): model for model in RECEIVER_MODELS}
    return {
        "type": "object",
        "title": "Receiver",
        "description": "One receiver of alerts; its type decides which fields it takes",
        "required": ["type"],
        "properties": {
            "type": {
                "description": "slack (a Slack incoming webhook), teams (a Microsoft Teams "
                "Workflows webhook), webhook (any service that takes a JSON POST) or email "
                "(through an SMTP server)",
                "enum": list(types),
                "examples": ["slack"],
            }
        },
        "allOf": [
            {
                "if": {"required": ["type"], "properties": {"type": {"const": name}}},
                "then": {"$ref": DEFS + model.__name__},
            }
            for name, model in types.items()
        ],
        "examples": [{"type": "slack", "url_env": "SLACK_LEGAL_WEBHOOK", "min_severity": "medium"}],
    }


def _type_of(model: type[BaseModel]) -> str:
    """The receiver type a model stands for: the value of its `type: Literal[...]` field."""
    [name] = get_args(model.model_fields["type"].annotation)
    return str(name)


def _one_or_more(item: JsonSchemaValue, at_least_one: bool = False) -> JsonSchemaValue:
    """One value or a list of them (`to`); a filter may also be null, meaning no filter."""
    if at_least_one:
        return {"anyOf": [item, {"type": "array", "items": item, "minItems": 1}]}
    return {"anyOf": [item, {"type": "array", "items": item}, {"type": "null"}]}


def _with_header(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    schema["$schema"] = DIALECT
    schema["title"] = title
    schema["description"] = description
    return schema


def _text_of(property_schema: dict[str, Any]) -> dict[str, Any]:
    """The text branch of a property that holds text, or text or nothing (null)."""
    branches = property_schema.get("anyOf", [property_schema])
    texts = [branch for branch in branches if branch.get("type") == "string"]
    if len(texts) != 1:
        raise RuntimeError(
            f"field {property_schema.get('title')} does not hold text: update "
            "checker/authoring/companion_schemas.py"
        )
    found: dict[str, Any] = texts[0]
    return found


def _names_by_pattern(property_schema: dict[str, Any]) -> None:
    """A mapping whose keys follow a pattern: any other key is rejected, not merely left
    unchecked (pydantic writes `patternProperties`, which lets other keys through)."""
    [(pattern, value_schema)] = property_schema.pop("patternProperties").items()
    property_schema["propertyNames"] = {"pattern": pattern}
    property_schema["additionalProperties"] = value_schema
