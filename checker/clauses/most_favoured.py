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

import functools
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field

from checker.clauses.base import Clause, numbered, version_span
from checker.clauses.caps import MeasuredField, number_of, number_text
from checker.clauses.explaining import ExplainContext
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.norms.model import NormTerms, ProhibitionTerms
from checker.norms.outcomes import Forbidden, Undecided

# The field that says with whom a price was agreed: the partner's own prices are those that
# name the partner there; every other price is another partner's.
AGREED_WITH = "partner"
NAMES_THE_PARTNER = {"party": "partner"}


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
        return [(terms.price, False) for terms in self.version_terms()]

    def describe(self) -> str:
        return (
            f"No other partner may be given a lower {self.price.field} than this partner"
            f" ({self.price.describe()}, same {', '.join(self.match_on)})."
        )

    def explain_rules(self, context: ExplainContext) -> list[str]:
        return [
            f"Each {self.price.fact} with another partner is compared with this partner's"
            f" latest {self.price.fact} before it for the same {', '.join(self.match_on)};"
            f" a lower {self.price.field} elsewhere is a breach."
        ]

    def norms(self) -> list[NormPart]:
        """A prohibition per version: a price agreed with anyone but the partner, below the
        partner's price in force at that instant (its latest price at or before it for the same
        `match_on` fields). A price that cannot be read, the partner's or another's, is an error
        of its own: the partner's is passed over, so the one before it stays in force."""
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, MostFavoured)
            price = terms.price
            for name in (price.field, AGREED_WITH):
                if name in price.where:
                    raise ValueError(f"'{name}' cannot be tested in the price's 'where'")
            in_force = {
                "field": price.field,
                "of_latest": {
                    "fact": price.fact,
                    "where": {**price.where, AGREED_WITH: NAMES_THE_PARTNER},
                    "unless": list(price.unless),
                    "match_on": list(terms.match_on),
                },
            }
            do: dict[str, Any] = {
                "fact": price.fact,
                "with": "anyone",
                "where": {**price.where, price.field: {"below": in_force}},
                "unless": [*price.unless, {AGREED_WITH: NAMES_THE_PARTNER}],
            }
            wording = Wording(
                codes={
                    "prohibition.breached": "most_favoured.lower_price_elsewhere",
                    "prohibition.undecided": "most_favoured.unreadable_price",
                },
                forbidden=functools.partial(_lower, terms=terms),
                undecided=functools.partial(_unreadable, field=price.field),
            )
            norm = {"by": "anyone", "do": do, **version_span(version)}
            made.append((ProhibitionTerms.model_validate(norm), wording))
        return numbered(self.id, made)


def _lower(forbidden: Forbidden, terms: MostFavoured) -> str:
    """The breach in the kind's words: the other partner's price, and the partner's price in
    force then (the fact it was compared with, in the evidence)."""
    other = forbidden.fact
    field = terms.price.field
    keys = ", ".join(f"{name} {other.get(name)}" for name in terms.match_on)
    own = next(fact for fact in forbidden.evidence if fact is not other)
    return (
        f"{other.type} {other.id} gives {other.partner} {field} {_price(other, field)} ({keys})"
        f" on {other.day.isoformat()}, below the {_price(own, field)} agreed with"
        f" {own.partner} in {own.id}"
    )


def _price(fact: Fact, field: str) -> str:
    value = number_of(fact, field)
    return number_text(value) if value is not None else str(fact.get(field))


def _unreadable(undecided: Undecided, field: str) -> str:
    fact = undecided.fact
    return (
        f"{fact.type} {fact.id} ({fact.partner}) has no number in field '{field}'"
        f" (found {fact.get(field)!r}); prices cannot be compared"
    )
