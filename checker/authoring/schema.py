"""The JSON Schema (draft 2020-12) of a rule file, generated from the pydantic models, so that
editors can suggest and check fields as authors type and other tools can validate rule files.

Pydantic writes the schema of the models; this module then states what pydantic cannot see:
durations are text such as `30d`, checks that the models make in validators (field names, "give
either 'expires' or 'term'"), one amendment schema per clause kind, and clauses chosen by their
`kind` (with `if`/`then`, which YAML editors follow to suggest each kind's own fields). The
models stay the judge: the schema accepts what they accept as closely as JSON Schema can say it,
and never anything they reject on the fields it describes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from checker.authoring.kind_docs import kind_doc, models_in
from checker.clauses import KINDS
from checker.clauses.base import Amendment, Clause
from checker.clauses.data_sharing import ConditionalCategory
from checker.clauses.milestones import Milestones
from checker.clauses.recurring import Deliverable, Measure, Recurring
from checker.clauses.renegotiation import Performance, Renegotiation
from checker.clauses.termination import Termination
from checker.dates.timeutil import DURATION_PATTERN, Duration
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.rulebook.agreement import Agreement

SCHEMA_FILE = "schema/agreement.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFS = "#/$defs/"

DURATION_EXAMPLES = ["72h", "30d", "2w", "6 months", "1y", "10 business days", "10bd"]
DURATION_DESCRIPTION = (
    "A whole number and a unit: 72h (hours), 30d or 30 days, 2w (weeks), 6 months, 1y, "
    "or 10 business days / 10bd (needs the agreement's calendar)"
)

# Fields whose validators require a fact field name (letters, digits and _).
FIELD_NAME_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {
    Deliverable: ("period_field",),
    Measure: ("field",),
    Milestones: ("name_field",),
    Performance: ("field",),
}
# Clause fields an amendment may not change (the models reject them: see Clause).
UNAMENDABLE = ("id", "kind", "amended")


def present(name: str) -> JsonSchemaValue:
    """The object has field `name`, and not as an empty value (null means "left out")."""
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def non_empty_list(name: str) -> JsonSchemaValue:
    return {"required": [name], "properties": {name: {"minItems": 1}}}


def absent(name: str) -> JsonSchemaValue:
    return {"not": present(name)}


# Checks the models make in validators, restated for editors (each mirrors one validator).
CROSS_FIELD_RULES: dict[type[BaseModel], list[JsonSchemaValue]] = {
    Agreement: [
        {
            "oneOf": [
                present("expires"),
                present("term"),
                {"required": ["open_ended"], "properties": {"open_ended": {"const": True}}},
            ]
        },
        {"anyOf": [present("parties"), present("partner")]},
    ],
    ConditionalCategory: [
        {
            "anyOf": [
                present("purposes"),
                {
                    "required": ["requires_consent"],
                    "properties": {"requires_consent": {"const": True}},
                },
            ]
        }
    ],
    Recurring: [
        {"anyOf": [present("deliverable"), present("minimum")]},
        {
            "if": present("deliverable"),
            "then": present("due_after_period_end"),
            "else": absent("due_after_period_end"),
        },
        {"if": present("material_breach_after"), "then": present("deliverable")},
    ],
    Renegotiation: [
        {
            "anyOf": [
                non_empty_list("windows"),
                present("anniversary_window"),
                present("performance"),
            ]
        }
    ],
    Termination: [
        {
            "anyOf": [
                present("change_of_control"),
                present("for_convenience"),
                non_empty_list("on_termination"),
            ]
        }
    ],
}


class _RuleFileSchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, with durations written as rule files write them."""

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        if schema["cls"] is Duration:
            return duration_schema()
        return super().dataclass_schema(schema)

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, Duration):
            return str(dft)
        return super().encode_default(dft)


def duration_schema() -> JsonSchemaValue:
    return {
        "type": "string",
        "pattern": DURATION_PATTERN,
        "description": DURATION_DESCRIPTION,
        "examples": list(DURATION_EXAMPLES),
    }


def conditions_schema() -> JsonSchemaValue:
    """`where`, and each `unless` entry: fact field names and the value (or values) they need."""
    scalar: JsonSchemaValue = {"type": ["string", "number", "boolean"]}
    return {
        "type": "object",
        "description": "Fact fields and the value each must have, or a list of values meaning "
        "any of these",
        "propertyNames": {"pattern": FIELD_NAME_PATTERN},
        "additionalProperties": {
            "anyOf": [scalar, {"type": "array", "items": scalar, "minItems": 1}]
        },
        "examples": [{"channel": "direct", "territory": ["DE", "AT"]}],
    }


