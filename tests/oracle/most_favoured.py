"""Oracle of the `most_favoured` kind: each other partner's price against our price then."""

from __future__ import annotations

from typing import Any

from checker.facts.model import Fact
from tests.oracle.common import Found, in_term, matches, number, same, terms_at


def oracle_most_favoured(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of_epoch: int,
    horizon_end_epoch: int,
) -> Found:
    partner = agreement["partner"]
    found: Found = set()
    for fact in facts:
        if not in_term(fact, agreement):
            continue
        terms = terms_at(clause, fact.at)
        price = terms["price"]
        if not matches(price, fact):
            continue
        value = number(fact.get(price["field"]))
        day = fact.day.isoformat()
        if value is None:
            found.add(("most_favoured.unreadable_price", "error", fact.id, day))
            continue
        if fact.partner == partner:
            continue
        match_on = terms.get("match_on", ["product"])
        ours = [
            own
            for own in facts
            if own.partner == partner
            and own.at <= fact.at
            and matches(price, own)
            and number(own.get(price["field"])) is not None
            and all(same(own.get(name), fact.get(name)) for name in match_on)
        ]
        if not ours:
            continue
        in_force = max(ours, key=lambda own: (own.at, own.id))
        own_price = number(in_force.get(price["field"]))
        assert own_price is not None
        if value < own_price:
            found.add(("most_favoured.lower_price_elsewhere", "breach", fact.id, day))
    return found
