"""Builders for engine conditions in durable_rules' JSON syntax, with values encoded safely.

durable_rules compares numeric-looking strings as numbers (`"7" == 7`, `"abc" > 10.5` is true) and
treats `true` as `1`. Every string value therefore travels with an `s:` prefix, booleans and nulls
as tagged strings, and only numbers that Python validated are compared with `<`/`>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from checker.engine.program import Condition

Scalar = str | int | float | bool | None


def encode(value: Scalar) -> str | int | float:
    """The engine form of a fact value: strings and flags tagged, numbers as they are."""
    if value is None:
        return "n:null"
    if isinstance(value, bool):
        return "b:true" if value else "b:false"
    if isinstance(value, int | float):
        return value
    return "s:" + str(value)


def equals(name: str, value: Scalar) -> Condition:
    return {name: encode(value)}


def differs(name: str, value: Scalar) -> Condition:
    return {"$neq": {name: encode(value)}}


def one_of(name: str, values: Iterable[Scalar]) -> Condition:
    """`name` equals one of `values` (an OR of equality tests)."""
    tests = [equals(name, value) for value in sorted(set(values), key=repr)]
    if len(tests) == 1:
        return tests[0]
    return {"$or": tests}


def none_of(name: str, values: Iterable[Scalar]) -> Condition:
    tests = [differs(name, value) for value in sorted(set(values), key=repr)]
    return all_of(*tests)


def at_least(name: str, value: int | float | Reference) -> Condition:
    return {"$gte": {name: _operand(value)}}


def at_most(name: str, value: int | float | Reference) -> Condition:
    return {"$lte": {name: _operand(value)}}


def above(name: str, value: int | float | Reference) -> Condition:
    return {"$gt": {name: _operand(value)}}


def below(name: str, value: int | float | Reference) -> Condition:
    return {"$lt": {name: _operand(value)}}


def same_as(name: str, other: Reference) -> Condition:
    """Equality join: `name` equals a field of a message bound earlier in the rule."""
    return {name: other.definition()}


def all_of(*conditions: Condition) -> Condition:
    """Conjunction; empty parts are dropped, and no parts at all give the empty condition `{}`.

    durable_rules treats an empty `$and` as matching everything, including messages that fail its
    sibling tests, so an empty list must never reach the engine (`engine.check_limits` refuses it).
    """
    flat = [condition for condition in conditions if condition]
    if not flat:
        return {}
    if len(flat) == 1:
        return flat[0]
    return {"$and": flat}


def any_of(*conditions: Condition) -> Condition:
    """Disjunction of non-empty conditions (an empty part would match everything)."""
    if not conditions or any(not condition for condition in conditions):
        raise ValueError("a disjunction needs non-empty alternatives")
    if len(conditions) == 1:
        return conditions[0]
    return {"$or": list(conditions)}


class Reference:
    """A field of a message bound to `alias` earlier in the same rule."""

    __slots__ = ("alias", "name")

    def __init__(self, alias: str, name: str) -> None:
        self.alias = alias
        self.name = name

    def definition(self) -> dict[str, str]:
        return {self.alias: self.name}


def field_of(alias: str, name: str) -> Reference:
    return Reference(alias, name)


def _operand(value: int | float | Reference) -> Any:
    if isinstance(value, Reference):
        return value.definition()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"ordered comparison needs a number, got {value!r}")
    return value
