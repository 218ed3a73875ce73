"""Response time: an event must be followed by a matching event within a duration.

Example::

    - id: "9.3"
      title: Incident notice
      kind: response_time
      after: {fact: incident.detected}
      expect: {fact: notice.sent, where: {kind: incident}}
      match_on: [incident]
      within: 72h
      amended:
        - {effective: 2026-07-01, within: 48h}
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, field_validator

from checker.clauses.base import Clause, ExplainContext, Explanation
from checker.dates.timeutil import Duration, parse_duration
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.blocks import Obligation, Outcome, obligations
from checker.norms.context import ClauseContext
from checker.norms.fact_pattern import FactPattern


class ResponseTime(Clause):
    kind_summary = "Each triggering event must be answered by a matching event within a time limit."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "response_time.missed",
            FindingKind.BREACH,
            "An event was not answered within the time limit.",
        ),
        FindingCode(
            "response_time.late",
            FindingKind.BREACH,
            "An event was answered, but after the time limit.",
        ),
        FindingCode(
            "response_time.due",
            FindingKind.DEADLINE,
            "An answer not yet given falls due within the horizon.",
        ),
    )

    kind: Literal["response_time"]
    after: FactPattern = Field(
        description="The event that starts the clock", examples=[{"fact": "incident.detected"}]
    )
    expect: FactPattern = Field(
        description="The event that must follow",
        examples=[{"fact": "notice.sent", "where": {"kind": "incident"}}],
    )
    match_on: list[str] = Field(
        default_factory=list,
        description="Fields that must be equal on both events (e.g. the incident id)",
        examples=[["incident"]],
    )
    within: Duration = Field(description="Time allowed, e.g. 72h or 5d", examples=["72h", "5d"])

    @field_validator("within", mode="before")
    @classmethod
    def _parse_within(cls, value: object) -> object:
        return parse_duration(str(value)) if isinstance(value, str | int) else value

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        patterns: list[tuple[FactPattern, bool]] = []
        for version in self.versions():
            assert isinstance(version.terms, ResponseTime)
            patterns += [(version.terms.after, True), (version.terms.expect, True)]
        return patterns

    def describe(self) -> str:
        keys = f", with the same {', '.join(self.match_on)}" if self.match_on else ""
        return f"Every {self.after.describe()} must be followed by {self.expect.describe()}{keys} within {self.within}."

    def compile(self, context: ClauseContext) -> None:
        """Each trigger is judged by the terms in force when it happened (amendments included)."""
        items: list[Obligation] = []
        answers_by_terms: dict[int, dict[tuple[Any, ...], list[Fact]]] = {}
        for trigger in context.facts:
            if not context.term.start <= trigger.at < context.term.end:
                continue
            terms = self.version_at(trigger.at)
            assert isinstance(terms, ResponseTime)
            if not terms.after.matches(trigger):
                continue
            if id(terms) not in answers_by_terms:
                answers_by_terms[id(terms)] = _answers_by_key(context.facts, terms)
            answers = answers_by_terms[id(terms)].get(_key(trigger, terms.match_on), [])
            answer = _first_at_or_after(trigger, answers)
            keys = ", ".join(f"{name} {trigger.get(name)}" for name in terms.match_on)
            label = f"{terms.expect.fact} for {trigger.type} {trigger.id}" + (
                f" ({keys})" if keys else ""
            )
            items.append(
                Obligation(
                    subject=trigger.id,
                    what=f"{label}, within {terms.within} of {trigger.at_iso}",
                    due_by=terms.within.after(trigger.at, context.calendar),
                    evidence=(trigger,),
                    done=answer,
                    missed=Outcome(FindingKind.BREACH, "response_time.missed"),
                    late=Outcome(FindingKind.BREACH, "response_time.late"),
                    due_soon_code="response_time.due",
                )
            )
        obligations(context, items, "respond")

    def explain(self, context: ExplainContext) -> Explanation:
        rule = (
            f"Deadline rule: each {self.after.fact} during the term starts the clock; the"
            f" {self.expect.fact} is due {context.duration(self.within)} after the"
            f" {self.after.fact}'s date and time."
        )
        return self.explain_terms(context).plus([rule], context.throughout_term())


def _key(fact: Fact, match_on: list[str]) -> tuple[Any, ...]:
    return tuple(fact.get(name) for name in match_on)


def _answers_by_key(facts: list[Fact], terms: ResponseTime) -> dict[tuple[Any, ...], list[Fact]]:
    """Answers under `terms`, grouped by their `match_on` values, each group in time order."""
    grouped: dict[tuple[Any, ...], list[Fact]] = {}
    for fact in facts:
        if terms.expect.matches(fact):
            grouped.setdefault(_key(fact, terms.match_on), []).append(fact)
    return grouped


def _first_at_or_after(trigger: Fact, answers: list[Fact]) -> Fact | None:
    """The first answer at or after the trigger (answers are sorted by time)."""
    index = bisect.bisect_left(answers, trigger.at, key=lambda answer: answer.at)
    return answers[index] if index < len(answers) else None
