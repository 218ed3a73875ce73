"""Oracle of the termination kind: change-of-control rights, termination for convenience and the
duties that fall due once the agreement has ended, written from the clause's documented semantics.

Only fixed-term agreements (with an `expires` date) are supported: the term runs from 00:00 UTC on
the effective date to the end of the expiry date, unless the first for-convenience notice inside
that term ends it earlier.

The norms' one time convention (docs/norms.md): "N days after D" ends with the end of the Nth day
after D, hours are exact; a right is reported from the day it arose on, whatever became of it; a
late duty is the same breach as a missed one, dated at its due date.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from checker.dates.timeutil import (
    Duration,
    date_of_epoch,
    end_of_date,
    epoch_of_date,
    parse_duration,
)
from checker.facts.model import Fact
from tests.oracle.common import (
    Found,
    fixed_term,
    matches,
    obligation,
    own_facts,
    terms_at,
    versions,
)

OURS = "us"


def concerns(fact: Fact, agreement: dict[str, Any]) -> bool:
    """A notice counts when it comes from a party (the partner, us, or no party named: us) and
    names no other agreement."""
    named = fact.get("agreement")
    if named is not None and str(named) != str(agreement["agreement"]):
        return False
    return fact.partner is None or fact.partner in (OURS, agreement["partner"])


def within(instant: int, written: str) -> int:
    """The last instant of "within `written` after `instant`": hours exact, else the whole day."""
    duration = parse_duration(written)
    if duration.unit == "hours":
        return instant + duration.amount * 3600
    return end_of_date(duration.add_to_date(date_of_epoch(instant)))


def ends_after(notice: int, written: str) -> int:
    """The first instant no longer in force after a notice: the end of the day the notice
    period ends on, or exactly the period later in hours."""
    duration: Duration = parse_duration(written)
    if duration.unit == "hours":
        return notice + duration.amount * 3600
    return epoch_of_date(duration.add_to_date(date_of_epoch(notice)) + timedelta(days=1))


def same_part_until(clause: dict[str, Any], part: str, instant: int) -> int | None:
    """The first instant after `instant` at which an amendment changes `part` (None: never)."""
    value = terms_at(clause, instant).get(part)
    for first, _, terms in versions(clause):
        if first is not None and first > instant and terms.get(part) != value:
            return first
    return None


def oracle_termination(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of: int,
    horizon_end: int,
) -> Found:
    found: Found = set()
    assert agreement.get("expires") is not None, "the oracle only knows fixed-term agreements"
    start, expiry_end = fixed_term(agreement)
    ordered = sorted(facts, key=lambda f: (f.at, f.id))
    mine = own_facts(facts, agreement["partner"])

    # For convenience: the first notice inside the term, under the terms in force at the notice.
    end = expiry_end
    for notice in ordered:
        if not start <= notice.at < expiry_end:
            continue
        convenience = terms_at(clause, notice.at).get("for_convenience")
        if convenience is None or not matches(convenience["notice"], notice):
            continue
        if not concerns(notice, agreement):
            continue
        effective = ends_after(notice.at, convenience["notice_period"])
        if effective < expiry_end:
            end = effective
            day = date_of_epoch(effective - 1).isoformat()
            if as_of <= effective - 1 <= horizon_end:
                found.add(("termination.effective", "deadline", notice.id, day))
            elif effective - 1 < as_of:  # it has ended: said once its last day is over
                found.add(("termination.ended", "trigger", notice.id, day))
        break

    # Change of control: a right per partner event inside the (possibly shortened) term.
    for event in mine:
        if not start <= event.at < end:
            continue
        coc = terms_at(clause, event.at).get("change_of_control")
        if coc is None or not matches(coc["event"], event):
            continue
        closes = min(within(event.at, coc["right_for"]), end - 1)
        changed = same_part_until(clause, "change_of_control", event.at)
        if changed is not None:  # the terms it arose under end first
            closes = min(closes, changed - 1)
        exercised = False
        for notice in ordered:
            inside = event.at <= notice.at <= closes
            if inside and matches(coc["exercise"], notice) and concerns(notice, agreement):
                exercised = True
                break
        if event.at > as_of:
            continue
        day = date_of_epoch(event.at).isoformat()
        found.add(("termination.change_of_control_right", "trigger", event.id, day))
        if not exercised and as_of <= closes <= horizon_end:
            closing = date_of_epoch(closes).isoformat()
            found.add(("termination.change_of_control_lapses", "deadline", event.id, closing))

    # After the end: every reason a fixed-term agreement can end for counts (expiry or notice).
    # The duty arises at the term's last instant; a fact from then on counts.
    # Known once it ended, or foreseen when its deadline falls within the horizon.
    for duty in terms_at(clause, end - 1).get("on_termination", []):
        due_by = within(end - 1, duty["within"])
        if end - 1 <= as_of or due_by <= horizon_end:
            done = None
            for candidate in mine:
                if candidate.at >= end - 1 and matches(duty["do"], candidate):
                    done = candidate
                    break
            if done is not None and done.at > due_by:  # late: the missed breach, at the due date
                day = date_of_epoch(due_by).isoformat()
                found.add(("termination.obligation_missed", "breach", duty["name"], day))
                continue
            obligation(
                found,
                codes=(
                    "termination.obligation_missed",
                    None,
                    "termination.obligation_due",
                ),
                kinds=("breach", "breach"),
                subject=duty["name"],
                due_by=due_by,
                done=done,
                as_of=as_of,
                horizon_end=horizon_end,
            )
    return found
