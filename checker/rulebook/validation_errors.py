"""Turns pydantic errors on a loaded rule file into positioned diagnostics that speak to its author.

Messages are chosen by pydantic's error `type` (stable across versions), never by its message text.
What the models allow at a place (fields, values, descriptions) is found by `model_introspection`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from checker.common.diagnostics import Diagnostic, InputError
from checker.common.suggest import closest, did_you_mean
from checker.norms.fact_pattern import FACT_TYPE_PATTERN, FIELD_NAME_PATTERN
from checker.rulebook.agreement import AGREEMENT_ID_PATTERN
from checker.rulebook.model_introspection import (
    allowed_fields,
    allowed_values,
    alternatives,
    annotations_at,
    is_model,
    untagged,
)
from checker.rulebook.yaml_source import Location, Position, SourceDocument

ModelT = TypeVar("ModelT", bound=BaseModel)

# Pydantic error types that mean "this value has the wrong type", with what was expected instead.
_EXPECTED: dict[str, str] = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "frozen_set_type": "a list",
    "iterable_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dataclass_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time",
    "none_required": "nothing",
}
_DATE_ERRORS = frozenset(
    {"date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
_DATETIME_ERRORS = frozenset({"datetime_parsing", "datetime_from_date_parsing"})
# Validator errors whose message is the author's text after pydantic's prefix.
_VALIDATOR_PREFIXES = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def validate_document(document: SourceDocument, model_cls: type[ModelT]) -> ModelT:
    """`model_cls` validated from the document's data; raises `InputError` with every problem."""
    try:
        return model_cls.model_validate(document.data)
    except ValidationError as error:
        raise InputError(diagnostics_from_validation(document, error, model_cls)) from error


def diagnostics_from_validation(
    doc: SourceDocument,
    error: ValidationError,
    model_cls: type[BaseModel],
    superseded: Collection[Location] = (),
) -> list[Diagnostic]:
    """One diagnostic per problem in `error` (raised validating `doc.data` as `model_cls`).

    Wrong-type errors at the same place (one per member of a union) merge into one diagnostic.
    `superseded` holds data paths where a more precise check (see `checker.rulebook.semantic.checks`) has
    already reported what a model's own validator found there: validator errors at those paths
    are left out, so one mistake is reported once. The result is sorted by position.
    """
    diagnostics: list[Diagnostic] = []
    wrong_types: dict[Location, list[ErrorDetails]] = {}
    errors = error.errors(include_url=False)
    # A misspelt key also makes the field it should have been "missing": report it once.
    misspelt = {
        (doc.data_path(place)[:-1], meant)
        for details in errors
        if details["type"] == "extra_forbidden"
        and (place := untagged(model_cls, tuple(details["loc"])))
        and (meant := _meant_field(doc, model_cls, tuple(details["loc"]), place)) is not None
    }
    for details in errors:
        loc = tuple(details["loc"])
        path = doc.data_path(untagged(model_cls, loc))
        in_validator = details["type"] in _VALIDATOR_PREFIXES
        if in_validator and path in superseded:
            continue
        if details["type"] == "missing" and (path, loc[-1]) in misspelt:
            continue
        if details["type"] in _EXPECTED:
            wrong_types.setdefault(path, []).append(details)
        else:
            diagnostics.append(_diagnostic(doc, details, model_cls))
    for path, group in wrong_types.items():
        diagnostics.append(_wrong_type(doc, path, group, model_cls))
    unique = dict.fromkeys(diagnostics)
    return sorted(unique, key=lambda item: (item.line, item.column, item.message))


