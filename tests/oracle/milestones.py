"""Oracle of the milestones kind: late or missed achievement, cure after a default notice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from checker.dates.timeutil import end_of_date, epoch_of_date, parse_duration
from checker.facts.model import Fact
from tests.oracle.common import (
    Found,
    day_of,
    fixed_term,
    matches,
    obligation,
    own_facts,
    versions,
)


def oracle_milestones(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of: int,
    horizon_end: int,
) -> Found:
    found: Found = set()
    term_start, term_end = fixed_term(agreement)
    mine = own_facts(facts, agreement["partner"])
    # A default notice is either party's: the partner's, or ours (no partner named).
    notices = sorted(
        (f for f in facts if f.partner in (agreement["partner"], None)), key=lambda f: (f.at, f.id)
    )
    named: set[str] = set()
    for start, end, terms in versions(clause):
        first = term_start if start is None else max(term_start, start)
        last = term_end if end is None else min(term_end, end)
        name_field = terms.get("name_field", "milestone")
        for milestone in terms["milestones"]:
            name, due = milestone["name"], day_of(milestone["due"])
            in_version = (start is None or start <= epoch_of_date(due)) and (
                end is None or epoch_of_date(due) < end
            )
            # One time convention (docs/norms.md): a finding's identity is fixed when its
            # instance is created. A milestone checked again under a later version (moved by an
            # amendment after its first date) is a new instance: it is named with its due date.
            subject = f"{name} (due {due.isoformat()})" if name in named else name
            if in_version:
                named.add(name)
            if not first <= epoch_of_date(due) < last:
                continue
            due_by = end_of_date(due)
            # Nothing is said yet of a milestone due after the as-of and beyond the horizon: only
            # a fact after the as-of (which a run never routes) could have made it a finding.
            if epoch_of_date(due) > as_of and due_by > horizon_end:
                continue
            achieved = None
            for fact in mine:
                if matches(terms["achieved"], fact) and fact.get(name_field) == name:
                    achieved = fact
                    break
            # One time convention (docs/norms.md): achieved after the due date is the same breach
            # as never achieved, milestone.missed dated at the due date (it was milestone.late
            # dated at the achievement before the convention).
            if achieved is not None and achieved.at > due_by:
                found.add(("milestone.missed", "breach", subject, due.isoformat()))
            obligation(
                found,
                codes=("milestone.missed", None, "milestone.due"),
                kinds=("breach", "breach"),
                subject=subject,
                due_by=due_by,
                done=achieved,
                as_of=as_of,
                horizon_end=horizon_end,
            )
            # The cure follows the terms in force on the due date, like the milestone itself.
            cure = terms.get("cure")
            if cure is None or (achieved is not None and achieved.at <= due_by):
                continue
            for notice in notices:
                if notice.at <= due_by:  # nothing was in default yet
                    continue
                if notice.at > as_of:  # not known yet (a run never reads it)
                    continue
                if not matches(cure["notice"], notice) or notice.get(name_field) != name:
                    continue
                cure_ends = parse_duration(cure["period"]).add_to_date(notice.day)
                # One time convention (docs/norms.md): a right that arose is still reported once
                # the milestone is achieved after the cure period (it was dropped before).
                cured = achieved is not None and achieved.at <= end_of_date(cure_ends)
                obligation(
                    found,
                    codes=("milestone.termination_right", None, "milestone.cure_ends"),
                    kinds=("trigger", "breach"),
                    subject=subject,
                    due_by=end_of_date(cure_ends),
                    done=achieved if cured else None,
                    as_of=as_of,
                    horizon_end=horizon_end,
                    missed_day=cure_ends + timedelta(days=1),
                )
                break
    return found
