"""Oracle of the renegotiation kind: fixed and anniversary windows, and the right to request
renegotiation after a run of poor periods, written from the clause's documented semantics.

Only fixed-term agreements (with an `expires` date) are supported.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from checker.dates.timeutil import (
    Duration,
    date_of_epoch,
    end_of_date,
    epoch_of_date,
    parse_duration,
    period_of,
)
from checker.facts.model import Fact
from tests.oracle.common import (
    Found,
    day_of,
    day_of_instant,
    fixed_term,
    is_number,
    matches,
    own_facts,
    terms_at,
    versions,
    window,
)

WINDOW_CODES = (
    "renegotiation.window_open",
    "renegotiation.window_opens",
    "renegotiation.window_closes",
)
RIGHT_CODES = (
    "renegotiation.performance_right",
    None,
    "renegotiation.performance_right_lapses",
)


def _before(text: str, day: date) -> date:
    duration = parse_duration(text)
    return Duration(-duration.amount, duration.unit).add_to_date(day)


def _anniversary(effective: date, years: int) -> date:
    """`years` calendar years after `effective`, Feb 29 falling back to Feb 28."""
    try:
        return effective.replace(year=effective.year + years)
    except ValueError:
        return date(effective.year + years, 2, 28)


def oracle_renegotiation(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of: int,
    horizon_end: int,
) -> Found:
    found: Found = set()
    assert agreement.get("expires") is not None, "the oracle only knows fixed-term agreements"
    start, end = fixed_term(agreement)
    effective = day_of(agreement["effective"])
    for first, stop, terms in versions(clause):
        version_start = start if first is None else max(start, first)
        version_end = end if stop is None else min(end, stop)
        candidates: list[tuple[str, int, int]] = []
        for fixed in terms.get("windows", []):
            # The norms' one time convention: a fixed window is a right arising on its first
            # day (its subject), within the term (one opening before the term's start is not
            # reported), reported from that day on and, once it has closed, as lapsed. Before it
            # opens, a deadline announces it when it opens within the horizon.
            opens_at = epoch_of_date(day_of(fixed["opens"]))
            closes_at = min(end_of_date(day_of(fixed["closes"])), end - 1)
            if not version_start <= opens_at < version_end or opens_at > horizon_end:
                continue
            subject = day_of(fixed["opens"]).isoformat()
            if as_of < opens_at:
                found.add(("renegotiation.window_opens", "deadline", subject, subject))
                continue
            found.add(("renegotiation.window_open", "trigger", subject, subject))
            if as_of <= closes_at <= horizon_end:
                found.add(
                    (
                        "renegotiation.window_closes",
                        "deadline",
                        subject,
                        day_of_instant(closes_at).isoformat(),
                    )
                )
        yearly = terms.get("anniversary_window")
        if yearly is not None:
            years = 1
            while True:
                anniversary = _anniversary(effective, years)
                opens_at = epoch_of_date(_before(yearly["opens_before"], anniversary))
                if opens_at >= end:
                    break
                last = end_of_date(_before(yearly["closes_before"], anniversary))
                candidates.append((anniversary.isoformat(), opens_at, last))
                years += 1
        for subject, opens_at, last in candidates:
            if last < start or opens_at >= end:
                continue  # does not overlap the term
            if not version_start <= max(opens_at, start) < version_end:
                continue  # another version's terms are in force when it opens
            window(
                found,
                codes=WINDOW_CODES,
                subject=subject,
                opens=opens_at,
                closes=min(last, end - 1),
                used=False,
                as_of=as_of,
                horizon_end=horizon_end,
            )
    _performance(found, clause, agreement, facts, as_of, horizon_end)
    return found


def _performance(
    found: Found,
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of: int,
    horizon_end: int,
) -> None:
    start, end = fixed_term(agreement)
    unit = next(
        (t["performance"]["period"] for _, _, t in versions(clause) if t.get("performance")),
        None,
    )
    if unit is None:
        return
    mine = [f for f in own_facts(facts, agreement["partner"]) if start <= f.at < end]
    last_day = date_of_epoch(end - 1)
    period = period_of(date_of_epoch(start), unit)
    streak = 0
    while period.start <= last_day and end_of_date(period.end) < as_of:
        perf = terms_at(clause, epoch_of_date(period.end)).get("performance")
        poor = False
        if perf is not None and perf["period"] == unit:
            reports = [
                f
                for f in mine
                if period.start <= f.day <= period.end and matches(perf["measure"], f)
            ]
            for report in reports:
                if not is_number(report.get(perf["field"])):
                    found.add(
                        (
                            "renegotiation.unreadable_measure",
                            "error",
                            report.id,
                            report.day.isoformat(),
                        )
                    )
            if reports:
                value = reports[-1].get(perf["field"])
                poor = is_number(value) and value < perf["below"]
        streak = streak + 1 if poor else 0
        if poor and perf is not None and streak % perf["periods"] == 0:
            opens = epoch_of_date(period.end + timedelta(days=1))
            within = parse_duration(perf["request_within"]).add_to_date(period.end)
            closes = min(end_of_date(within), end - 1)
            if closes >= opens:
                window(
                    found,
                    codes=RIGHT_CODES,
                    subject=period.label,
                    opens=opens,
                    closes=closes,
                    used=False,
                    as_of=as_of,
                    horizon_end=horizon_end,
                )
        period = period_of(period.end + timedelta(days=1), unit)
