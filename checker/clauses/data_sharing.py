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
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.clauses.base import Clause, ExplainContext, Explanation, periods_around
from checker.clauses.caps import number_of, number_text
from checker.dates.timeutil import Period, date_of_epoch, epoch_of_date, period_of
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.blocks import Forbidden, Limit, Measurement, Outcome, forbid, limits
from checker.norms.context import ClauseContext
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, Accepted, FactPattern, Scalar

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
        return [(version.terms.transfer, True) for version in self.versions()]  # type: ignore[attr-defined]

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

    def compile(self, context: ClauseContext) -> None:
        entries: list[Forbidden] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, DataSharing)
            start, end = version.bounds(context.term.start, context.term.end)
            entries.extend(terms._transfer_checks(start, end))
        forbid(context, entries)
        self._compile_monthly_cap(context)

    def _transfer_checks(self, start: int, end: int) -> list[Forbidden]:
        """One forbidden entry per kind of violation, most severe first: the engine reports the
        first one a transfer commits."""
        transfer = self.transfer

        def outside(name: str, allowed: Sequence[Scalar]) -> FactPattern:
            # "unless the field is one of the allowed values": the engine tests "not in list".
            carve_out: dict[str, Accepted] = {name: list(allowed)}
            return transfer.model_copy(update={"unless": [*transfer.unless, carve_out]})

        def entry(
            pattern: FactPattern,
            scope: dict[str, list[str]],
            code: str,
            message: Callable[[Fact], str],
            severity: Severity | None = None,
        ) -> Forbidden:
            return Forbidden(pattern, start, end, scope, code, message, severity)

        checks: list[Forbidden] = []
        if self.never_categories:
            checks.append(
                entry(
                    transfer,
                    {CATEGORY: self.never_categories},
                    "data_sharing.never_category",
                    lambda fact: (
                        f"{_label(fact)} transfers category {fact.get(CATEGORY)},"
                        " which may never be shared"
                    ),
                    Severity.CRITICAL,
                )
            )
        if self.allowed_categories:
            allowed = ", ".join(self.allowed_categories)
            checks.append(
                entry(
                    outside(CATEGORY, self.allowed_categories),
                    {},
                    "data_sharing.category_not_allowed",
                    lambda fact: (
                        f"{_label(fact)} transfers category {fact.get(CATEGORY)},"
                        f" not among the allowed categories ({allowed})"
                    ),
                )
            )
        for rule in self.conditional:
            checks.extend(entry(*check) for check in _conditional_checks(rule, outside))
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
                listed = ", ".join(values)

                def message(
                    fact: Fact, name: str = name, what: str = what, listed: str = listed
                ) -> str:
                    return (
                        f"{_label(fact)} has {name} {fact.get(name)}, not among the allowed"
                        f" {what} ({listed})"
                    )

                checks.append(entry(outside(name, values), {}, code, message))
        return checks

    def _version_at(self, instant: int) -> DataSharing:
        terms = self.version_at(instant)
        assert isinstance(terms, DataSharing)
        return terms

    def _compile_monthly_cap(self, context: ClauseContext) -> None:
        """Sum the capped field per calendar month in Python; the engine compares with the cap."""
        totals: dict[Period, float] = {}
        evidence: dict[Period, list[Fact]] = {}
        for fact in context.facts:
            if not context.term.start <= fact.at < context.term.end:
                continue
            terms = self._version_at(fact.at)
            cap = terms.monthly_cap
            if cap is None or not terms.transfer.matches(fact):
                continue
            value = number_of(fact, cap.field)
            if value is None:
                # Fail closed: a transfer whose volume is unknown could hide a breach of the cap.
                context.report(
                    context.finding(
                        FindingKind.ERROR,
                        "data_sharing.unreadable_volume",
                        fact.day,
                        fact.id,
                        f"{_label(fact)} has no number in field '{cap.field}'"
                        f" (found {fact.get(cap.field)!r}); the monthly cap cannot be checked",
                        [fact],
                    )
                )
                continue
            month = period_of(fact.day, "month")
            totals[month] = totals.get(month, 0.0) + value
            evidence.setdefault(month, []).append(fact)
        measurements: list[Measurement] = []
        for month in sorted(totals):
            # A month counts from the later of its first day and the term's start, so the cap in
            # force then applies (and a term starting mid-month still has its first month checked).
            measured_at = max(epoch_of_date(month.start), context.term.start)
            facts = tuple(evidence[month])
            measurements.append(
                Measurement(
                    month.label, measured_at, totals[month], date_of_epoch(measured_at), facts
                )
            )
        bounds: list[Limit] = []
        for version in self.versions():
            cap_terms = version.terms
            assert isinstance(cap_terms, DataSharing)
            if cap_terms.monthly_cap is not None:
                start, end = version.bounds(context.term.start, context.term.end)
                bounds.append(Limit(start, end, cap_terms.monthly_cap.max))

        def message(measurement: Measurement, bound: float) -> str:
            ids = [fact.id for fact in measurement.evidence]
            named = ", ".join(ids[:IDS_NAMED])
            if len(ids) > IDS_NAMED:
                named += f" and {len(ids) - IDS_NAMED} more"
            cap = self._version_at(measurement.at).monthly_cap
            assert cap is not None  # a limit of this version matched
            return (
                f"{number_text(measurement.value)} {cap.field} transferred in"
                f" {measurement.subject} (transfers {named}) exceed the monthly cap of"
                f" {number_text(bound)}"
            )

        limits(
            context,
            "monthly-cap",
            measurements,
            bounds,
            maximum=True,
            outcome=Outcome(FindingKind.BREACH, "data_sharing.monthly_cap_exceeded"),
            message=message,
        )

    def explain(self, context: ExplainContext) -> Explanation:
        rules = ["Each transfer is judged by the terms in force on its date."]
        month = periods_around(context.term, "month", context.as_of, before=0, after=0)
        if self.monthly_cap is not None and month:
            rules.append(
                f"The monthly cap adds up {self.monthly_cap.field} per calendar month (UTC): for"
                f" example {month[0].label} runs from {month[0].start.isoformat()} to"
                f" {month[0].end.isoformat()}."
            )
        return self.explain_terms(context).plus(rules, context.throughout_term())


