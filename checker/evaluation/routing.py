"""Which agreements read which facts: the router a run hands to the fact store."""

from __future__ import annotations

from collections.abc import Sequence

from checker.facts.model import Fact
from checker.rulebook.agreement import Agreement


class RoutingIndex:
    """(fact type, partner) -> agreements that read such facts; partner None means any partner."""

    def __init__(self, agreements: Sequence[Agreement]) -> None:
        self._targets: dict[tuple[str, str | None], set[int]] = {}
        for number, agreement in enumerate(agreements):
            for clause in agreement.clauses:
                for pattern, own_partner_only in clause.fact_patterns():
                    partner = agreement.counterparty if own_partner_only else None
                    self._targets.setdefault((pattern.fact, partner), set()).add(number)
            if agreement.term is not None:
                key = (agreement.term.notice.fact, agreement.counterparty)
                self._targets.setdefault(key, set()).add(number)
        self._types = {fact_type for fact_type, _ in self._targets}

    def targets(self, fact: Fact) -> set[int]:
        if fact.type not in self._types:
            return set()
        found = self._targets.get((fact.type, None), set())
        if fact.partner is not None:
            own = self._targets.get((fact.type, fact.partner))
            if own:
                found = found | own
        return found