def build_schema() -> dict[str, Any]:
    """The rule-file schema as a JSON-ready dict."""
    schema = Agreement.model_json_schema(schema_generator=_RuleFileSchemaGenerator)
    definitions: dict[str, Any] = schema["$defs"]
    models = {model.__name__: model for model in _models_used_by(Agreement)}
    if len(models) != len(set(_models_used_by(Agreement))):
        raise RuntimeError("two models share a name; the schema would mix their definitions")
    models[Agreement.__name__] = Agreement

    definitions["Conditions"] = conditions_schema()
    for name, model in models.items():
        definition = schema if model is Agreement else definitions[name]
        if issubclass(model, FactPattern):
            _refine_fact_pattern(definition)
        for field in FIELD_NAME_FIELDS.get(model, ()):
            property_of(definition, field)["pattern"] = FIELD_NAME_PATTERN
        if model in CROSS_FIELD_RULES:
            definition["allOf"] = copy.deepcopy(CROSS_FIELD_RULES[model])

    for kind, model in sorted(KINDS.items()):
        _refine_kind(definitions, kind, model)
    definitions.pop(Amendment.__name__)
    definitions["Clause"] = _clause_by_kind()
    property_of(schema, "clauses")["items"] = {"$ref": DEFS + "Clause"}

    schema["$schema"] = DIALECT
    schema["title"] = "contract-checker rule file"
    schema["description"] = (
        "One partnership agreement: its parties, term and clauses. Generated from the models "
        "by `make docs`; see docs/clauses.md for every clause kind."
    )
    return schema


def render_schema() -> str:
    """The rule-file schema as committed."""
    return render_json(build_schema())


def render_json(schema: dict[str, Any]) -> str:
    """A schema as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _models_used_by(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """Every model reachable from `model`'s fields (not `model` itself), each once."""
    seen: set[type[BaseModel]] = set()
    pending = [model]
    while pending:
        current = pending.pop()
        for info in current.model_fields.values():
            for used in models_in(info.annotation):
                if used not in seen:
                    seen.add(used)
                    pending.append(used)
                    yield used


def property_of(definition: dict[str, Any], name: str) -> dict[str, Any]:
    """A property's schema; fails loudly when a model field this module refines was renamed."""
    try:
        found: dict[str, Any] = definition["properties"][name]
    except KeyError:
        raise RuntimeError(
            f"schema of {definition.get('title')} has no field '{name}': update the schema "
            "module that refines it (checker/authoring/schema.py or checker/authoring/companion_schemas.py)"
        ) from None
    return found


def _refine_fact_pattern(definition: dict[str, Any]) -> None:
    """`where` is one set of conditions; `unless` one set or a list of them (both accepted)."""
    where = property_of(definition, "where")
    unless = property_of(definition, "unless")
    replace_type(where, {"$ref": DEFS + "Conditions"})
    conditions = {"$ref": DEFS + "Conditions"}
    replace_type(unless, {"anyOf": [conditions, {"type": "array", "items": conditions}]})


def replace_type(property_schema: dict[str, Any], new_type: dict[str, Any]) -> None:
    """Keep a property's documentation (description, examples, default), replace what it holds."""
    documentation = ("description", "examples", "default", "title")
    kept = {key: value for key, value in property_schema.items() if key in documentation}
    property_schema.clear()
    property_schema.update(kept, **new_type)


def _refine_kind(definitions: dict[str, Any], kind: str, model: type[Clause]) -> None:
    """A kind's description and example, its `kind` field, and amendments of its own fields."""
    definition = definitions[model.__name__]
    doc = kind_doc(kind)
    example = doc.example_clause()
    definition["description"] = f"{doc.summary} {doc.introduction.split(chr(10))[0]}"
    definition["examples"] = [example]
    definition["properties"]["kind"].update(
        description=f"The kind of clause: {kind}", examples=[kind]
    )

    amendment_name = f"{model.__name__}Amendment"
    generic = definitions[Amendment.__name__]
    changeable = {
        name: _without_default(value)
        for name, value in definition["properties"].items()
        if name not in UNAMENDABLE
    }
    definitions[amendment_name] = {
        "type": "object",
        "title": amendment_name,
        "description": f"A change to a {kind} clause: the day it takes effect and the fields it "
        "changes, written as they read from that day on",
        "properties": {"effective": generic["properties"]["effective"], **changeable},
        "required": ["effective"],
        "additionalProperties": False,
    }
    property_of(definition, "amended")["items"] = {"$ref": DEFS + amendment_name}
    # The kind's own example says best what its id, title and amendments look like.
    for name in ("id", "title", "amended"):
        if name in example:
            property_of(definition, name)["examples"] = [example[name]]


def _without_default(property_schema: dict[str, Any]) -> dict[str, Any]:
    """In an amendment a field left out stays as it was: no default applies."""
    return {key: value for key, value in property_schema.items() if key != "default"}


def _clause_by_kind() -> dict[str, Any]:
    """One clause: `kind` picks the schema the rest of its fields must follow."""
    return {
        "type": "object",
        "title": "Clause",
        "description": "One clause of the agreement; its kind decides which fields it takes",
        "required": ["kind"],
        "properties": {
            "kind": {
                "description": "Which kind of clause this is: see docs/clauses.md",
                "enum": sorted(KINDS),
                "examples": sorted(KINDS)[:1],
            }
        },
        "allOf": [
            {
                "if": {"required": ["kind"], "properties": {"kind": {"const": kind}}},
                "then": {"$ref": DEFS + model.__name__},
            }
            for kind, model in sorted(KINDS.items())
        ],
    }