ConditionalCheck = tuple[FactPattern, dict[str, list[str]], str, Callable[[Fact], str]]


def _conditional_checks(
    rule: ConditionalCategory,
    outside: Callable[[str, Sequence[Scalar]], FactPattern],
) -> list[ConditionalCheck]:
    """A transfer of the rule's category breaches it for a purpose outside the list, or without
    consent: one entry each, purpose first."""
    checks: list[ConditionalCheck] = []
    scope = {CATEGORY: [rule.category]}
    code = "data_sharing.conditional_violation"
    if rule.purposes is not None:
        purposes = ", ".join(rule.purposes)

        def wrong_purpose(fact: Fact) -> str:
            return (
                f"{_label(fact)} transfers {rule.category} data for purpose {fact.get(PURPOSE)};"
                f" {rule.category} may only be shared for {purposes}"
            )

        checks.append((outside(PURPOSE, rule.purposes), scope, code, wrong_purpose))
    if rule.requires_consent:

        def no_consent(fact: Fact) -> str:
            return (
                f"{_label(fact)} transfers {rule.category} data without consent"
                f" (consent is {_json_text(fact.get(CONSENT))}); {rule.category} needs consent"
            )

        checks.append((outside(CONSENT, [True]), scope, code, no_consent))
    return checks


def _label(fact: Fact) -> str:
    return f"{fact.type} {fact.id} on {fact.day.isoformat()}"


def _json_text(value: object) -> str:
    """A fact value as the fact file wrote it: true, false, null, "text", 12."""
    return json.dumps(value, ensure_ascii=False)
