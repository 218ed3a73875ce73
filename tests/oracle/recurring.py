"""Oracle of the recurring kind: per-period deliverables, minimum totals and shortfall runs."""

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
    window,
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
    runs: list[tuple[Any, dict[str, Any], bool]] = []  # (period, terms, shortfall)
    for start, end, terms in versions(clause):
        first = term_start if start is None else max(term_start, start)
        last = term_end if end is None else min(term_end, end)
        period = period_of(term_first, terms["period"])
        while period.start <= term_last:
            if first <= epoch_of_date(period.end) < last:
                _deliverable(found, terms, period, mine, as_of=as_of, horizon=horizon_end)
                ended = end_of_date(period.end) < as_of
                if "minimum" in terms and period.start >= term_first and ended:
                    runs.append((period, terms, _minimum(found, terms, period, mine)))
            period = period_of(period.end + timedelta(days=1), terms["period"])
    streak = 0
    for period, terms, shortfall in runs:
        streak = streak + 1 if shortfall else 0
        required = terms["minimum"].get("consecutive_shortfalls")
        if not shortfall or required is None or streak % required:
            continue
        right_for = parse_duration(terms["minimum"].get("right_for", "90d"))
        opens = epoch_of_date(period.end + timedelta(days=1))
        closes = min(end_of_date(right_for.add_to_date(period.end)), term_end - 1)
        if closes >= opens:
            window(
                found,
                codes=("recurring.shortfall_right", None, "recurring.shortfall_right_lapses"),
                subject=period.label,
                opens=opens,
                closes=closes,
                used=False,
                as_of=as_of,
                horizon_end=horizon_end,
            )
    return found


def _deliverable(
    found: Found, terms: dict[str, Any], period: Any, mine: list[Fact], *, as_of: int, horizon: int
) -> None:
    if "deliverable" not in terms:
        return
    pattern = terms["deliverable"]
    field = pattern.get("period_field", "period")
    due_day = parse_duration(terms["due_after_period_end"]).add_to_date(period.end)
    due_by = end_of_date(due_day)
    if due_by > horizon:
        return
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
    if terms.get("material_breach_after") and done is None:
        material_day = parse_duration(terms["material_breach_after"]).add_to_date(due_day)
        if as_of > end_of_date(material_day):
            found.add(
                ("recurring.material_breach", "trigger", period.label, material_day.isoformat())
            )


def _minimum(found: Found, terms: dict[str, Any], period: Any, mine: list[Fact]) -> bool:
    """Whether the period fell short; unreadable values are errors and make it no shortfall."""
    measure = terms["minimum"]["measure"]
    pattern = {key: value for key, value in measure.items() if key != "field"}
    total = 0.0
    readable = True
    for fact in mine:
        if matches(pattern, fact) and period.start <= fact.day <= period.end:
            value = fact.get(measure["field"])
            if is_number(value):
                total += value
            else:
                readable = False
                found.add(("recurring.unreadable_measure", "error", fact.id, fact.day.isoformat()))
    if readable and total < terms["minimum"]["at_least"]:
        found.add(("recurring.shortfall", "breach", period.label, period.end.isoformat()))
        return True
    return False
