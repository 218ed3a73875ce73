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

It is shorthand for norms (docs/norms.md), one per part and per stretch of versions in which
the part is the same:

- Change of control: a right of ours that arises on each `event` fact of the partner inside the
  term, open for `right_for` (to the end of its last day; hours are exact; never after the term or
  the terms it arose under), exercised by the first `exercise` notice in that window. It is a
  trigger from the event on (still reported once it lapsed, saying so), and a deadline when it
  closes within the horizon. Exercising it does not by itself end the agreement here.
- For convenience: a right that exercised ends the agreement (`effect: {ends: agreement}`): the
  first `notice` inside the term (from either party, or only the one `by` names) ends it at the end of the day `notice_period` after the notice
  (hours: exactly that long after); a later notice changes nothing. A deadline reports the last
  day the agreement is in force while it lies within the horizon.
- On termination: an obligation of the partner per duty, created when the agreement ends (any
  reason: expiry, non-renewal or a termination; none while an open-ended agreement runs), due
  `within` after its last day. Only a `do` fact from the term's last instant on counts (a data
  return during the term is not the final one). A duty done after its deadline is the same
  `termination.obligation_missed` breach, dated at the deadline, its message saying when it was
  done; a deadline while it falls due within the horizon.

Whose facts: change-of-control events and `do` facts are the partner's own. Notices (`exercise`
and `notice`) may come from either party (we may terminate as well as the partner) and count when
they concern this agreement: a notice whose `agreement` field names another agreement does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.clauses.base import Clause, numbered
from checker.clauses.explaining import ExplainContext
from checker.dates.timeutil import Duration, date_of_epoch, iso_of_epoch, written_duration
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import NormTerms, ObligationTerms, RightTerms
from checker.norms.outcomes import Duty, Opening


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
    by: Literal["either", "us", "partner"] = Field(
        default="either",
        description="Who may give the notice: either party (the default), only us, or only "
        "the partner",
        examples=["us"],
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


Part = Literal["change_of_control", "for_convenience", "on_termination"]


class Termination(Clause):
    kind_summary = "Rights to terminate, termination on notice, and duties after termination."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "termination.change_of_control_right",
            FindingKind.TRIGGER,
            "A change of control of the partner opened a right to terminate; the message says"
            " whether it is open, was exercised or lapsed.",
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
            "termination.ended",
            FindingKind.TRIGGER,
            "A termination for convenience ended the agreement on the day the finding is dated.",
        ),
        FindingCode(
            "termination.obligation_missed",
            FindingKind.BREACH,
            "A duty after the agreement ended was not done in time (late or not at all).",
        ),
        FindingCode(
            "termination.obligation_unknown",
            FindingKind.UNKNOWN,
            "A duty after the end not done as far as the facts go, but its feed does not reach the due date tonight: it cannot be told.",
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

    # --- the norms ----------------------------------------------------------------------------

    def explain_rules(self, context: ExplainContext) -> list[str]:
        rules: list[str] = []
        coc, convenience = self.change_of_control, self.for_convenience
        if coc is not None:
            rules.append(
                f"Change of control: each {coc.event.describe()} of the partner during"
                f" the term opens a right to terminate, exercised by"
                f" {coc.exercise.describe()}; the right closes"
                f" {context.duration(coc.right_for)} after the change of control (the"
                " last day in full; at the latest when the agreement ends)."
            )
        if convenience is not None:
            rules.append(
                f"For convenience: the first {convenience.notice.describe()} from"
                f" {_WHO[convenience.by]} ends the agreement at the end of the day"
                f" {context.duration(convenience.notice_period)} after the notice is given."
            )
        for duty in self.on_termination:
            rules.append(
                f"After the agreement ends, for whatever reason: {duty.name}"
                f" ({duty.do.describe()}) is due within {context.duration(duty.within)}"
                f" after the end (counted from its last day); only a {duty.do.fact} from"
                " the last second of the term on counts."
            )
        return rules

    def norms(self) -> list[NormPart]:
        """Per stretch of versions with the same part: a right of ours per change of control; a
        right ending the agreement on notice; an obligation of the partner per duty after the
        end."""
        made: list[tuple[NormTerms, Wording]] = []
        for coc, span in self._stretches("change_of_control"):
            assert isinstance(coc, ChangeOfControl)
            norm = {
                "holder": "us",
                "arises": coc.event.as_norm(by="partner"),
                "open_for": coc.right_for,
                "exercised_by": _notice(coc.exercise),
                **span,
            }
            wording = Wording(
                codes={
                    "right.arisen": "termination.change_of_control_right",
                    "right.closing": "termination.change_of_control_lapses",
                },
                right=_ChangeOfControlRight(coc),
            )
            made.append((RightTerms.model_validate(norm), wording))
        for convenience, span in self._stretches("for_convenience"):
            assert isinstance(convenience, ForConvenience)
            norm = {
                "holder": "us",
                "arises": span.get("from", "start"),
                "exercised_by": _notice(convenience.notice, convenience.by),
                "effect": {"ends": "agreement", "after": convenience.notice_period},
                "reported": False,
                **span,
            }
            wording = Wording(
                codes={
                    "right.ends_agreement": "termination.effective",
                    "right.ended_agreement": "termination.ended",
                },
                ends_agreement=_ends_text,
            )
            made.append((RightTerms.model_validate(norm), wording))
        for duties, span in self._stretches("on_termination"):
            assert isinstance(duties, list)
            for duty in duties:
                norm = {
                    "by": "partner",
                    "when": "end",
                    "do": duty.do.as_norm(),
                    "within": duty.within,
                    "name": duty.name,
                    **span,
                }
                wording = Wording(
                    codes={
                        "obligation.breached": "termination.obligation_missed",
                        "obligation.unknown": "termination.obligation_unknown",
                        "obligation.due": "termination.obligation_due",
                    },
                    missed=_PostTermText(duty, "missed"),
                    late=_PostTermText(duty, "late"),
                    due=_PostTermText(duty, "due"),
                )
                made.append((ObligationTerms.model_validate(norm), wording))
        return numbered(self.id, made)

    def _stretches(self, part: Part) -> list[tuple[Any, dict[str, date]]]:
        """The part's terms (when given) over each stretch of consecutive versions in which they
        stay the same, with the stretch's `from` and `until`: an amendment of another part does
        not cut a right's window or a duty short."""
        found: list[tuple[Any, date | None, date | None]] = []
        for version in self.versions():
            value = getattr(version.terms, part)
            if found and found[-1][0] == value:
                found[-1] = (value, found[-1][1], version.ends)
            else:
                found.append((value, version.starts, version.ends))
        stretches: list[tuple[Any, dict[str, date]]] = []
        for value, starts, ends in found:
            if not value:
                continue
            span: dict[str, date] = {}
            if starts is not None:
                span["from"] = starts
            if ends is not None:
                span["until"] = ends - timedelta(days=1)
            stretches.append((value, span))
        return stretches


_WHO = {"either": "either party", "us": "us", "partner": "the partner"}


def _notice(pattern: FactPattern, by: str = "either") -> dict[str, Any]:
    """A notice (from either party, or only from `by`) that does not name another agreement."""
    made = pattern.as_norm(by="each" if by == "either" else by)
    # A notice naming another agreement in its `agreement` field is about that one, not this.
    made["unless"] = [*made["unless"], {"agreement": {"agreement": "other"}}]
    return made


@dataclass(frozen=True, eq=False, slots=True)
class _ChangeOfControlRight:
    """What a change-of-control right is, in the findings' messages."""

    coc: ChangeOfControl

    def __call__(self, opening: Opening) -> str:
        event = opening.evidence[-1] if opening.evidence else None
        about = f" {event.id} on {event.day.isoformat()}" if event is not None else ""
        return (
            f"right to terminate after the change of control{about} ({self.coc.right_for}, by"
            f" {self.coc.exercise.fact})"
        )


@dataclass(frozen=True, eq=False, slots=True)
class _PostTermText:
    """The messages of a duty after the end: missed, late or due."""

    duty: PostTermDuty
    what: Literal["missed", "late", "due"]

    def __call__(self, item: Duty) -> str:
        duty = self.duty
        ended = date_of_epoch(item.triggered_at).isoformat()
        # Told before the end too (an end within the horizon): no tense.
        text = (
            f"{duty.name} ({duty.do.fact}) within {duty.within} after the agreement's end on"
            f" {ended}, by {date_of_epoch(item.due).isoformat()}"
        )
        if self.what == "due":
            return f"{text} is due"
        if self.what == "late" and item.done is not None:
            return f"{text}: done late, on {item.done.day.isoformat()} ({item.done.id})"
        return f"{text}: not done"


def _ends_text(notice: Fact, ends: int) -> str:
    return (
        f"the agreement ends at {iso_of_epoch(ends)}: termination for convenience by notice"
        f" {notice.id} of {notice.day.isoformat()}"
    )
