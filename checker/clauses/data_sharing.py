"""Data sharing: each data transfer must stay within the agreed categories, recipients, regions and
purposes, and the records transferred per calendar month within a cap.

Example::

    - id: "8.2"
      title: Data protection and sharing
      kind: data_sharing
      transfer: {fact: data.transfer, where: {direction: outbound}}
      allowed_categories: [usage, contact, health]
      never_categories: [biometric, payment-card]
      allowed_recipients: [globex, globex-analytics]
      allowed_regions: [EU, EEA]
      allowed_purposes: [support, billing, research]
      conditional:
        - {category: health, purposes: [research], requires_consent: true}
      monthly_cap: {field: records, max: 100000}
      amended:
        - {effective: 2026-07-01, allowed_regions: [EU, EEA, UK]}

Transfers are the partner's. Each transfer during the term is judged by the terms in force on
its date and reported once, for the first rule it breaks in this order: never-shared
categories (always critical), allowed categories, conditional categories (purpose, then
consent), recipients, regions, purposes. The monthly cap adds up the field per calendar month
(UTC) while the cap is in force: a month over it is one breach, dated at the transfer that took
the month's total over the cap. A transfer without a number in that field is an error of its own
(`data_sharing.unreadable_volume`) and is left out of the month's total.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.clauses.base import Clause, numbered, version_span
from checker.clauses.caps import number_text
from checker.clauses.explaining import ExplainContext
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.norms.model import MeasureTerms, NormTerms, ProhibitionTerms
from checker.norms.outcomes import Forbidden, Measured, Undecided
from checker.norms.pattern import same_value

# Fact fields a transfer is checked on.
CATEGORY, RECIPIENT, REGION, PURPOSE, CONSENT = (
    "category",
    "recipient",
    "region",
    "purpose",
    "consent",
)
# How many transfer ids a monthly-cap message names before summarising the rest.
IDS_NAMED = 10


class ConditionalCategory(BaseModel):
    """A category allowed only for some purposes and/or only with the data subject's consent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: str = Field(
        min_length=1, description="The data category, e.g. health", examples=["health"]
    )
    purposes: list[str] | None = Field(
        default=None,
        min_length=1,
        description="The only purposes it may be transferred for",
        examples=[["research"]],
    )
    requires_consent: bool = Field(
        default=False,
        description="Only when the transfer's field 'consent' is true",
        examples=[True],
    )

    @model_validator(mode="after")
    def _restricts_something(self) -> ConditionalCategory:
        if self.purposes is None and not self.requires_consent:
            raise ValueError("give 'purposes', 'requires_consent: true', or both")
        return self

    def describe(self) -> str:
        parts = []
        if self.purposes is not None:
            parts.append(f"only for {', '.join(self.purposes)}")
        if self.requires_consent:
            parts.append("only with consent")
        return f"{self.category} {' and '.join(parts)}"


