"""Milestones: named deliverables due on dates, with an optional default notice and cure period.

Example::

    - id: "6.2"
      title: Delivery milestones
      kind: milestones
      milestones:
        - {name: beta-delivery, due: 2026-03-31}
        - {name: general-availability, due: 2026-09-30}
      achieved: {fact: milestone.achieved}
      name_field: milestone
      cure:
        notice: {fact: notice.default}
        period: 30d
      amended:
        - effective: 2026-06-01
          milestones:
            - {name: beta-delivery, due: 2026-03-31}
            - {name: general-availability, due: 2026-11-30}

A milestone is met by the first `achieved` fact naming it (in `name_field`) at or before 23:59:59
UTC on its due date. One not met then is one breach, `milestone.missed`, dated on its due date,
whether it was achieved late or never (a late achievement updates the same finding and its
message says when it came). Each milestone follows the terms in force on its due date (its cure
included), so an amendment that moves a due date applies to milestones not yet due when it takes
effect. After the due date has passed, the first default notice naming the milestone starts the
cure period on the notice date; if the milestone is still not achieved at the end of the cure
period's last day, a right to terminate arises the next day (`milestone.termination_right`,
still reported when the milestone is achieved later: the right arose all the same).
Milestones due outside the agreement's term are not checked. An achievement is the partner's own
act; a default notice counts from either party (usually ours, to the partner).

The kind is shorthand for norms (docs/norms.md): an obligation per milestone, its cure path the
obligation's `cure`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from checker.clauses.base import Clause, ClauseVersion, numbered, scoped, version_span
from checker.clauses.explaining import ExplainContext
from checker.dates.timeutil import Duration, date_of_epoch, epoch_of_date, written_duration
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.norms.model import NormTerms, ObligationTerms
from checker.norms.outcomes import Duty


class Milestone(BaseModel):
    """One named milestone and the date it is due."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        min_length=1, description="Name as achievement facts carry it", examples=["beta-delivery"]
    )
    due: date = Field(
        description="Last day on which the milestone may be achieved", examples=["2026-03-31"]
    )


