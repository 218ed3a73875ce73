"""Oracle of the `cap` kind, plus the plain helpers the other oracles share (term, amendments,
pattern matching), written from the clause semantics without any of checker's compilation."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from checker.facts import Fact
from checker.timeutil import date_of_epoch, epoch_of_date

Finding = tuple[str, str, str, str]


def term_bounds(agreement: dict[str, Any]) -> tuple[int, int]:
    """[start, end) of a fixed-term agreement in epoch seconds."""
    start = epoch_of_date(date.fromisoformat(str(agreement["effective"])))
    last_day = date.fromisoformat(str(agreement["expires"]))
    return start, epoch_of_date(last_day + timedelta(days=1))


def in_term(fact: Fact, agreement: dict[str, Any]) -> bool:
    start, end = term_bounds(agreement)
    return start <= fact.at < end


def version_at(clause: dict[str, Any], instant: int) -> dict[str, Any]:
    """The clause's terms on the day of `instant`: every amendment effective by then applied."""
    day = date_of_epoch(instant)
    terms = {key: value for key, value in clause.items() if key != "amended"}
    for amendment in clause.get("amended", []):
        if date.fromisoformat(str(amendment["effective"])) <= day:
            terms.update({k: v for k, v in amendment.items() if k != "effective"})
    return terms


def typed(value: Any) -> tuple[str, Any]:
    """A value with its kind, so 7 == 7.0 but "7" != 7 and True != 1 (the documented semantics)."""
    if value is None:
        return ("null", None)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, list):
        return ("text", ",".join(str(item) for item in value))
    return ("text", str(value))


def same(value: Any, other: Any) -> bool:
    return typed(value) == typed(other)


def is_one_of(value: Any, accepted: Any) -> bool:
    candidates = accepted if isinstance(accepted, list) else [accepted]
    return any(same(value, candidate) for candidate in candidates)


def matches(pattern: dict[str, Any], fact: Fact) -> bool:
    """Type, every `where` field, and no `unless` entry met in full."""
    if fact.type != pattern["fact"]:
        return False
    if not all(is_one_of(fact.get(k), v) for k, v in pattern.get("where", {}).items()):
        return False
    carve_outs = pattern.get("unless", [])
    if isinstance(carve_outs, dict):
        carve_outs = [carve_outs]
    return not any(all(is_one_of(fact.get(k), v) for k, v in entry.items()) for entry in carve_outs)


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def oracle_caps(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of_epoch: int,
    horizon_end_epoch: int,
) -> set[Finding]:
    found: set[Finding] = set()
    for fact in facts:
        if fact.partner != agreement["partner"] or not in_term(fact, agreement):
            continue
        terms = version_at(clause, fact.at)
        measure = terms["measure"]
        if not matches(measure, fact):
            continue
        value = number(fact.get(measure["field"]))
        day = fact.day.isoformat()
        if value is None:
            found.add(("cap.unreadable_measure", "error", fact.id, day))
        elif value > terms["max"]:
            found.add(("cap.exceeded", "breach", fact.id, day))
    return found
