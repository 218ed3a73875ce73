"""Walks a rule file's raw data, guided by the models' field types, and records what it holds."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypeGuard, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from checker.clauses.base import Amendment, Clause
from checker.dates.timeutil import Duration, parse_duration
from checker.norms.fact_pattern import FACT_TYPE_PATTERN, FIELD_NAME_PATTERN, FactPattern
from checker.norms.model import FieldRef, MeasureTerms, ObligationTerms
from checker.norms.pattern import FieldOfLatest, Latest, Pattern, Precedent
from checker.rulebook.model_introspection import concrete_types, is_model
from checker.rulebook.yaml_source import Location

# Settings that name fact fields: `field`, `match_on` and any `<something>_field`.
FIELD_SETTINGS = frozenset({"field", "match_on"})
FIELD_SETTING_SUFFIX = "_field"

_DATE = TypeAdapter(date)


@dataclass(frozen=True, slots=True)
class PatternUse:
    """A fact pattern: written in the file, or a kind's default (then `path` is where it would be)."""

    path: Location
    fact_type: str
    written: bool
    tested: tuple[tuple[str, Location], ...] = ()  # fields in `where`/`unless`, with key paths
    others: bool = (
        False  # a norm pattern's `with: others`: facts with someone outside the agreement
    )


@dataclass(frozen=True, slots=True)
class FieldSetting:
    """A setting that names fact fields (`match_on`, `name_field`...), written or by default."""

    owner: Location  # the mapping that holds it
    scope: Location  # the clause it belongs to: patterns outside it are not its targets
    key: str
    names: tuple[tuple[str, Location], ...]  # each field named, with where it is written
    written: bool


@dataclass(slots=True)
class Found:
    """Everything the walk found in one rule file, each with its data path."""

    patterns: list[PatternUse] = field(default_factory=list)
    settings: list[FieldSetting] = field(default_factory=list)
    dates: list[tuple[Location, date]] = field(default_factory=list)
    windows: list[tuple[Location, dict[str, Any]]] = field(default_factory=list)
    durations: list[tuple[Location, Duration]] = field(default_factory=list)
    clause_kinds: dict[Location, type[Clause]] = field(default_factory=dict)  # by clause path


def _walk(found: Found, value: Any, annotation: Any, path: Location, scope: Location) -> None:
    """Record what `value` (raw data at `path`, declared as `annotation`) holds."""
    options = concrete_types(annotation)
    if isinstance(value, dict):
        model = _model_for(value, options)
        if model is not None:
            walk_model(found, value, model, path, scope)
    elif isinstance(value, list):
        for option in options:
            if get_origin(option) in (list, tuple) and get_args(option):
                item_type = get_args(option)[0]
                for index, item in enumerate(value):
                    _walk(found, item, item_type, (*path, index), scope)
                return
    elif date in options and isinstance(value, str):
        day = as_date(value)
        if day is not None:
            found.dates.append((path, day))
    elif Duration in options:
        duration = as_duration(value)
        if duration is not None:
            found.durations.append((path, duration))


def walk_model(
    found: Found, value: dict[str, Any], model: type[BaseModel], path: Location, scope: Location
) -> None:
    """Record what the mapping `value`, read as `model`, holds: its written fields and the
    defaults it leaves to the model (only patterns and field settings matter here)."""
    if issubclass(model, Clause):
        scope = path
        found.clause_kinds[path] = model
        found.settings.extend(_norm_settings(value, model, path))
    if issubclass(model, FactPattern | Pattern | Latest) or (
        issubclass(model, Precedent) and "fact" in value
    ):
        found.patterns.extend(_written_pattern(value, path))
    if issubclass(model, Pattern | Latest):
        for operand, operand_path in _fields_of_latest(value, path):
            walk_model(found, operand, FieldOfLatest, operand_path, scope)
    if any(key.startswith("opens") for key in value):
        found.windows.append((path, value))
    fields = dict(model.model_fields)
    amendment = issubclass(model, Amendment)
    if amendment:
        # An amendment's other keys replace the clause's fields of the same names.
        clause_kind = found.clause_kinds.get(scope)
        if clause_kind is not None:
            fields = {**clause_kind.model_fields, **fields}
            found.settings.extend(_norm_settings(value, clause_kind, path, scope))
    for name, info in fields.items():
        key = info.alias or name
        child = (*path, key)
        if key in value:
            # A norm's `{field: ...}` (a due date, an amount) names a field of one of its
            # patterns, recorded against that pattern by `_norm_settings`.
            if _names_fields(key) and model is not FieldRef:
                found.settings.extend(_written_setting(value[key], key, child, path, scope))
            _walk(found, value[key], info.annotation, child, scope)
        elif not amendment and not info.is_required():
            _record_default(found, _default_of(model, name), key, path, scope)


