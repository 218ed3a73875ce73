"""Oracle of the `non_compete` kind: plain loops over the facts."""

from __future__ import annotations

from typing import Any

from checker.facts.model import Fact
from tests.oracle.common import Found, in_term, is_one_of, matches, terms_at


def oracle_non_compete(
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
        activity = terms.get("activity", [{"fact": "deal.closed"}])
        if not any(matches(pattern, fact) for pattern in activity):
            continue
        if not is_one_of(fact.get("product"), terms["competing_products"]):
            continue
        territory = terms.get("territory")
        if territory is not None and not is_one_of(fact.get("territory"), territory):
            continue
        found.add(("non_compete.competing_activity", "breach", fact.id, fact.day.isoformat()))
    return found
