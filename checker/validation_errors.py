"""Turns pydantic errors on a loaded rule file into positioned diagnostics that speak to its author.

Messages are chosen by pydantic's error `type` (stable across versions), never by its message text.
"""

from __future__ import annotations

import calendar
import difflib
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Annotated, Any, Literal, TypeGuard, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from checker.diagnostics import Diagnostic, InputError
from checker.yaml_source import Location, SourceDocument

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

_SEQUENCE_ORIGINS: tuple[Any, ...] = (list, tuple, set, frozenset, Sequence, Iterable)
_MAPPING_ORIGINS: tuple[Any, ...] = (dict, Mapping)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def validate_document(document: SourceDocument, model_cls: type[ModelT]) -> ModelT:
    """`model_cls` validated from the document's data; raises `InputError` with every problem."""
    try:
        return model_cls.model_validate(document.data)
    except ValidationError as error:
        raise InputError(diagnostics_from_validation(document, error, model_cls)) from error


def diagnostics_from_validation(
    doc: SourceDocument, error: ValidationError, model_cls: type[BaseModel]
) -> list[Diagnostic]:
    """One diagnostic per problem in `error` (raised validating `doc.data` as `model_cls`).

    Wrong-type errors at the same place (one per member of a union) merge into one diagnostic.
    The result is sorted by position.
    """
    diagnostics: list[Diagnostic] = []
    wrong_types: dict[Location, list[ErrorDetails]] = {}
    for details in error.errors(include_url=False):
        if details["type"] in _EXPECTED:
            wrong_types.setdefault(doc.data_path(tuple(details["loc"])), []).append(details)
        else:
            diagnostics.append(_diagnostic(doc, details, model_cls))
    for path, group in wrong_types.items():
        diagnostics.append(_wrong_type(doc, path, group))
    unique = dict.fromkeys(diagnostics)
    return sorted(unique, key=lambda item: (item.line, item.column, item.message))


def allowed_fields(model_cls: type[BaseModel], loc: Location) -> list[str]:
    """The field names allowed in the mapping at `loc` (a pydantic loc) under `model_cls`.

    Follows fields, lists, dicts, optionals, unions and discriminated-union tags in `loc`;
    returns [] when `loc` leads to no model.
    """
    names: dict[str, None] = {}
    for option in _alternatives(_annotations_at(model_cls, loc)):
        if _is_model(option):
            for name, info in option.model_fields.items():
                names[info.alias or name] = None
    return list(names)


def allowed_values(model_cls: type[BaseModel], loc: Location) -> list[str]:
    """The values a `Literal` or `Enum` field at `loc` (a pydantic loc) accepts, as text."""
    values: dict[str, None] = {}
    for option in _alternatives(_annotations_at(model_cls, loc)):
        if get_origin(option) is Literal:
            values.update(dict.fromkeys(str(value) for value in get_args(option)))
        elif isinstance(option, type) and issubclass(option, Enum):
            values.update(dict.fromkeys(str(member.value) for member in option))
    return list(values)


def _diagnostic(
    doc: SourceDocument, details: ErrorDetails, model_cls: type[BaseModel]
) -> Diagnostic:
    loc = tuple(details["loc"])
    kind = details["type"]
    context: dict[str, Any] = details.get("ctx") or {}
    value = details["input"]

    if kind == "extra_forbidden":
        name = str(loc[-1])
        return doc.diagnostic(
            doc.position_of(loc),
            f"unknown field '{name}'",
            _unknown_field_help(doc, model_cls, loc),
        )
    if kind == "missing":
        return doc.diagnostic(doc.position_of(loc), f"missing required field '{loc[-1]}'")
    if kind == "union_tag_invalid":
        discriminator = _unquote(str(context.get("discriminator", "kind")))
        tag = str(context.get("tag", ""))
        tags = _quoted_items(str(context.get("expected_tags", "")))
        return doc.diagnostic(
            doc.value_position_of((*loc, discriminator)),
            f"unknown {_tag_noun(doc, loc, discriminator)} '{tag}'",
            _did_you_mean(tag, tags) or _one_of(tags),
        )
    if kind == "union_tag_not_found":
        discriminator = _unquote(str(context.get("discriminator", "kind")))
        tags = allowed_values(model_cls, (*loc, discriminator))
        help_text = f"add '{discriminator}:' with one of: {', '.join(tags)}" if tags else None
        return doc.diagnostic(doc.position_of(loc), f"missing field '{discriminator}'", help_text)
    if kind in {"literal_error", "enum"}:
        choices = allowed_values(model_cls, loc) or _quoted_items(str(context.get("expected", "")))
        return doc.diagnostic(
            doc.value_position_of(loc),
            f"'{value}' is not one of: {', '.join(choices)}",
            _did_you_mean(str(value), choices),
        )
    if kind in _DATE_ERRORS:
        return doc.diagnostic(
            doc.value_position_of(loc),
            f"'{value}' is not a valid date (use YYYY-MM-DD)",
            _date_help(value, context),
        )
    if kind in _DATETIME_ERRORS:
        reason = context.get("error")
        return doc.diagnostic(
            doc.value_position_of(loc),
            f"'{value}' is not a valid date and time (use YYYY-MM-DDTHH:MM:SSZ)",
            str(reason) if reason else None,
        )
    if kind in _VALIDATOR_PREFIXES:
        reason = context.get("error")
        message = str(reason) if reason else details["msg"].removeprefix(_VALIDATOR_PREFIXES[kind])
        return doc.diagnostic(doc.value_position_of(loc), message)
    return doc.diagnostic(doc.value_position_of(loc), details["msg"])


