"""Most favoured: no other partner may get a lower price than this partner for the same product.

Example::

    - id: "6.1"
      title: Most favoured customer pricing
      kind: most_favoured
      price: {fact: price.agreed, field: unit_price}
      match_on: [product]
      amended:
        - {effective: 2026-07-01, match_on: [product, currency]}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field

from checker.clauses.base import Clause, ExplainContext, Explanation
from checker.clauses.caps import MeasuredField, number_of, number_text
from checker.engine import conditions as cond
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.blocks import Limit, Measurement, Outcome, limits
from checker.norms.context import ClauseContext
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern

# End of a price period that no later own price replaces: past any term end.
OPEN_END = 2**53


class MostFavoured(Clause):
    kind_summary = "No other partner may get a lower price than this partner for the same product."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "most_favoured.lower_price_elsewhere",
            FindingKind.BREACH,
            "Another partner got a lower price than this partner's for the same product.",
        ),
        FindingCode(
            "most_favoured.unreadable_price",
            FindingKind.ERROR,
            "A price fact has no number in the price field, so prices could not be compared.",
        ),
    )

    kind: Literal["most_favoured"]
    price: MeasuredField = Field(
        description="Price facts (of every partner) and the price field, e.g. "
        "{fact: price.agreed, field: unit_price}",
        examples=[{"fact": "price.agreed", "field": "unit_price"}],
    )
    match_on: list[Annotated[str, Field(pattern=FIELD_NAME_PATTERN)]] = Field(
        default_factory=lambda: ["product"],
        min_length=1,
        description="Fields that must be equal for two prices to be compared (default: product)",
        examples=[["product", "currency"]],
    )

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        # Prices agreed with other partners are the whole point: not only the partner's own.
        return [(terms.price, False) for terms in self._all_terms()]

    def describe(self) -> str:
        return (
            f"No other partner may be given a lower {self.price.field} than this partner"
            f" ({self.price.describe()}, same {', '.join(self.match_on)})."
        )

    def _all_terms(self) -> list[MostFavoured]:
        found = [version.terms for version in self.versions()]
        assert all(isinstance(terms, MostFavoured) for terms in found)
        return found  # type: ignore[return-value]

    def compile(self, context: ClauseContext) -> None:
        self._report_unreadable_prices(context)
        bounds: list[Limit] = []
        measurements: list[Measurement] = []
        for number, version in enumerate(self.versions()):
            terms = version.terms
            assert isinstance(terms, MostFavoured)
            start, end = version.bounds(context.term.start, context.term.end)
            periods = terms._own_price_periods(context, number)
            # Each own price period is a minimum, keyed by product (and version), that every
            # other partner's price in that period must meet; blocks.limits pairs them by key
            # and time, and the engine decides whether the price falls below it.
            bounds.extend(
                Limit(max(begins, start), min(ends, end), price, key)
                for key, begins, ends, price, _ in periods
            )
            for fact in context.facts:
                if fact.partner == context.partner or not start <= fact.at < end:
                    continue
                if not terms.price.matches(fact):
                    continue
                value = number_of(fact, terms.price.field)
                if value is None:
                    continue
                key = terms._key(fact, number)
                # Evidence only: the own price fact in force then, named in the message.
                in_force = [own for k, b, e, _, own in periods if k == key and b <= fact.at < e]
                evidence = (fact, *in_force)
                measurements.append(Measurement(fact.id, fact.at, value, fact.day, evidence, key))

        def message(measurement: Measurement, bound: float) -> str:
            other, *own = measurement.evidence
            terms = self.version_at(other.at)
            assert isinstance(terms, MostFavoured)
            keys = ", ".join(f"{name} {other.get(name)}" for name in terms.match_on)
            own_text = f" in {own[0].id}" if own else ""
            return (
                f"{other.type} {other.id} gives {other.partner} {terms.price.field}"
                f" {number_text(measurement.value)} ({keys}) on {other.day.isoformat()}, below"
                f" the {number_text(bound)} agreed with {context.partner}{own_text}"
            )

        limits(
            context,
            "most-favoured",
            measurements,
            bounds,
            maximum=False,
            outcome=Outcome(FindingKind.BREACH, "most_favoured.lower_price_elsewhere"),
            message=message,
        )

    def _own_price_periods(
        self, context: ClauseContext, version_number: int
    ) -> list[tuple[str, int, int, float, Fact]]:
        """(key, from, to, price, fact) for each own price: in force from its fact until the next
        own price for the same key (the later fact wins when two share an instant)."""
        latest: dict[str, tuple[int, float, Fact]] = {}
        periods: list[tuple[str, int, int, float, Fact]] = []
        for fact in context.facts:  # sorted by (at, id)
            if fact.partner != context.partner or fact.at >= context.term.end:
                continue
            if not self.price.matches(fact):
                continue
            value = number_of(fact, self.price.field)
            if value is None:
                continue
            key = self._key(fact, version_number)
            if key in latest:
                begins, price, own = latest[key]
                periods.append((key, begins, fact.at, price, own))
            latest[key] = (fact.at, value, fact)
        periods.extend(
            (key, begins, OPEN_END, price, own) for key, (begins, price, own) in latest.items()
        )
        return periods

    def _report_unreadable_prices(self, context: ClauseContext) -> None:
        """Fail closed: a price we cannot read during the term could hide an undercut."""
        for fact in context.facts:
            if not context.term.start <= fact.at < context.term.end:
                continue
            terms = self.version_at(fact.at)
            assert isinstance(terms, MostFavoured)
            if not terms.price.matches(fact) or number_of(fact, terms.price.field) is not None:
                continue
            context.report(
                context.finding(
                    FindingKind.ERROR,
                    "most_favoured.unreadable_price",
                    fact.day,
                    fact.id,
                    f"{fact.type} {fact.id} ({fact.partner}) has no number in field"
                    f" '{terms.price.field}' (found {fact.get(terms.price.field)!r}); prices"
                    " cannot be compared",
                    [fact],
                )
            )

    def _key(self, fact: Fact, version_number: int) -> str:
        """What two prices must share to be compared, within one clause version."""
        values = [cond.encode(fact.get(name)) for name in self.match_on]
        return json.dumps([version_number, values])

    def explain(self, context: ExplainContext) -> Explanation:
        rule = (
            f"Each {self.price.fact} with another partner during the term is compared with this"
            f" partner's latest {self.price.fact} before it for the same"
            f" {', '.join(self.match_on)}; a lower {self.price.field} elsewhere is a breach."
        )
        return self.explain_terms(context).plus([rule], context.throughout_term())
