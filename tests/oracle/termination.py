"""Oracle of the termination kind: change-of-control rights, termination for convenience and the
duties that fall due once the agreement has ended, written from the clause's documented semantics.

Only fixed-term agreements (with an `expires` date) are supported: the term runs from 00:00 UTC on
the effective date to the end of the expiry date, unless the first for-convenience notice inside
that term ends it earlier.
"""

from __future__ import annotations

from typing import Any

from checker.dates.timeutil import date_of_epoch, parse_duration
from checker.facts.model import Fact
from tests.oracle.common import (
    Found,
    fixed_term,
    matches,
    obligation,
    own_facts,
    terms_at,
    window,
)

OURS = "us"


def concerns(fact: Fact, agreement: dict[str, Any]) -> bool:
    """A notice counts when it names this agreement, or names none and comes from the partner,
    from us, or from no party at all."""
    named = fact.get("agreement")
    if named is not None:
        return str(named) == str(agreement["agreement"])
    return fact.partner is None or fact.partner in (OURS, agreement["partner"])


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
        effective = parse_duration(convenience["notice_period"]).after(notice.at)
        if effective < expiry_end:
            end = effective
            if as_of <= effective <= horizon_end:
                day = date_of_epoch(effective).isoformat()
                found.add(("termination.effective", "deadline", notice.id, day))
        break

    # Change of control: a right per partner event inside the (possibly shortened) term.
    for event in mine:
        if not start <= event.at < end:
            continue
        coc = terms_at(clause, event.at).get("change_of_control")
        if coc is None or not matches(coc["event"], event):
            continue
        closes = min(parse_duration(coc["right_for"]).after(event.at) - 1, end - 1)
        exercised = False
        for notice in ordered:
            inside = event.at <= notice.at <= closes
            if inside and matches(coc["exercise"], notice) and concerns(notice, agreement):
                exercised = True
                break
        window(
            found,
            codes=(
                "termination.change_of_control_right",
                None,
                "termination.change_of_control_lapses",
            ),
            subject=event.id,
            opens=event.at,
            closes=closes,
            used=exercised,
            as_of=as_of,
            horizon_end=horizon_end,
        )

    # After the end: every reason a fixed-term agreement can end for counts (expiry or notice).
    if end - 1 <= horizon_end:
        terms = terms_at(clause, end - 1)
        for duty in terms.get("on_termination", []):
            due_by = parse_duration(duty["within"]).after(end) - 1
            done = None
            for candidate in mine:
                if candidate.at >= end and matches(duty["do"], candidate):
                    done = candidate
                    break
            obligation(
                found,
                codes=(
                    "termination.obligation_missed",
                    "termination.obligation_late",
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