def _diagnostic(
    doc: SourceDocument, details: ErrorDetails, model_cls: type[BaseModel]
) -> Diagnostic:
    loc = tuple(details["loc"])
    place = untagged(model_cls, loc)  # `loc` without union tags: a path into the data
    kind = details["type"]
    context: dict[str, Any] = details.get("ctx") or {}
    value = details["input"]

    if kind == "extra_forbidden":
        name = str(loc[-1])
        return doc.diagnostic(
            doc.position_of(place),
            f"unknown field '{name}'",
            _unknown_field_help(doc, model_cls, loc, place),
        )
    if kind == "missing":
        return doc.diagnostic(
            _mapping_position(doc, place),
            f"missing required field '{loc[-1]}'",
            _field_help(model_cls, loc),
        )
    if kind == "string_pattern_mismatch":
        return _pattern_mismatch(doc, loc, place, value, str(context.get("pattern", "")), model_cls)
    if kind in {"too_short", "string_too_short"}:
        least = int(context.get("min_length", 1))
        what = "text" if kind == "string_too_short" else "list"
        message = f"this {what} is empty" if not value else f"this {what} is too short"
        if least > 1:
            message += f" (it needs at least {least})"
        return doc.diagnostic(
            doc.value_position_of(place),
            message,
            _field_help(model_cls, loc) or "fill in a value",
        )
    if kind in _BOUNDS:
        size, bound = _BOUNDS[kind]
        limit = next(iter(context.values()), "")
        return doc.diagnostic(
            doc.value_position_of(place),
            f"{value} is too {size} here: it must be {bound} {limit}",
            _field_help(model_cls, loc),
        )
    if kind == "union_tag_invalid":
        discriminator = _unquote(str(context.get("discriminator", "kind")))
        tag = str(context.get("tag", ""))
        tags = _quoted_items(str(context.get("expected_tags", "")))
        return doc.diagnostic(
            doc.value_position_of((*place, discriminator)),
            f"unknown {_tag_noun(doc, loc, discriminator)} '{tag}'",
            did_you_mean(tag, tags) or _one_of(tags),
        )
    if kind == "union_tag_not_found":
        discriminator = _unquote(str(context.get("discriminator", "kind")))
        tags = allowed_values(model_cls, (*loc, discriminator))
        help_text = f"add '{discriminator}:' with one of: {', '.join(tags)}" if tags else None
        return doc.diagnostic(doc.position_of(place), f"missing field '{discriminator}'", help_text)
    if kind in {"literal_error", "enum"}:
        choices = allowed_values(model_cls, loc) or _quoted_items(str(context.get("expected", "")))
        return doc.diagnostic(
            doc.value_position_of(place),
            f"'{value}' is not one of: {', '.join(choices)}",
            did_you_mean(str(value), choices),
        )
    if kind in _DATE_ERRORS:
        return doc.diagnostic(
            doc.value_position_of(place),
            f"'{value}' is not a valid date (use YYYY-MM-DD)",
            _date_help(value, context),
        )
    if kind in _DATETIME_ERRORS:
        reason = context.get("error")
        return doc.diagnostic(
            doc.value_position_of(place),
            f"'{value}' is not a valid date and time (use YYYY-MM-DDTHH:MM:SSZ)",
            str(reason) if reason else None,
        )
    if kind in _VALIDATOR_PREFIXES:
        reason = context.get("error")
        message = str(reason) if reason else details["msg"].removeprefix(_VALIDATOR_PREFIXES[kind])
        # A field's own validator rejected a written value: say what the field is for. (A
        # model's validator, about a whole mapping, has no single field to explain.)
        scalar = not isinstance(_data_at(doc, place), dict | list)
        help_text = _field_help(model_cls, loc) if scalar else None
        return doc.diagnostic(doc.value_position_of(place), message, help_text)
    return doc.diagnostic(doc.value_position_of(place), details["msg"], _field_help(model_cls, loc))


# What a text field's pattern asks for, in words: (what the value should be, how to write it).
_PATTERN_WORDS: dict[str, tuple[str, str]] = {
    FACT_TYPE_PATTERN: (
        "a valid fact type name",
        "write fact types in lower case with dots between the words, e.g. deal.closed",
    ),
    FIELD_NAME_PATTERN: (
        "a valid field name",
        "field names use letters, digits and _ only, e.g. unit_price",
    ),
    AGREEMENT_ID_PATTERN: (
        "a valid agreement id",
        "use lower-case letters, digits, '.', '_' and '-', e.g. globex-reseller-2025",
    ),
}
# Pydantic's number bounds, in words: (what the value is, what it must be).
_BOUNDS = {
    "greater_than": ("small", "more than"),
    "greater_than_equal": ("small", "at least"),
    "less_than": ("large", "less than"),
    "less_than_equal": ("large", "at most"),
}


def _mapping_position(doc: SourceDocument, loc: Location) -> Position:
    """Where to report a field missing from the mapping at `loc`: as `position_of` does, but at
    the top level the first key rather than line 1 (which may be a comment)."""
    if doc.data_path(loc):
        return doc.position_of(loc)
    top_level = [position for path, position in doc.key_positions.items() if len(path) == 1]
    return min(top_level, default=doc.position_of(loc))