class Cure(BaseModel):
    """A default notice and the cure period it starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    notice: FactPattern = Field(
        description="The default notice fact, naming the milestone",
        examples=[{"fact": "notice.default"}],
    )
    period: Duration = Field(
        description="Cure period from the notice date, e.g. 30d",
        examples=["30d", "10 business days"],
    )

    _parse = field_validator("period", mode="before")(lambda cls, v: written_duration(v))


class Milestones(Clause):
    kind_summary = "Named milestones must be achieved by their due dates; defaults can be cured."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "milestone.missed",
            FindingKind.BREACH,
            "A milestone was not achieved by its due date (achieved late, or not at all).",
        ),
        FindingCode(
            "milestone.unknown",
            FindingKind.UNKNOWN,
            "Not achieved as far as the facts go, but the feed of the achievements does not reach the due date tonight: it cannot be told.",
        ),
        FindingCode(
            "milestone.due",
            FindingKind.DEADLINE,
            "A milestone not yet achieved falls due within the horizon.",
        ),
        FindingCode(
            "milestone.cure_ends",
            FindingKind.DEADLINE,
            "The cure period after a default notice ends within the horizon.",
        ),
        FindingCode(
            "milestone.termination_right",
            FindingKind.TRIGGER,
            "The cure period ended without the milestone achieved: a right to terminate arose"
            " (dated the next day; still reported when it is achieved later).",
        ),
    )

    kind: Literal["milestones"]
    milestones: list[Milestone] = Field(
        min_length=1,
        description="Milestones and due dates",
        examples=[[{"name": "beta-delivery", "due": "2026-03-31"}]],
    )
    achieved: FactPattern = Field(
        description="The fact recording that a milestone was achieved",
        examples=[{"fact": "milestone.achieved"}],
    )
    name_field: str = Field(
        default="milestone",
        description="Fact field that carries the milestone's name",
        examples=["milestone"],
    )
    cure: Cure | None = Field(
        default=None,
        description="Default notice and cure period; omit for no cure right",
        examples=[{"notice": {"fact": "notice.default"}, "period": "30d"}],
    )

    @field_validator("name_field")
    @classmethod
    def _valid_name_field(cls, value: str) -> str:
        if not re.match(FIELD_NAME_PATTERN, value):
            raise ValueError(f"'{value}' is not a field name (letters, digits and _ only)")
        return value

    @field_validator("milestones")
    @classmethod
    def _unique_names(cls, value: list[Milestone]) -> list[Milestone]:
        names = [milestone.name for milestone in value]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"milestone '{name}' is listed twice")
        return value

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        patterns: list[tuple[FactPattern, bool]] = []
        for terms in self.version_terms():
            patterns.append((terms.achieved, True))
            if terms.cure is not None:
                patterns.append((terms.cure.notice, True))
        return patterns

    def describe(self) -> str:
        due = ", ".join(f"{m.name} by {m.due.isoformat()}" for m in self.milestones)
        text = f"Milestones ({self.achieved.fact}, named in '{self.name_field}'): {due}."
        if self.cure is not None:
            text += (
                f" After a {self.cure.notice.describe()}, the partner has {self.cure.period} to"
                " cure; otherwise a right to terminate arises."
            )
        return text

    def explain_rules(self, context: ExplainContext) -> list[str]:
        rules: list[str] = []
        term, previous_cure = context.term, None
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Milestones)
            rules.extend(
                f"Not checked: {milestone.name} due {milestone.due.isoformat()} falls outside"
                " the agreement's term."
                for milestone in terms.milestones
                if not term.start <= epoch_of_date(milestone.due) < term.end
            )
            cure_changed, previous_cure = terms.cure != previous_cure, terms.cure
            if terms.cure is None or not cure_changed:
                continue
            since = "" if version.starts is None else f"Due from {version.starts.isoformat()} on: "
            rules.append(
                f"{since}Cure: once a milestone is past due, the first"
                f" {terms.cure.notice.describe()} naming it starts the cure period; cure ends"
                f" {context.duration(terms.cure.period)} after the default notice date. If the"
                " milestone is still not achieved by the end of that day, a right to terminate"
                " arises the next day."
            )
        return list(dict.fromkeys(rules))

    def norms(self) -> list[NormPart]:
        """An obligation on the partner per milestone, under the terms in force on its due date:
        the `achieved` fact naming it, due by the end of that day. Its instance arises on the due
        date (so a milestone due outside the term, or moved by an amendment, has none) and an
        achievement at any time before then counts (`early`). With a cure, the obligation's
        `cure`: the first default notice (either party's) naming the milestone after the due date starts
        the cure period."""
        made: list[tuple[NormTerms, Wording]] = []
        for subject, milestone, terms, version in self._checked():
            named: dict[str, list[str] | None] = {terms.name_field: [milestone.name]}
            wording = Wording(
                codes={
                    "obligation.breached": "milestone.missed",
                    "obligation.unknown": "milestone.unknown",
                    "obligation.due": "milestone.due",
                    "obligation.cure_ends": "milestone.cure_ends",
                    "obligation.uncured": "milestone.termination_right",
                },
                missed=functools.partial(_missed, milestone=milestone, terms=terms),
                late=functools.partial(_late, milestone=milestone, terms=terms),
                due=functools.partial(_due, milestone=milestone, terms=terms),
                cure_ends=functools.partial(_cure_ends, milestone=milestone),
                uncured=functools.partial(_uncured, milestone=milestone),
            )
            norm: dict[str, Any] = {
                "by": "partner",
                "when": milestone.due,
                "due": milestone.due,
                "name": subject,
                "early": True,
                "do": _naming(terms.achieved, named),
                **version_span(version),
            }
            if terms.cure is not None:
                notice = _naming(terms.cure.notice, named)  # either party's notice
                norm["cure"] = {"notice": notice, "within": terms.cure.period}
            made.append((ObligationTerms.model_validate(norm), wording))
        return numbered(self.id, made)

    def _checked(self) -> list[tuple[str, Milestone, Milestones, ClauseVersion]]:
        """(subject, milestone, terms, version) of each milestone due while its version applies.
        A name checked again under a later version (a milestone already due when an amendment
        moved it) is a new instance with an identity of its own: "ga (due 2026-11-30)"."""
        found: list[tuple[str, Milestone, Milestones, ClauseVersion]] = []
        seen: set[str] = set()
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Milestones)
            for milestone in terms.milestones:
                if version.starts is not None and milestone.due < version.starts:
                    continue
                if version.ends is not None and milestone.due >= version.ends:
                    continue
                subject = milestone.name
                if subject in seen:
                    subject = f"{milestone.name} (due {milestone.due.isoformat()})"
                seen.add(milestone.name)
                found.append((subject, milestone, terms, version))
        return found


def _naming(pattern: FactPattern, named: dict[str, list[str] | None]) -> dict[str, Any]:
    """The kind's pattern as a norm pattern of facts naming the milestone (one that can never
    match when the pattern's own tests exclude the name)."""
    found = scoped(pattern, named)
    if found is None:
        return {"fact": pattern.fact, "where": {name: [] for name in named}}
    return found


def _what(duty: Duty, milestone: Milestone, terms: Milestones) -> str:
    """ "milestone beta (milestone.achieved, recorded by a1)"."""
    recorded = f", recorded by {duty.done.id}" if duty.done is not None else ""
    return f"milestone {milestone.name} ({terms.achieved.fact}{recorded})"


def _missed(duty: Duty, milestone: Milestone, terms: Milestones) -> str:
    return f"{_what(duty, milestone, terms)} was due by {milestone.due.isoformat()} and has not been done"


def _late(duty: Duty, milestone: Milestone, terms: Milestones) -> str:
    if duty.done is None:  # not reported: the late message is only used for a late achievement
        return _missed(duty, milestone, terms)
    return (
        f"{_what(duty, milestone, terms)} was due by {milestone.due.isoformat()}: achieved late,"
        f" on {duty.done.at_iso}"
    )


def _due(duty: Duty, milestone: Milestone, terms: Milestones) -> str:
    return f"{_what(duty, milestone, terms)} is due by {milestone.due.isoformat()}"


def _cure_words(duty: Duty, milestone: Milestone) -> tuple[str, str, str]:
    """(the cure and its notice, the cure period's last day, the day a right arises)."""
    assert duty.cure is not None
    notice = duty.cure.notice
    what = (
        f"cure of milestone {milestone.name} (due {milestone.due.isoformat()}; default notice "
        f"{notice.id} of {notice.day.isoformat()})"
    )
    ends = date_of_epoch(duty.cure.ends).isoformat()
    return what, ends, date_of_epoch(duty.cure.ends + 1).isoformat()


def _cure_ends(duty: Duty, milestone: Milestone) -> str:
    what, ends, arises = _cure_words(duty, milestone)
    return f"{what} is due by {ends}: a right to terminate arises on {arises} if not cured"


def _uncured(duty: Duty, milestone: Milestone) -> str:
    what, ends, arises = _cure_words(duty, milestone)
    assert duty.cure is not None
    still = "has not been done"
    if duty.done is not None and duty.done.at > duty.cure.ends:
        still = f"was not done: achieved only on {duty.done.at_iso} ({duty.done.id})"
    return f"{what} was due by {ends} and {still}: a right to terminate arose on {arises}"
