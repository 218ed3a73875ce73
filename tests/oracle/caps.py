"""Oracle of the `cap` kind: each reported measure against the cap in force then."""

from __future__ import annotations

from typing import Any

from checker.facts.model import Fact
from tests.oracle.common import Found, in_term, matches, number, terms_at


def oracle_caps(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of_epoch: int,
    horizon_end_epoch: int,
) -> Found:
    found: Found = set()
    for fact in facts:
        if fact.partner != agreement["partner"] or not in_term(fact, agreement):
            continue
        terms = terms_at(clause, fact.at)
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