def _pattern_mismatch(
    doc: SourceDocument,
    loc: Location,
    place: Location,
    value: object,
    pattern: str,
    model_cls: type[BaseModel],
) -> Diagnostic:
    noun, help_text = _PATTERN_WORDS.get(pattern, ("allowed here", ""))
    if place and place[-1] == "[key]":
        # A mapping key (e.g. a fact type in the catalogue): point at the key itself.
        position = doc.position_of(place[:-1])
    else:
        position = doc.value_position_of(place)
    return doc.diagnostic(
        position, f"'{value}' is not {noun}", help_text or _field_help(model_cls, loc)
    )


def _field_help(model_cls: type[BaseModel], loc: Location) -> str | None:
    """What the field at `loc` is for, from its description: "within: Time allowed, e.g. 72h"."""
    names = [part for part in loc if isinstance(part, str) and not part.startswith("[")]
    trimmed = list(loc)
    while trimmed and not (isinstance(trimmed[-1], str) and trimmed[-1] in names):
        trimmed.pop()
    if not trimmed:
        return None
    name = str(trimmed[-1])
    for option in alternatives(annotations_at(model_cls, tuple(trimmed[:-1]))):
        if not is_model(option) or name not in option.model_fields:
            continue
        info = option.model_fields[name]
        if not info.description:
            return None
        text = f"{name}: {info.description}"
        example = info.examples[0] if info.examples else None
        if "e.g." not in text and isinstance(example, str | int | float):
            text += f", e.g. {example}"
        return text
    return None


def _wrong_type(
    doc: SourceDocument, path: Location, group: list[ErrorDetails], model_cls: type[BaseModel]
) -> Diagnostic:
    expected = list(dict.fromkeys(_EXPECTED[details["type"]] for details in group))
    value = group[0]["input"]
    message = f"expected {' or '.join(expected)} here, got {_describe(value)}"
    help_text = None
    if value is None:
        help_text = "fill in a value"
    elif "text" in expected and isinstance(value, int | float):
        help_text = "put the value in quotes to make it text"
    elif "a list" in expected and not isinstance(value, list | dict):
        help_text = "write a list, like [DE, AT], or one '- item' per line"
    else:
        help_text = _field_help(model_cls, tuple(group[0]["loc"]))
    return doc.diagnostic(doc.value_position_of(path), message, help_text)


def _unknown_field_help(
    doc: SourceDocument, model_cls: type[BaseModel], loc: Location, place: Location
) -> str | None:
    allowed = allowed_fields(model_cls, loc[:-1])
    if not allowed:
        return None
    suggestion = did_you_mean(str(loc[-1]), _absent(doc, allowed, place[:-1]))
    return suggestion or f"allowed fields here: {', '.join(allowed)}"


def _meant_field(
    doc: SourceDocument, model_cls: type[BaseModel], loc: Location, place: Location
) -> str | None:
    """The field an unknown key at `loc` (`place` in the data) is probably a misspelling of."""
    allowed = allowed_fields(model_cls, loc[:-1])
    return closest(str(loc[-1]), _absent(doc, allowed, place[:-1]))


def _absent(doc: SourceDocument, names: list[str], loc: Location) -> list[str]:
    """`names` not already keys of the mapping at `loc`."""
    mapping = _data_at(doc, loc)
    present = mapping.keys() if isinstance(mapping, dict) else set()
    return [name for name in names if name not in present]


def _one_of(options: Sequence[str]) -> str | None:
    return f"expected one of: {', '.join(options)}" if options else None


def _tag_noun(doc: SourceDocument, loc: Location, discriminator: str) -> str:
    """'clause kind' for a tag under `clauses:`; the bare discriminator name elsewhere."""
    names = [part for part in doc.data_path(loc) if isinstance(part, str)]
    if names and names[-1].endswith("s") and len(names[-1]) > 3:
        return f"{names[-1][:-1]} {discriminator}"
    return discriminator


def _date_help(value: object, context: dict[str, Any]) -> str | None:
    match = _ISO_DATE.fullmatch(value) if isinstance(value, str) else None
    if match:
        year, month, day = (int(group) for group in match.groups())
        if not 1 <= month <= 12:
            return f"there is no month {month}"
        days_in_month = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days_in_month:
            return f"{calendar.month_name[month]} {year} has {days_in_month} days"
    reason = context.get("error")
    return str(reason) if reason else None


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"the whole number {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unquote(text: str) -> str:
    return text.strip("'\"")


def _quoted_items(text: str) -> list[str]:
    """The items of pydantic's "'a', 'b' or 'c'" context strings."""
    return re.findall(r"'([^']*)'", text)


def _data_at(doc: SourceDocument, loc: Location) -> Any:
    node = doc.data
    for part in doc.data_path(loc):
        node = node[part]
    return node