@functools.cache
def _default_of(model: type[BaseModel], name: str) -> Any:
    """A field's default, once per model and field (pydantic inspects the factory each call)."""
    return model.model_fields[name].get_default(call_default_factory=True)


def _record_default(found: Found, default: Any, key: str, path: Location, scope: Location) -> None:
    """A kind's default pattern or field setting: what the clause uses when the file is silent."""
    child = (*path, key)
    defaults = default if isinstance(default, list) else [default]
    for index, item in enumerate(defaults):
        if isinstance(item, FactPattern):
            where = child if not isinstance(default, list) else (*child, index)
            found.patterns.append(PatternUse(where, item.fact, written=False))
    if _names_fields(key) and default:
        names = tuple((name, child) for name in defaults if isinstance(name, str))
        found.settings.append(FieldSetting(path, scope, key, names, written=False))


def pattern_tests(
    value: dict[str, Any], path: Location
) -> Iterator[tuple[dict[str, Any], Location]]:
    """The tests of the pattern `value` written at `path`, each a mapping of field names to
    tests, with its path: its `where`, then its carve-out (`unless`) or each of its carve-outs."""
    where = value.get("where")
    if isinstance(where, dict):
        yield where, (*path, "where")
    carve_outs = value.get("unless")
    if isinstance(carve_outs, dict):
        yield carve_outs, (*path, "unless")
    elif isinstance(carve_outs, list):
        for index, entry in enumerate(carve_outs):
            if isinstance(entry, dict):
                yield entry, (*path, "unless", index)


def _written_pattern(value: dict[str, Any], path: Location) -> Iterator[PatternUse]:
    fact_type = value.get("fact")
    if not isinstance(fact_type, str) or not re.match(FACT_TYPE_PATTERN, fact_type):
        return  # a missing or malformed fact type is the schema's to report
    tested = [
        (name, (*tests_path, name))
        for tests, tests_path in pattern_tests(value, path)
        for name in tests
    ]
    well_formed = tuple(item for item in tested if _is_field_name(item[0]))
    others = value.get("with") == "others"
    yield PatternUse(path, fact_type, written=True, tested=well_formed, others=others)


def _fields_of_latest(
    value: dict[str, Any], path: Location
) -> Iterator[tuple[dict[str, Any], Location]]:
    """The `{field: ..., of_latest: ...}` operands in a norm pattern's tests, with their paths:
    the other fact they read is a pattern of its own, and `field` one of its fields."""
    for tests, tests_path in pattern_tests(value, path):
        for name, test in tests.items():
            if not isinstance(test, dict):
                continue
            for key, operand in test.items():
                if isinstance(operand, dict) and "of_latest" in operand:
                    yield operand, (*tests_path, name, key)


# Norm settings that name a field of the facts of one of the norm's patterns: (setting path in
# the clause, the pattern whose facts carry the field).
_NORM_FIELDS: dict[type[BaseModel], tuple[tuple[tuple[str, ...], str], ...]] = {
    MeasureTerms: tuple(((name,), "of") for name in ("sum", "average", "min", "max", "latest")),
    ObligationTerms: (
        (("amount", "sum"), "do"),
        (("amount", "at_least", "of"), "when"),
        (("amount", "at_least", "field"), "when"),
        (("due", "field"), "when"),
    ),
}


