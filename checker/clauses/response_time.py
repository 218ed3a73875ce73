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

Both events are the partner's. Each `after` event during the term starts the clock and is judged
by the terms in force on its date; the first `expect` event at or after it with the same
`match_on` fields answers it. A time limit in hours is exact; in days (or business days, in the
agreement's calendar) it ends at the end of its last day: "within 5d" of 10:00 on the 1st ends
at the end of the 6th. An answer not given in time is one breach, `response_time.missed`, dated
on the day the time limit ends, whether it came late or never (a late answer updates the same
finding and its message says when it came).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, field_validator

from checker.clauses.base import Clause, numbered, version_span
from checker.dates.timeutil import Duration, date_of_epoch, written_duration
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import NormTerms, ObligationTerms
from checker.norms.outcomes import Duty
from checker.norms.pattern import FieldName


class ResponseTime(Clause):
    kind_summary = "Each triggering event must be answered by a matching event within a time limit."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "response_time.missed",
            FindingKind.BREACH,
            "An event was not answered within the time limit (answered late, or not at all).",
        ),
        FindingCode(
            "response_time.unknown",
            FindingKind.UNKNOWN,
            "Not answered as far as the facts go, but the feed of the answers does not reach the time limit tonight: it cannot be told.",
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
    match_on: list[FieldName] = Field(
        default_factory=list,
        description="Fields that must be equal on both events (e.g. the incident id)",
        examples=[["incident"]],
    )
    within: Duration = Field(description="Time allowed, e.g. 72h or 5d", examples=["72h", "5d"])

    _parse = field_validator("within", mode="before")(lambda cls, v: written_duration(v))

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        return [(p, True) for terms in self.version_terms() for p in (terms.after, terms.expect)]

    def describe(self) -> str:
        keys = f", with the same {', '.join(self.match_on)}" if self.match_on else ""
        return f"Every {self.after.describe()} must be followed by {self.expect.describe()}{keys} within {self.within}."

    def norms(self) -> list[NormPart]:
        """An obligation on the partner per version: each of its `after` events while the version
        applies must be answered by its `expect` event with the same `match_on` fields, within
        the version's time limit."""
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, ResponseTime)
            wording = Wording(
                codes={
                    "obligation.breached": "response_time.missed",
                    "obligation.unknown": "response_time.unknown",
                    "obligation.due": "response_time.due",
                },
                missed=functools.partial(_missed, terms=terms),
                late=functools.partial(_late, terms=terms),
                due=functools.partial(_due, terms=terms),
            )
            norm = {
                "by": "partner",
                "when": terms.after.as_norm(by="partner"),
                "do": terms.expect.as_norm(match_on=terms.match_on),
                "within": terms.within,
                **version_span(version),
            }
            made.append((ObligationTerms.model_validate(norm), wording))
        return numbered(self.id, made)


def _what(duty: Duty, terms: ResponseTime) -> str:
    """ "notice.sent for incident.detected i2 (incident B), within 72 hours of <its time>"."""
    trigger = duty.evidence[-1]
    keys = ", ".join(f"{name} {trigger.get(name)}" for name in terms.match_on)
    label = f"{terms.expect.fact} for {trigger.type} {trigger.id}" + (f" ({keys})" if keys else "")
    return f"{label}, within {terms.within} of {trigger.at_iso}"


def _due_day(duty: Duty) -> str:
    return date_of_epoch(duty.due).isoformat()


def _missed(duty: Duty, terms: ResponseTime) -> str:
    return f"{_what(duty, terms)} was due by {_due_day(duty)} and has not been done"


def _late(duty: Duty, terms: ResponseTime) -> str:
    if duty.done is None:  # not reported: the late message is only used for a late answer
        return _missed(duty, terms)
    return f"{_what(duty, terms)} was late: done {duty.done.at_iso}, due by {_due_day(duty)}"


def _due(duty: Duty, terms: ResponseTime) -> str:
    return f"{_what(duty, terms)} is due by {_due_day(duty)}"
