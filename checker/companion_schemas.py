"""The JSON Schemas (draft 2020-12) of the files authors write beside rule files: scenario files
(`rules/<name>.test.yaml`), the waivers file (`rules/waivers.yaml`) and the fact-type catalogue
(`rules/fact-types.yaml`), generated from their models so that editors suggest and check fields.

As `checker.schema` does for rule files, pydantic writes what the models declare and this module
states what pydantic cannot see: the checks models make in validators (a scenario checks
something, an expectation names something, waiver texts are not blank), the checks the scenario
loader makes on facts (written like the lines of a fact file), and names chosen by a pattern
(fact types, field names) written so that any other name is rejected. The models stay the judge.
What JSON Schema cannot say is left to them, so the schemas accept a little they reject: an
impossible day in a date and time (2026-11-31T10:00:00Z), a whole number written as 30.0, and a
waiver approved after it expires.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import JsonSchemaValue

from checker.fact_catalog import CatalogueFile
from checker.patterns import FACT_TYPE_PATTERN
from checker.scenarios.model import MATCHED_FIELDS, Expectation, Scenario, ScenarioFile
from checker.schema import DEFS, DIALECT, non_empty_list, present, property_of, replace_type
from checker.waivers import WaiverEntry, WaiversFile

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
            "checker/companion_schemas.py"
        )
    found: dict[str, Any] = texts[0]
    return found


def _names_by_pattern(property_schema: dict[str, Any]) -> None:
    """A mapping whose keys follow a pattern: any other key is rejected, not merely left
    unchecked (pydantic writes `patternProperties`, which lets other keys through)."""
    [(pattern, value_schema)] = property_schema.pop("patternProperties").items()
    property_schema["propertyNames"] = {"pattern": pattern}
    property_schema["additionalProperties"] = value_schema
