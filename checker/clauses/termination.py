"""Termination: a right to terminate after a change of control, termination for convenience on
notice, and duties that fall due once the agreement has ended.

Example::

    - id: "14"
      title: Termination
      kind: termination
      change_of_control:
        event: {fact: change_of_control}
        right_for: 60d
        exercise: {fact: notice.termination}
      for_convenience:
        notice: {fact: notice.termination, where: {ground: convenience}}
        notice_period: 90d
      on_termination:
        - {name: data-return, do: {fact: data.returned}, within: 30d}
        - {name: certificate-of-destruction, do: {fact: data.destroyed}, within: 45d}
      amended:
        - effective: 2026-07-01
          for_convenience:
            notice: {fact: notice.termination, where: {ground: convenience}}
            notice_period: 60d

Change of control: each `event` fact of the partner inside the term opens a right to terminate at
the event's instant, for `right_for` (it closes one second before the same instant `right_for`
later, and never after the term's last second). The first `exercise` fact inside the window
exercises it; an unexercised open window is a trigger, with a deadline once it closes within the
horizon. Exercising the right does not by itself end the agreement here.

For convenience: the first `notice` fact inside the term ends the agreement `notice_period` after
the notice's instant (when that is earlier than it would otherwise end); a deadline reports the
instant the termination takes effect once it lies within [as-of, horizon end].

On termination: when the agreement has ended (any reason: expiry, non-renewal or a termination),
or ends within the horizon, each listed duty is due by the end of `within` after the term's end
(one second before). Only a `do` fact at or after the term's end counts (a data return before the
end is not the final one). A duty done after its deadline is late; undone past it, missed.

Whose facts: change-of-control events and `do` facts are the partner's own. Notices (`exercise`
and `for_convenience`) may come from either party (we may terminate as well as the partner), so
they are read from every party and then kept only when they concern this agreement: a notice with
an `agreement` field counts exactly when it names this agreement; one without counts when its
partner is the agreement's partner, "us" or absent. (A notice naming another agreement of the same
partner is therefore not ours, even though its partner matches.)

Before the term is known (`ends_agreement`, called while the term is being computed) its start is
not available, so a for-convenience notice is not checked against the start there; the deadline
is reported only when the term really ends under this clause, so the two always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.clauses.base import Clause, ExplainContext, ExplainedDate, Explanation
from checker.dates.timeutil import (
    BusinessDays,
    Duration,
    date_of_epoch,
    end_of_date,
    iso_of_epoch,
    written_duration,
)
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.blocks import Obligation, Outcome, Window, obligations, windows
from checker.norms.context import ClauseContext
from checker.norms.fact_pattern import FactPattern

# Term end reasons after which the `on_termination` duties apply (term.py's wording).
_ENDED_REASONS = ("expiry", "non-renewal")
OURS = "us"


class ChangeOfControl(BaseModel):
    """A change of control of the partner and the right to terminate it gives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event: FactPattern = Field(
        description="The partner's change-of-control fact", examples=[{"fact": "change_of_control"}]
    )
    right_for: Duration = Field(
        description="How long the right stays open, e.g. 60d", examples=["60d"]
    )
    exercise: FactPattern = Field(
        description="The notice that exercises the right",
        examples=[{"fact": "notice.termination"}],
    )

    _parse = field_validator("right_for", mode="before")(lambda cls, value: written_duration(value))


class ForConvenience(BaseModel):
    """Termination without cause: a notice that ends the agreement after a notice period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    notice: FactPattern = Field(
        description="The termination notice fact",
        examples=[{"fact": "notice.termination", "where": {"ground": "convenience"}}],
    )
    notice_period: Duration = Field(
        description="Time from the notice to the end, e.g. 90d", examples=["90d"]
    )

    _parse = field_validator("notice_period", mode="before")(
        lambda cls, value: written_duration(value)
    )


class PostTermDuty(BaseModel):
    """Something the partner must do after the agreement ends (return data, destroy copies)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        min_length=1, description="Name of the duty, e.g. data-return", examples=["data-return"]
    )
    do: FactPattern = Field(
        description="The partner's fact that performs the duty",
        examples=[{"fact": "data.returned"}],
    )
    within: Duration = Field(
        description="Time after the agreement ends to do it, e.g. 30d", examples=["30d"]
    )

    _parse = field_validator("within", mode="before")(lambda cls, value: written_duration(value))


