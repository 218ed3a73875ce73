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
    for first, stop, terms in versions(clause):
        version_start = start if first is None else max(start, first)
        version_end = end if stop is None else min(end, stop)
        for fixed in terms.get("windows", []):
            # The norms' one time convention: a fixed window is a right arising on its first
            # day (its subject), within the term (one opening before the term's start is not
            # reported), reported from that day on and, once it has closed, as lapsed. Before it
            # opens, a deadline announces it when it opens within the horizon.
            opens_at = epoch_of_date(day_of(fixed["opens"]))
            closes_at = min(end_of_date(day_of(fixed["closes"])), end - 1)
            if not version_start <= opens_at < version_end:
                continue
            _right(found, WINDOW_CODES, fixed["opens"], opens_at, closes_at, as_of, horizon_end)
    _anniversaries(found, clause, agreement, as_of, horizon_end)
    _performance(found, clause, agreement, facts, as_of, horizon_end)
    return found


def _right(
    found: Found,
    codes: tuple[str, str | None, str],
    subject: str,
    opens: int,
    closes: int,
    as_of: int,
    horizon_end: int,
) -> None:
    """A right open from `opens` to `closes`: announced before it opens when the horizon holds
    that instant (if it has an opening code), reported from then on (lapsed too), with a
    deadline while it is open and closes within the horizon."""
    # A clause's findings are one per code and subject, the first reported: of the windows of
    # one anniversary under the terms before and after an amendment, the earlier one's.
    taken = {(code, other) for code, _, other, _ in found}
    open_code, opening_code, closing_code = (
        None if code is None or (code, subject) in taken else code for code in codes
    )
    if as_of < opens:
        if opening_code is not None and opens <= horizon_end:
            found.add((opening_code, "deadline", subject, day_of_instant(opens).isoformat()))
        return
    if open_code is not None:
        found.add((open_code, "trigger", subject, day_of_instant(opens).isoformat()))
    if closing_code is not None and as_of <= closes <= horizon_end:
        found.add((closing_code, "deadline", subject, day_of_instant(closes).isoformat()))


def _stretches(
    clause: dict[str, Any], part: str, start: int, end: int
) -> list[tuple[int, int, Any]]:
    """[first instant, end instant) within the term of each run of versions with the same
    `part` (given), and that part."""
    found: list[tuple[int, int, Any]] = []
    for first, stop, terms in versions(clause):
        lo = start if first is None else max(start, first)
        hi = end if stop is None else min(end, stop)
        value = terms.get(part)
        if found and found[-1][2] == value:
            found[-1] = (found[-1][0], hi, value)
        else:
            found.append((lo, hi, value))
    return [(lo, hi, value) for lo, hi, value in found if value is not None]


def _anniversaries(
    found: Found, clause: dict[str, Any], agreement: dict[str, Any], as_of: int, horizon_end: int
) -> None:
    """A window before each anniversary of the effective date, under the terms in force when
    it opens: one opening outside the term, or outside the stretch of versions with those
    terms, is not reported; it closes at the latest when the term or that stretch ends."""
    start, end = fixed_term(agreement)
    effective = day_of(agreement["effective"])
    for lo, hi, yearly in _stretches(clause, "anniversary_window", start, end):
        years = 1
        while True:
            anniversary = _anniversary(effective, years)
            opens_at = epoch_of_date(_before(yearly["opens_before"], anniversary))
            if opens_at >= hi:
                break
            years += 1
            if opens_at < lo:
                continue
            last = end_of_date(_before(yearly["closes_before"], anniversary))
            closes = min(last, hi - 1)
            if closes < opens_at:
                continue
            subject = anniversary.isoformat()
            _right(found, WINDOW_CODES, subject, opens_at, closes, as_of, horizon_end)


def _performance(
    found: Found,
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of: int,
    horizon_end: int,
) -> None:
    """Per period, the last report in it counts (under the terms in force on the period's last
    day); a period with no report, or whose last report is no number, is not poor and breaks a
    run. A run of `periods` poor periods gives a right from the end of the last one's last day,
    named after the measure that judged it, to the end of the day `request_within` after (within
    the term); reported from then on, lapsed too. A report without a number is an error from
    when it came."""
    start, end = fixed_term(agreement)
    unit = next(
        (t["performance"]["period"] for _, _, t in versions(clause) if t.get("performance")),
        None,
    )
    if unit is None:
        return
    mine = [f for f in own_facts(facts, agreement["partner"]) if start <= f.at < end]
    for report in mine:
        period_end = period_of(report.day, unit).end  # the terms of the report's period
        perf = terms_at(clause, epoch_of_date(period_end)).get("performance")
        if perf is None or report.at > as_of or not matches(perf["measure"], report):
            continue
        if not is_number(report.get(perf["field"])):
            found.add(
                ("renegotiation.unreadable_measure", "error", report.id, report.day.isoformat())
            )
    last_day = date_of_epoch(end - 1)
    period = period_of(date_of_epoch(start), unit)
    streak = 0
    # A period the term's end cuts closes with the term (docs/norms.md, measures).
    while period.start <= last_day and min(end_of_date(period.end), end - 1) < as_of:
        perf = terms_at(clause, epoch_of_date(period.end)).get("performance")
        poor = False
        if perf is not None and perf["period"] == unit:
            reports = [
                f
                for f in mine
                if period.start <= f.day <= period.end and matches(perf["measure"], f)
            ]
            if reports:
                value = reports[-1].get(perf["field"])
                poor = is_number(value) and value < perf["below"]
        streak = streak + 1 if poor else 0
        closes_at = min(end_of_date(period.end), end - 1)
        if poor and perf is not None and streak % perf["periods"] == 0:
            # Named after the clause whichever version's measure it is (docs/norms.md: a
            # breach of another clause is `<clause>:<subject>`); the versions' periods differ.
            within = parse_duration(perf["request_within"]).add_to_date(period.end)
            closes = min(end_of_date(within), end - 1)
            subject = f"{clause['id']}:{period.label}"
            _right(found, RIGHT_CODES, subject, closes_at, closes, as_of, horizon_end)
        period = period_of(period.end + timedelta(days=1), unit)
