"""Oracle of the recurring kind: per-period deliverables and their material breach, minimum
totals, undecided periods and shortfall runs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from checker.dates.timeutil import end_of_date, epoch_of_date, parse_duration, period_of
from checker.facts.model import Fact
from tests.oracle.common import (
    Found,
    fixed_term,
    is_number,
    matches,
    obligation,
    own_facts,
    versions,
)


def oracle_recurring(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of: int,
    horizon_end: int,
) -> Found:
    found: Found = set()
    term_start, term_end = fixed_term(agreement)
    term_first = date(1970, 1, 1) + timedelta(days=term_start // 86_400)
    term_last = date(1970, 1, 1) + timedelta(days=(term_end - 1) // 86_400)
    mine = own_facts(facts, agreement["partner"])
    known = [fact for fact in mine if fact.at <= as_of]
    # (period, terms, shortfall or None when not judged a shortfall, the measure's clause key)
    runs: list[tuple[Any, dict[str, Any], bool, str]] = []
    measures = 0  # the clause's measure norms so far: the first is the clause id, then "#2"...
    for start, end, terms in versions(clause):
        first = term_start if start is None else max(term_start, start)
        last = term_end if end is None else min(term_end, end)
        if "minimum" in terms and _judges_a_period(clause, terms, start, end):
            measures += 1
        key = clause["id"] if measures <= 1 else f"{clause['id']}#{measures}"
        period = period_of(term_first, terms["period"])
        while period.start <= term_last:
            checked = "checked_from" not in clause or period.end >= date.fromisoformat(
                clause["checked_from"]
            )
            if first <= epoch_of_date(period.end) < last and checked:
                _deliverable(found, terms, period, mine, known, as_of=as_of, horizon=horizon_end)
                if "minimum" in terms and period.start >= term_first:
                    shortfall = _minimum(found, terms, period, mine, as_of, horizon_end)
                    if shortfall is not None:
                        runs.append((period, terms, shortfall, key))
            period = period_of(period.end + timedelta(days=1), terms["period"])
    streak = 0
    for period, terms, shortfall, key in runs:
        streak = streak + 1 if shortfall else 0
        required = terms["minimum"].get("consecutive_shortfalls")
        if not shortfall or required is None or streak % required:
            continue
        # The right arises with the shortfall that completes the run, at the end of its period,
        # and is still reported after it lapsed.
        right_for = parse_duration(terms["minimum"].get("right_for", "90d"))
        opens = end_of_date(period.end)
        closes = min(end_of_date(right_for.add_to_date(period.end)), term_end - 1)
        subject = f"{key}:{period.label}"
        if opens <= as_of:
            found.add(("recurring.shortfall_right", "trigger", subject, period.end.isoformat()))
            if as_of <= closes <= horizon_end:
                day = date(1970, 1, 1) + timedelta(days=closes // 86_400)
                found.add(
                    ("recurring.shortfall_right_lapses", "deadline", subject, day.isoformat())
                )
    return found


def _deliverable(
    found: Found,
    terms: dict[str, Any],
    period: Any,
    mine: list[Fact],
    known: list[Fact],
    *,
    as_of: int,
    horizon: int,
) -> None:
    if "deliverable" not in terms:
        return
    pattern = terms["deliverable"]
    field = pattern.get("period_field", "period")
    due_day = parse_duration(terms["due_after_period_end"]).add_to_date(period.end)
    due_by = end_of_date(due_day)
    if due_by > horizon:
        return
    _material(found, terms, period, known, due_day, as_of=as_of, horizon=horizon)
    done = None
    for fact in mine:
        if matches(pattern, fact) and str(fact.get(field)) == period.label:
            done = fact
            break
    # The one time convention: a delivery after the due date is the same breach as a missed
    # one, `recurring.missed` dated at the due date (there is no separate late finding).
    if done is not None and done.at > due_by:
        found.add(("recurring.missed", "breach", period.label, due_day.isoformat()))
        return
    obligation(
        found,
        codes=("recurring.missed", None, "recurring.due"),
        kinds=("breach", "breach"),
        subject=period.label,
        due_by=due_by,
        done=done,
        as_of=as_of,
        horizon_end=horizon,
    )


def _material(
    found: Found,
    terms: dict[str, Any],
    period: Any,
    known: list[Fact],
    due_day: date,
    *,
    as_of: int,
    horizon: int,
) -> None:
    """Still not delivered (as far as is known) after the material-breach day: a material
    breach dated on that day, even when delivered later; a deadline while it is to come."""
    if not terms.get("material_breach_after"):
        return
    pattern = terms["deliverable"]
    field = pattern.get("period_field", "period")
    material_day = parse_duration(terms["material_breach_after"]).add_to_date(due_day)
    material = end_of_date(material_day)
    done = next(
        (f for f in known if matches(pattern, f) and str(f.get(field)) == period.label), None
    )
    if done is not None and done.at <= material:
        return
    if as_of > material:
        found.add(("recurring.material_breach", "trigger", period.label, material_day.isoformat()))
    elif material <= horizon:
        found.add(
            ("recurring.becomes_material", "deadline", period.label, material_day.isoformat())
        )


def _judges_a_period(
    clause: dict[str, Any], terms: dict[str, Any], start: int | None, end: int | None
) -> bool:
    """Whether a version with a minimum has a measure of its own (the kind numbers them): one
    that starts (or is checked from) a day has one when some period ends between that day and
    the version's end."""
    days = [date(1970, 1, 1) + timedelta(days=start // 86_400)] if start is not None else []
    if "checked_from" in clause:
        days.append(date.fromisoformat(clause["checked_from"]))
    if not days or end is None:
        return True
    return epoch_of_date(period_of(max(days), terms["period"]).end) < end


def _minimum(
    found: Found,
    terms: dict[str, Any],
    period: Any,
    mine: list[Fact],
    as_of: int,
    horizon_end: int,
) -> bool | None:
    """Whether the period fell short, once it ended (None: not judged, or no verdict). A value
    that is not a number is an error of its own as soon as it is known, and makes its period's
    total unknown: neither a shortfall nor compliant."""
    measure = terms["minimum"]["measure"]
    pattern = {key: value for key, value in measure.items() if key != "field"}
    total = 0.0
    readable = True
    for fact in mine:
        if matches(pattern, fact) and period.start <= fact.day <= period.end:
            value = fact.get(measure["field"])
            if is_number(value):
                total += value
                continue
            readable = False
            if fact.at <= as_of:
                error = ("recurring.unreadable_measure", "error", fact.id, fact.day.isoformat())
                found.add(error)
    minimum = terms["minimum"]["at_least"]
    if end_of_date(period.end) >= as_of:
        # The current period: at risk while below the minimum, when it ends within the horizon.
        current = epoch_of_date(period.start) <= as_of
        if current and readable and total < minimum and end_of_date(period.end) <= horizon_end:
            found.add(
                ("recurring.minimum_at_risk", "deadline", period.label, period.end.isoformat())
            )
        return None
    if not readable:
        found.add(("recurring.minimum_unknown", "unknown", period.label, period.end.isoformat()))
        return False
    if total < minimum:
        found.add(("recurring.shortfall", "breach", period.label, period.end.isoformat()))
        return True
    return False