class MonthlyCap(BaseModel):
    """A cap on the sum of a transfer field per calendar month."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(
        pattern=FIELD_NAME_PATTERN,
        description="Transfer field to add up, e.g. records",
        examples=["records"],
    )
    max: float = Field(
        description="Largest allowed monthly total; exactly this is compliant",
        examples=[100000],
    )


class DataSharing(Clause):
    kind_summary = (
        "Data transfers stay within agreed categories, recipients, regions, purposes and volumes."
    )
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "data_sharing.never_category",
            FindingKind.BREACH,
            "A transfer includes a data category that may never be shared.",
        ),
        FindingCode(
            "data_sharing.category_not_allowed",
            FindingKind.BREACH,
            "A transfer includes a data category that is not among the allowed categories.",
        ),
        FindingCode(
            "data_sharing.conditional_violation",
            FindingKind.BREACH,
            "A category allowed only for some purposes, or only with consent, was transferred for "
            "another purpose or without consent.",
        ),
        FindingCode(
            "data_sharing.recipient_not_allowed",
            FindingKind.BREACH,
            "Data went to a recipient that is not among the allowed recipients.",
        ),
        FindingCode(
            "data_sharing.region_not_allowed",
            FindingKind.BREACH,
            "Data went to a region that is not among the allowed regions.",
        ),
        FindingCode(
            "data_sharing.purpose_not_allowed",
            FindingKind.BREACH,
            "Data was transferred for a purpose that is not among the allowed purposes.",
        ),
        FindingCode(
            "data_sharing.monthly_cap_exceeded",
            FindingKind.BREACH,
            "More was transferred in a calendar month than the monthly cap allows.",
        ),
        FindingCode(
            "data_sharing.unreadable_volume",
            FindingKind.ERROR,
            "A transfer has no number in the capped field, so the monthly cap could not be "
            "checked.",
        ),
    )

    kind: Literal["data_sharing"]
    transfer: FactPattern = Field(
        default=FactPattern(fact="data.transfer"),
        description="The facts that record a transfer (default: data.transfer)",
        examples=[{"fact": "data.transfer", "where": {"direction": "outbound"}}],
    )
    allowed_categories: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Categories that may be transferred; omit for any",
        examples=[["usage", "contact"]],
    )
    never_categories: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Categories never to be transferred (critical)",
        examples=[["biometric", "payment-card"]],
    )
    allowed_recipients: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Who may receive data (field 'recipient')",
        examples=[["globex", "globex-analytics"]],
    )
    allowed_regions: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Where data may go (field 'region')",
        examples=[["EU", "EEA"]],
    )
    allowed_purposes: list[str] | None = Field(
        default=None,
        min_length=1,
        description="What data may be used for (field 'purpose')",
        examples=[["support", "billing"]],
    )
    conditional: list[ConditionalCategory] = Field(
        default_factory=list,
        description="Categories allowed only for some purposes and/or with consent",
        examples=[[{"category": "health", "purposes": ["research"], "requires_consent": True}]],
    )
    monthly_cap: MonthlyCap | None = Field(
        default=None,
        description="Cap on a field's total per calendar month, e.g. records",
        examples=[{"field": "records", "max": 100000}],
    )

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        return [(terms.transfer, True) for terms in self.version_terms()]

    def describe(self) -> str:
        rules: list[str] = []
        if self.never_categories:
            rules.append(f"never {', '.join(self.never_categories)}")
        for name, values in (
            ("categories", self.allowed_categories),
            ("recipients", self.allowed_recipients),
            ("regions", self.allowed_regions),
            ("purposes", self.allowed_purposes),
        ):
            if values:
                rules.append(f"{name} only {', '.join(values)}")
        rules.extend(rule.describe() for rule in self.conditional)
        if self.monthly_cap is not None:
            rules.append(
                f"at most {number_text(self.monthly_cap.max)} {self.monthly_cap.field} per month"
            )
        return f"Each {self.transfer.describe()} must respect: {'; '.join(rules) or 'nothing'}."

    def explain_rules(self, context: ExplainContext) -> list[str]:
        rules = ["Each transfer is judged by the terms in force on its date."]
        if self.monthly_cap is not None:
            rules.append(
                f"The monthly cap adds up {self.monthly_cap.field} per calendar month (UTC)."
            )
        return rules

    def norms(self) -> list[NormPart]:
        """Per version: a prohibition on the partner per rule a transfer can break, most severe
        first, each exempting the transfers an earlier one forbids (a transfer breaks only the
        first rule it breaks); and the monthly cap as a measure, the sum of the capped field per
        calendar month at most the cap (a transfer without a number there is an error of its
        own)."""
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, DataSharing)
            span = version_span(version)
            transfer = terms.transfer
            earlier: list[dict[str, Any]] = []
            for rule in terms._rules():
                where = _narrowed(dict(transfer.where), rule.breaks)
                unless = [*transfer.unless, *earlier]
                earlier.append(rule.breaks)
                if where is None:  # the transfer pattern never lets this rule be broken
                    continue
                do = {"fact": transfer.fact, "where": where, "unless": unless}
                wording = Wording(
                    codes={"prohibition.breached": rule.code},
                    forbidden=rule.message,
                    severity=rule.severity,
                )
                norm = {"by": "partner", "do": do, **span}
                made.append((ProhibitionTerms.model_validate(norm), wording))
            cap = terms.monthly_cap
            if cap is None:
                continue
            measure: dict[str, Any] = {"by": "partner", "of": transfer.as_norm(), "sum": cap.field}
            measure |= {"per": "month", "at_most": cap.max, "unreadable": "report", **span}
            wording = Wording(
                codes={
                    "measure.breached": "data_sharing.monthly_cap_exceeded",
                    "measure.undecided": "data_sharing.unreadable_volume",
                },
                measured=functools.partial(_over_cap, field=cap.field),
                undecided=functools.partial(_unreadable, field=cap.field),
            )
            made.append((MeasureTerms.model_validate(measure), wording))
        return numbered(self.id, made)

    def _rules(self) -> list[_Rule]:
        """The rules a transfer can break, most severe first, each as the tests a transfer that
        breaks it passes."""
        rules: list[_Rule] = []
        if self.never_categories:
            rules.append(
                _Rule(
                    {CATEGORY: list(self.never_categories)},
                    "data_sharing.never_category",
                    lambda f: (
                        f"{_label(f.fact)} transfers category {f.fact.get(CATEGORY)},"
                        " which may never be shared"
                    ),
                    Severity.CRITICAL,
                )
            )
        if self.allowed_categories:
            allowed = ", ".join(self.allowed_categories)
            rules.append(
                _Rule(
                    {CATEGORY: {"not": list(self.allowed_categories)}},
                    "data_sharing.category_not_allowed",
                    lambda f: (
                        f"{_label(f.fact)} transfers category {f.fact.get(CATEGORY)},"
                        f" not among the allowed categories ({allowed})"
                    ),
                )
            )
        for conditional in self.conditional:
            rules.extend(_conditional_rules(conditional))
        for name, values, what, code in (
            (
                RECIPIENT,
                self.allowed_recipients,
                "recipients",
                "data_sharing.recipient_not_allowed",
            ),
            (REGION, self.allowed_regions, "regions", "data_sharing.region_not_allowed"),
            (PURPOSE, self.allowed_purposes, "purposes", "data_sharing.purpose_not_allowed"),
        ):
            if values:
                message = functools.partial(_outside, name=name, what=what, listed=values)
                rules.append(_Rule({name: {"not": list(values)}}, code, message))
        return rules


@dataclass(frozen=True, slots=True)
class _Rule:
    """A rule a transfer can break: the tests of a transfer that breaks it (each field one of a
    list, or `{not: [...]}`), its finding code, message and severity (None: the clause's)."""

    breaks: dict[str, Any]
    code: str
    message: Callable[[Forbidden], str]
    severity: Severity | None = None


def _conditional_rules(rule: ConditionalCategory) -> list[_Rule]:
    """A transfer of the rule's category breaks it for a purpose outside the list, or without
    consent: one rule each, purpose first."""
    found: list[_Rule] = []
    code = "data_sharing.conditional_violation"
    category = rule.category
    if rule.purposes is not None:
        purposes = ", ".join(rule.purposes)
        found.append(
            _Rule(
                {CATEGORY: [category], PURPOSE: {"not": list(rule.purposes)}},
                code,
                lambda f: (
                    f"{_label(f.fact)} transfers {category} data for purpose"
                    f" {f.fact.get(PURPOSE)}; {category} may only be shared for {purposes}"
                ),
            )
        )
    if rule.requires_consent:
        found.append(
            _Rule(
                {CATEGORY: [category], CONSENT: {"not": [True]}},
                code,
                lambda f: (
                    f"{_label(f.fact)} transfers {category} data without consent"
                    f" (consent is {_json_text(f.fact.get(CONSENT))}); {category} needs consent"
                ),
            )
        )
    return found


def _narrowed(where: dict[str, Any], tests: dict[str, Any]) -> dict[str, Any] | None:
    """The transfer pattern's `where` and a rule's tests together; a field both test keeps the
    pattern's values the test lets through (None when none is left)."""
    for name, test in tests.items():
        if name not in where:
            where[name] = test
            continue
        written = where[name] if isinstance(where[name], list) else [where[name]]
        if isinstance(test, dict):  # {not: [...]}
            kept = [v for v in written if not any(same_value(v, r) for r in test["not"])]
        else:
            kept = [v for v in written if any(same_value(v, a) for a in test)]
        if not kept:
            return None
        where[name] = kept
    return where


def _outside(forbidden: Forbidden, name: str, what: str, listed: list[str]) -> str:
    fact = forbidden.fact
    return (
        f"{_label(fact)} has {name} {fact.get(name)}, not among the allowed"
        f" {what} ({', '.join(listed)})"
    )


def _over_cap(measured: Measured, field: str) -> str:
    ids = [fact.id for fact in measured.facts]
    named = ", ".join(ids[:IDS_NAMED])
    if len(ids) > IDS_NAMED:
        named += f" and {len(ids) - IDS_NAMED} more"
    assert measured.value is not None
    assert measured.maximum is not None
    return (
        f"{number_text(measured.value)} {field} transferred in"
        f" {measured.subject} (transfers {named}) exceed the monthly cap of"
        f" {number_text(measured.maximum)}"
    )


def _unreadable(undecided: Undecided, field: str) -> str:
    fact = undecided.fact
    return (
        f"{_label(fact)} has no number in field '{field}'"
        f" (found {fact.get(field)!r}); the monthly cap cannot be checked"
    )


def _label(fact: Fact) -> str:
    return f"{fact.type} {fact.id} on {fact.day.isoformat()}"


def _json_text(value: object) -> str:
    """A fact value as the fact file wrote it: true, false, null, "text", 12."""
    return json.dumps(value, ensure_ascii=False)