def _norm_settings(
    value: dict[str, Any], model: type[BaseModel], path: Location, clause: Location | None = None
) -> Iterator[FieldSetting]:
    """The fields a norm names outside its patterns (`sum: amount`, `due: {field: ...}`), each
    held against the facts of the pattern it reads them from. In an amendment of the clause at
    `clause`, that pattern is the amendment's own, or else the clause's."""
    for terms, settings in _NORM_FIELDS.items():
        if not issubclass(model, terms):
            continue
        for keys, pattern in settings:
            written: Any = value
            for key in keys:
                written = written.get(key) if isinstance(written, dict) else None
            if not isinstance(written, str) or not _is_field_name(written):
                continue
            if pattern in value or clause is None:
                if not isinstance(value.get(pattern), dict):
                    continue
                owner = (*path, pattern)
            else:
                owner = (*clause, pattern)
            if _reads_the_earlier_fact(value, keys):
                owner = (*owner, "after")  # `on: after`: a field of the trigger's earlier fact
            where = (*path, *keys)
            # Its scope is the pattern alone: a field of the trigger is no field of `do`.
            yield FieldSetting(owner, owner, keys[-1], ((written, where),), True)


def _reads_the_earlier_fact(value: dict[str, Any], keys: tuple[str, ...]) -> bool:
    """Whether the `{field: ...}` at `keys` says `on: after`."""
    holder: Any = value
    for key in keys[:-1]:
        holder = holder.get(key) if isinstance(holder, dict) else None
    return isinstance(holder, dict) and holder.get("on") == "after"


def _written_setting(
    value: Any, key: str, path: Location, owner: Location, scope: Location
) -> Iterator[FieldSetting]:
    items: list[tuple[Any, Location]]
    if isinstance(value, str):
        items = [(value, path)]
    elif isinstance(value, list):
        items = [(item, (*path, index)) for index, item in enumerate(value)]
    else:
        return
    names = tuple((name, where) for name, where in items if _is_field_name(name))
    if names:
        yield FieldSetting(owner, scope, key, names, written=True)


def _names_fields(key: str) -> bool:
    return key in FIELD_SETTINGS or key.endswith(FIELD_SETTING_SUFFIX)


def _is_field_name(name: object) -> TypeGuard[str]:
    return isinstance(name, str) and re.match(FIELD_NAME_PATTERN, name) is not None


def _model_for(value: dict[str, Any], options: list[Any]) -> type[BaseModel] | None:
    """The model among `options` that describes `value`: the only one, or the one whose tag
    (a `Literal` field such as a clause's `kind`) has the value's value."""
    models: list[type[BaseModel]] = [option for option in options if is_model(option)]
    if len(models) == 1:
        return models[0]
    for model in models:
        for name, info in model.model_fields.items():
            tags = get_args(info.annotation) if get_origin(info.annotation) is Literal else ()
            if tags and value.get(info.alias or name) in tags:
                return model
    # Untagged alternatives (a norm's trigger: a pattern, {each: ...}, {breach_of: ...}): the
    # only one whose fields the mapping fits, all its required ones given.
    fitting = [model for model in models if _fits(value, model)]
    return fitting[0] if len(fitting) == 1 else None


def _fits(value: dict[str, Any], model: type[BaseModel]) -> bool:
    keys = {info.alias or name for name, info in model.model_fields.items()}
    required = {
        info.alias or name for name, info in model.model_fields.items() if info.is_required()
    }
    return set(value) <= keys and required <= set(value)


def as_date(value: Any) -> date | None:
    """`value` as the schema would read a date, or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return _DATE.validate_python(value)
    except ValidationError:
        return None


def as_duration(value: Any) -> Duration | None:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    try:
        return parse_duration(str(value))
    except ValueError:
        return None