class Termination(Clause):
    kind_summary = "Rights to terminate, termination on notice, and duties after termination."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "termination.change_of_control_right",
            FindingKind.TRIGGER,
            "A change of control of the partner opened a right to terminate, not yet exercised.",
        ),
        FindingCode(
            "termination.change_of_control_lapses",
            FindingKind.DEADLINE,
            "The right to terminate after a change of control closes within the horizon.",
        ),
        FindingCode(
            "termination.effective",
            FindingKind.DEADLINE,
            "A termination for convenience ends the agreement within the horizon.",
        ),
        FindingCode(
            "termination.obligation_missed",
            FindingKind.BREACH,
            "A duty after the agreement ended was not done in time.",
        ),
        FindingCode(
            "termination.obligation_late",
            FindingKind.BREACH,
            "A duty after the agreement ended was done, but late.",
        ),
        FindingCode(
            "termination.obligation_due",
            FindingKind.DEADLINE,
            "A duty after the agreement ended falls due within the horizon.",
        ),
    )

    kind: Literal["termination"]
    change_of_control: ChangeOfControl | None = Field(
        default=None,
        description="Right to terminate after the partner's change of control",
        examples=[
            {
                "event": {"fact": "change_of_control"},
                "right_for": "60d",
                "exercise": {"fact": "notice.termination"},
            }
        ],
    )
    for_convenience: ForConvenience | None = Field(
        default=None,
        description="Termination on notice without cause",
        examples=[{"notice": {"fact": "notice.termination"}, "notice_period": "90d"}],
    )
    on_termination: list[PostTermDuty] = Field(
        default_factory=list,
        description="Duties due after the agreement ends",
        examples=[[{"name": "data-return", "do": {"fact": "data.returned"}, "within": "30d"}]],
    )

    @model_validator(mode="after")
    def _something_to_check(self) -> Termination:
        nothing = self.change_of_control is None and self.for_convenience is None
        if nothing and not self.on_termination:
            raise ValueError("give 'change_of_control', 'for_convenience' or 'on_termination'")
        names = [duty.name for duty in self.on_termination]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"duty '{name}' is listed twice in 'on_termination'")
        return self

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        patterns: list[tuple[FactPattern, bool]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Termination)
            if terms.change_of_control is not None:
                patterns.append((terms.change_of_control.event, True))
                patterns.append((terms.change_of_control.exercise, False))
            if terms.for_convenience is not None:
                patterns.append((terms.for_convenience.notice, False))
            patterns.extend((duty.do, True) for duty in terms.on_termination)
        return patterns

    def describe(self) -> str:
        parts: list[str] = []
        if self.change_of_control is not None:
            coc = self.change_of_control
            parts.append(
                f"After a {coc.event.describe()}, a right to terminate for {coc.right_for},"
                f" exercised by {coc.exercise.describe()}"
            )
        if self.for_convenience is not None:
            conv = self.for_convenience
            parts.append(
                f"A {conv.notice.describe()} ends the agreement {conv.notice_period} later"
            )
        for duty in self.on_termination:
            parts.append(
                f"Within {duty.within} after the agreement ends: {duty.name} ({duty.do.describe()})"
            )
        return ". ".join(parts) + "."

    # --- the term -----------------------------------------------------------------------------

    def ends_agreement(self, context: ClauseContext) -> int | None:
        found = self._convenience_notice(context)
        return None if found is None else found[1]

    def _convenience_notice(self, context: ClauseContext) -> tuple[Fact, int] | None:
        """The first for-convenience notice in the term and the instant it takes effect."""
        for fact in context.facts:
            if not context.term.start <= fact.at < context.term.end:
                continue
            terms = self.version_at(fact.at)
            assert isinstance(terms, Termination)
            if terms.for_convenience is None or not terms.for_convenience.notice.matches(fact):
                continue
            if not concerns_agreement(fact, context):
                continue
            return fact, terms.for_convenience.notice_period.after(fact.at, context.calendar)
        return None

    # --- compilation --------------------------------------------------------------------------

    def compile(self, context: ClauseContext) -> None:
        self._change_of_control(context)
        self._convenience(context)
        self._after_the_end(context)

    def _change_of_control(self, context: ClauseContext) -> None:
        rights: list[Window] = []
        term = context.term
        for event in context.facts:
            if not term.start <= event.at < term.end or event.partner != context.partner:
                continue
            terms = self.version_at(event.at)
            assert isinstance(terms, Termination)
            coc = terms.change_of_control
            if coc is None or not coc.event.matches(event):
                continue
            closes = min(coc.right_for.after(event.at, context.calendar) - 1, term.end - 1)
            exercised = next(
                (
                    fact
                    for fact in context.facts
                    if event.at <= fact.at <= closes
                    and coc.exercise.matches(fact)
                    and concerns_agreement(fact, context)
                ),
                None,
            )
            rights.append(
                Window(
                    subject=event.id,
                    what=(
                        f"right to terminate after the change of control {event.id} on"
                        f" {event.day.isoformat()} ({coc.right_for}, by {coc.exercise.fact})"
                    ),
                    opens=event.at,
                    closes=closes,
                    evidence=(event,),
                    exercised=exercised,
                    announce_opening=False,
                )
            )
        windows(
            context,
            "change-of-control",
            rights,
            open_code="termination.change_of_control_right",
            closing_code="termination.change_of_control_lapses",
        )

    def _convenience(self, context: ClauseContext) -> None:
        if context.term.end_reason != f"termination under clause {self.id}":
            return
        found = self._convenience_notice(context)
        if found is None or found[1] != context.term.end:
            return
        notice, effective = found
        item = Obligation(
            subject=notice.id,
            what=(
                f"termination for convenience by notice {notice.id} of"
                f" {notice.day.isoformat()} (takes effect {date_of_epoch(effective).isoformat()})"
            ),
            due_by=effective,
            evidence=(notice,),
            done=None,
            missed=None,
            due_soon_code="termination.effective",
            due_soon_text=(
                f"the agreement ends at {iso_of_epoch(effective)}: termination for convenience"
                f" by notice {notice.id} of {notice.day.isoformat()}"
            ),
        )
        obligations(context, [item], "convenience")

    def _after_the_end(self, context: ClauseContext) -> None:
        term = context.term
        reason = term.end_reason
        if not (reason.startswith("termination") or reason in _ENDED_REASONS):
            return
        if term.end - 1 > context.horizon_end or term.end <= term.start:
            return
        terms = self.version_at(term.end - 1)
        assert isinstance(terms, Termination)
        items: list[Obligation] = []
        for duty in terms.on_termination:
            done = next(
                (
                    fact
                    for fact in context.facts
                    if fact.at >= term.end
                    and fact.partner == context.partner
                    and duty.do.matches(fact)
                ),
                None,
            )
            recorded = f", recorded by {done.id}" if done is not None else ""
            items.append(
                Obligation(
                    subject=duty.name,
                    what=(
                        f"{duty.name} ({duty.do.fact}{recorded}) within {duty.within} after the"
                        f" agreement ended on {term.last_day.isoformat()} ({reason})"
                    ),
                    due_by=post_term_deadline(duty, term.end, context.calendar),
                    evidence=(),
                    done=done,
                    missed=Outcome(FindingKind.BREACH, "termination.obligation_missed"),
                    late=Outcome(FindingKind.BREACH, "termination.obligation_late"),
                    due_soon_code="termination.obligation_due",
                )
            )
        obligations(context, items, "after-termination")

    def explain(self, context: ExplainContext) -> Explanation:
        rules: list[str] = []
        coc, convenience = self.change_of_control, self.for_convenience
        if coc is not None:
            rules.append(
                f"Change of control: each {coc.event.describe()} of the partner during the term"
                f" opens a right to terminate, exercised by {coc.exercise.describe()}; the right"
                f" closes {context.duration(coc.right_for)} after the change of control (at the"
                " latest when the agreement ends)."
            )
        if convenience is not None:
            rules.append(
                f"For convenience: a {convenience.notice.describe()} from either party ends the"
                f" agreement {context.duration(convenience.notice_period)} after the notice is"
                " given."
            )
        term = context.term
        dates: list[ExplainedDate] = []
        if coc is not None or convenience is not None:
            dates.extend(context.throughout_term())
        if term.end > term.start:
            terms = self.version_at(term.end - 1)
            assert isinstance(terms, Termination)
            for duty in terms.on_termination:
                rules.append(
                    f"After the agreement ends, for whatever reason: {duty.name}"
                    f" ({duty.do.describe()}) is due within {context.duration(duty.within)} after"
                    f" the end; only a {duty.do.fact} on or after the end counts."
                )
                dates.append(
                    ExplainedDate(
                        post_term_deadline(duty, term.end, context.calendar),
                        f"{duty.name} due, if the agreement ends on {term.last_day.isoformat()}"
                        " as its term is written (earlier if it is terminated early)",
                    )
                )
        return self.explain_terms(context).plus(rules, dates)


def post_term_deadline(duty: PostTermDuty, term_end: int, calendar: BusinessDays | None) -> int:
    """The last second to perform `duty` when the agreement ends at `term_end` (exclusive).

    "Within 14 days after the agreement ends" runs to the end of the 14th day after its last
    day. Business days are counted after the last day too, so the deadline is the end of a
    business day (counting from `term_end` and stepping back a second could land on a Sunday).
    """
    if duty.within.in_business_days:
        last_day = date_of_epoch(term_end - 1)
        return end_of_date(duty.within.add_to_date(last_day, calendar))
    return duty.within.after(term_end, calendar) - 1


def concerns_agreement(fact: Fact, context: ClauseContext) -> bool:
    """Whether a notice from either party is about this agreement (see the module docstring)."""
    named = fact.get("agreement")
    if named is not None:
        return str(named) == context.agreement_id
    return fact.partner in (None, OURS, context.partner)
