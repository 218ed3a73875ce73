"""Exclusivity: inside a territory/product scope, listed activity by anyone else is a breach.

Example::

    - id: "4.1"
      title: Exclusive territory
      kind: exclusivity
      territory: [DE, AT, CH]
      products: [analytics-suite]
      forbids:
        - {fact: deal.closed, where: {channel: direct}, unless: {customer: [siemens-ag, bosch]}}
        - {fact: reseller.appointed, unless: {partner: globex}}
      amended:
        - {effective: 2026-07-01, territory: [DE, AT, CH, FR]}
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from checker.clauses.base import Clause, numbered, scoped, version_span
from checker.clauses.explaining import ExplainContext
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import NormTerms, ProhibitionTerms
from checker.norms.outcomes import Forbidden


def describe_scope(territory: list[str] | None, products: list[str] | None) -> str:
    where = f"in {', '.join(territory)}" if territory else "anywhere"
    what = f"for {', '.join(products)}" if products else "for any product"
    return f"{where} {what}"


class Exclusivity(Clause):
    kind_summary = "The partner is exclusive in a territory and product scope."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "exclusivity.forbidden_activity",
            FindingKind.BREACH,
            "Someone carried out an activity the exclusivity forbids, inside its territory and"
            " products.",
        ),
    )

    kind: Literal["exclusivity"]
    territory: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Territories (fact field 'territory'); omit for all",
        examples=[["DE", "AT", "CH"]],
    )
    products: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Products (fact field 'product'); omit for all",
        examples=[["analytics-suite"]],
    )
    forbids: list[FactPattern] = Field(
        min_length=1,
        description="Activity that breaches the exclusivity inside the scope",
        examples=[[{"fact": "deal.closed", "where": {"channel": "direct"}}]],
    )

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        # Breaches come from anyone (our direct sales, other resellers): not only the partner.
        return [(pattern, False) for terms in self.version_terms() for pattern in terms.forbids]

    def describe(self) -> str:
        scope = describe_scope(self.territory, self.products)
        banned = "; ".join(pattern.describe() for pattern in self.forbids)
        return f"Exclusive {scope}: no {banned}."

    def explain_rules(self, context: ExplainContext) -> list[str]:
        return [
            "Activity by anyone, not only the partner, breaches it when it falls inside the"
            " scope in force on its date."
        ]

    def norms(self) -> list[NormPart]:
        """A prohibition on anyone per version and forbidden activity: that activity inside the
        territory and products, while the version applies."""
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Exclusivity)
            scope = describe_scope(terms.territory, terms.products)
            for pattern in terms.forbids:
                do = scoped(pattern, {"territory": terms.territory, "product": terms.products})
                if do is None:
                    continue
                wording = Wording(
                    codes={"prohibition.breached": "exclusivity.forbidden_activity"},
                    forbidden=functools.partial(_message, pattern=pattern, scope=scope),
                )
                norm = {"by": "anyone", "do": do, **version_span(version)}
                made.append((ProhibitionTerms.model_validate(norm), wording))
        return numbered(self.id, made)


def _message(forbidden: Forbidden, pattern: FactPattern, scope: str) -> str:
    fact = forbidden.fact
    return (
        f"{fact.type} {fact.id} ({_where(fact)}) breaches the exclusivity {scope},"
        f" which forbids {pattern.describe()}"
    )


def _where(fact: Fact) -> str:
    parts = [f"{name} {fact.get(name)}" for name in ("territory", "product", "partner", "customer")]
    return ", ".join(part for part in parts if not part.endswith(" None"))
