"""Non-compete: during the term the partner must not sell competing products in the scope.

Example::

    - id: "7.1"
      title: Non-competition
      kind: non_compete
      competing_products: [insight-pro, datawise]
      territory: [DE, AT]
      activity:
        - {fact: deal.closed, unless: {customer: legacy-bank}}
        - {fact: subscription.renewed}
      amended:
        - {effective: 2026-07-01, competing_products: [insight-pro, datawise, metricly]}
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from checker.clauses.base import Clause, numbered, scoped, version_span
from checker.clauses.explaining import ExplainContext
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import NormTerms, ProhibitionTerms
from checker.norms.outcomes import Forbidden


class NonCompete(Clause):
    kind_summary = "The partner must not sell competing products in a scope during the term."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "non_compete.competing_activity",
            FindingKind.BREACH,
            "The partner sold a competing product inside the restricted scope.",
        ),
    )

    kind: Literal["non_compete"]
    competing_products: list[str] = Field(
        min_length=1,
        description="Products that compete (fact field 'product')",
        examples=[["insight-pro", "datawise"]],
    )
    territory: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Territories the restriction covers (fact field 'territory'); omit for all",
        examples=[["DE", "AT"]],
    )
    activity: list[FactPattern] = Field(
        default_factory=lambda: [FactPattern(fact="deal.closed")],
        min_length=1,
        description="The partner's activity that counts as selling (default: deal.closed)",
        examples=[[{"fact": "deal.closed"}, {"fact": "subscription.renewed"}]],
    )

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        # Only the partner's own sales are restricted.
        return [(pattern, True) for terms in self.version_terms() for pattern in terms.activity]

    def describe(self) -> str:
        where = f"in {', '.join(self.territory)}" if self.territory else "anywhere"
        what = "; ".join(pattern.describe() for pattern in self.activity)
        return (
            f"The partner must not sell {', '.join(self.competing_products)} {where}"
            f" during the term ({what})."
        )

    def explain_rules(self, context: ExplainContext) -> list[str]:
        return ["Only the partner's own activity counts, judged by the terms in force on its date."]

    def norms(self) -> list[NormPart]:
        """A prohibition on the partner per version and activity: that activity, for a
        competing product, in the territory, while the version applies."""
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, NonCompete)
            where = f"in {', '.join(terms.territory)}" if terms.territory else "anywhere"
            wording = Wording(
                codes={"prohibition.breached": "non_compete.competing_activity"},
                forbidden=functools.partial(_message, where=where),
            )
            scope = {"product": terms.competing_products, "territory": terms.territory}
            for pattern in terms.activity:
                do = scoped(pattern, scope)
                if do is not None:
                    norm = {"by": "partner", "do": do, **version_span(version)}
                    made.append((ProhibitionTerms.model_validate(norm), wording))
        return numbered(self.id, made)


def _message(forbidden: Forbidden, where: str) -> str:
    fact = forbidden.fact
    return (
        f"{fact.type} {fact.id} by {fact.partner}: product {fact.get('product')}"
        f" in territory {fact.get('territory')} competes with ours; the partner"
        f" may not sell competing products {where}"
    )
