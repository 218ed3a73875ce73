"""Which agreements read which facts: the router a run hands to the fact store.

A clause kind reads facts of its types, from its partner (by any of its ids) or from anyone. A norm reads facts of
its types that concern the agreement: those naming one of its partners (by any of their ids) as
the actor or the other side, our own acts (no actor named, or us) that name no other side, and,
for a pattern that reads facts with someone outside the agreement (`with: others` or
`anyone`), every act of ours of that type. Which fields name the parties is the fact-type catalogue's (`FactParties`).
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.facts.model import Fact
from checker.norms.model import ProhibitionTerms, is_norm, patterns_of
from checker.norms.parties import ANYONE, FactParties
from checker.norms.pattern import pattern_types
from checker.rulebook.agreement import Agreement


class RoutingIndex:
    """(fact type, party id) -> agreements that read such facts; party None means anyone."""

    def __init__(
        self, agreements: Sequence[Agreement], fact_parties: FactParties | None = None
    ) -> None:
        self.fact_parties = fact_parties or FactParties()
        self._targets: dict[tuple[str, str | None], set[int]] = {}
        # Our own acts (no actor named) by type: to agreements whose norms read them, either when
        # they name no other side, or whatever they name (`with: others`).
        self._ours_alone: dict[str, set[int]] = {}
        self._ours_with_anyone: dict[str, set[int]] = {}
        self._our_names: set[str] = set()
        for number, agreement in enumerate(agreements):
            # The clause kinds read one partner's facts, under its id or any of its aliases.
            parties = agreement.resolved_parties
            partner_names = parties.aliases_of(agreement.counterparty)
            for clause in agreement.all_clauses:
                if is_norm(clause):
                    self._add_norm(number, agreement, clause)
                    continue
                for pattern, own_partner_only in clause.fact_patterns():
                    for partner in partner_names if own_partner_only else [None]:
                        self._targets.setdefault((pattern.fact, partner), set()).add(number)
            if agreement.term is not None:
                # A notice of non-renewal is any party's: a partner's under any of its ids, or
                # ours (no actor named, or one of our ids).
                notice = agreement.term.notice.fact
                for name in partner_names:
                    self._targets.setdefault((notice, name), set()).add(number)
                self._ours_alone.setdefault(notice, set()).add(number)
                self._our_names.update(parties.aliases_of(parties.us))
        self._types = (
            {fact_type for fact_type, _ in self._targets}
            | set(self._ours_alone)
            | set(self._ours_with_anyone)
        )

    def _add_norm(self, number: int, agreement: Agreement, clause: object) -> None:
        parties = agreement.resolved_parties
        self._our_names.update(parties.aliases_of(parties.us))
        names = {name for name in parties.names() if parties.party_of(name) != parties.us}
        assert is_norm(clause)
        anyone = isinstance(clause, ProhibitionTerms) and clause.by == ANYONE
        for pattern in patterns_of(clause):
            types = pattern_types(pattern)
            if anyone:
                # A scope no one may act in: every fact of its types, whoever it names.
                for fact_type in types:
                    self._targets.setdefault((fact_type, None), set()).add(number)
                continue
            for fact_type in types:
                for name in names:
                    self._targets.setdefault((fact_type, name), set()).add(number)
                self._ours_alone.setdefault(fact_type, set()).add(number)
                if pattern.with_ != "parties":
                    self._ours_with_anyone.setdefault(fact_type, set()).add(number)

    def targets(self, fact: Fact) -> set[int]:
        if fact.type not in self._types:
            return set()
        found = self._targets.get((fact.type, None), set())
        named = set(self.fact_parties.named(fact))
        if fact.partner is not None:
            named.add(fact.partner)
        for name in named:
            own = self._targets.get((fact.type, name))
            if own:
                found = found | own
        fields = self.fact_parties.fields_of(fact.type)
        actor = None if fields.actor is None else fact.get(fields.actor)
        if actor is None or actor == "" or actor in self._our_names:
            other = None if fields.counterparty is None else fact.get(fields.counterparty)
            if other is None or other == "":
                found = found | self._ours_alone.get(fact.type, set())
            found = found | self._ours_with_anyone.get(fact.type, set())
        return found