def _wrong_type(doc: SourceDocument, path: Location, group: list[ErrorDetails]) -> Diagnostic:
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
    return doc.diagnostic(doc.value_position_of(path), message, help_text)


def _unknown_field_help(
    doc: SourceDocument, model_cls: type[BaseModel], loc: Location
) -> str | None:
    allowed = allowed_fields(model_cls, loc[:-1])
    if not allowed:
        return None
    mapping = _data_at(doc, loc[:-1])
    present = mapping.keys() if isinstance(mapping, dict) else set()
    suggestion = _did_you_mean(str(loc[-1]), [name for name in allowed if name not in present])
    return suggestion or f"allowed fields here: {', '.join(allowed)}"


def _did_you_mean(word: str, options: Sequence[str]) -> str | None:
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not matches:
        lowered = {option.lower(): option for option in options}
        matches = [lowered[word.lower()]] if word.lower() in lowered else []
    return f"did you mean '{matches[0]}'?" if matches else None


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


# Walking annotations along a pydantic loc.


def _annotations_at(model_cls: type[BaseModel], loc: Location) -> list[Any]:
    candidates: list[Any] = [model_cls]
    for part in loc:
        candidates = [
            found for option in _alternatives(candidates) for found in _step(option, part)
        ]
        if not candidates:
            break
    return candidates


def _alternatives(annotations: Iterable[Any]) -> list[Any]:
    """The concrete types behind `annotations`: Annotated, aliases and unions unwrapped."""
    result: list[Any] = []
    for annotation in annotations:
        origin = get_origin(annotation)
        if origin is Annotated:
            result.extend(_alternatives([get_args(annotation)[0]]))
        elif origin is Union or origin is types.UnionType:
            result.extend(_alternatives(get_args(annotation)))
        elif hasattr(annotation, "__value__") and not isinstance(annotation, type):
            result.extend(_alternatives([annotation.__value__]))  # a `type X = ...` alias
        elif annotation is not type(None):
            result.append(annotation)
    return result


def _step(option: Any, part: str | int) -> list[Any]:
    """What `option` holds at `part` of a loc: a field, an item, or itself if `part` is its tag."""
    if _is_model(option):
        if isinstance(part, str):
            for name, info in option.model_fields.items():
                if part in (name, info.alias):
                    return [info.annotation]
            if _is_tagged(option, part):
                return [option]
        return []
    origin = get_origin(option)
    arguments = get_args(option)
    if isinstance(part, int):
        if origin is tuple and arguments and arguments[-1] is not Ellipsis:
            return [arguments[part]] if 0 <= part < len(arguments) else []
        if origin in _SEQUENCE_ORIGINS:
            return [arguments[0]] if arguments else [Any]
        return []
    if origin in _MAPPING_ORIGINS and len(arguments) == 2:
        return [arguments[1]]
    if part in (getattr(option, "__name__", None), str(option)):
        return [option]  # pydantic's label for one member of a plain union
    return []


def _is_tagged(model: type[BaseModel], part: str) -> bool:
    """Whether `part` names `model` in a union: its class name or a value of a Literal field."""
    if part == model.__name__:
        return True
    for info in model.model_fields.values():
        if get_origin(info.annotation) is Literal and part in map(str, get_args(info.annotation)):
            return True
    return False


def _is_model(option: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(option, type) and issubclass(option, BaseModel)
