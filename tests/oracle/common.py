"""Plain-Python helpers every oracle shares: terms over time, pattern matching, obligations and
windows, written from the clause semantics without any of checker's compilation."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from checker.dates.timeutil import SECONDS_PER_DAY, epoch_of_date
from checker.facts.model import Fact

Found = set[tuple[str, str, str, str]]


def day_of(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


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


def versions(clause: dict[str, Any]) -> list[tuple[int | None, int | None, dict[str, Any]]]:
    """(first instant or None, end instant or None, terms) for the clause and each amendment."""
    found: list[tuple[int | None, dict[str, Any]]] = [(None, clause)]
    for amendment in clause.get("amended", []):
        terms = dict(found[-1][1])  # amendments accumulate
        terms.update({k: v for k, v in amendment.items() if k != "effective"})
        found.append((epoch_of_date(day_of(amendment["effective"])), terms))
    spans = []
    for index, (start, terms) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else None
        spans.append((start, end, terms))
    return spans


def terms_at(clause: dict[str, Any], instant: int) -> dict[str, Any]:
    current = clause
    for start, _end, terms in versions(clause):
        if start is None or start <= instant:
            current = terms
    return current


def fixed_term(agreement: dict[str, Any]) -> tuple[int, int]:
    """[start, end) of an agreement with a fixed expiry date."""
    start = epoch_of_date(day_of(agreement["effective"]))
    end = epoch_of_date(day_of(agreement["expires"]) + timedelta(days=1))
    return start, end


def in_term(fact: Fact, agreement: dict[str, Any]) -> bool:
    start, end = fixed_term(agreement)
    return start <= fact.at < end


def own_facts(facts: list[Fact], partner: str) -> list[Fact]:
    return sorted((f for f in facts if f.partner == partner), key=lambda f: (f.at, f.id))


def number(value: Any) -> float | None:
    """A fact value as a number, or None when it is not one (text, a flag, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def is_number(value: Any) -> bool:
    return number(value) is not None


def obligation(
    found: Found,
    *,
    codes: tuple[str | None, str | None, str | None],
    kinds: tuple[str, str],
    subject: str,
    due_by: int,
    done: Fact | None,
    as_of: int,
    horizon_end: int,
    missed_day: date | None = None,
) -> None:
    """Classify one obligation: (missed, late, due-soon) codes, (missed, late) kinds."""
    missed_code, late_code, due_code = codes
    if done is not None:
        if done.at > due_by and late_code is not None:
            found.add((late_code, kinds[1], subject, done.day.isoformat()))
        return
    if as_of > due_by:
        if missed_code is not None:
            day = missed_day or day_of_instant(due_by)
            found.add((missed_code, kinds[0], subject, day.isoformat()))
    elif due_by <= horizon_end and due_code is not None:
        found.add((due_code, "deadline", subject, day_of_instant(due_by).isoformat()))


def day_of_instant(instant: int) -> date:
    return date(1970, 1, 1) + timedelta(days=instant // SECONDS_PER_DAY)


def window(
    found: Found,
    *,
    codes: tuple[str, str | None, str],
    subject: str,
    opens: int,
    closes: int,
    used: bool,
    as_of: int,
    horizon_end: int,
) -> None:
    """(open trigger, opening deadline or None when not announced, closing deadline) codes."""
    open_code, opening_code, closing_code = codes
    if used:
        return
    if opens <= as_of <= closes:
        found.add((open_code, "trigger", subject, day_of_instant(opens).isoformat()))
        if closes <= horizon_end:
            found.add((closing_code, "deadline", subject, day_of_instant(closes).isoformat()))
    elif as_of < opens <= horizon_end and opening_code is not None:
        found.add((opening_code, "deadline", subject, day_of_instant(opens).isoformat()))
