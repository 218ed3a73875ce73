"""A norm's outcome compiled onto the engine: each duty, forbidden fact, measured period and
right becomes engine messages and rules (the general blocks), whose firings are the findings.

The finding codes of a norm are `<norm>.<what>`: `obligation.breached` and `obligation.due`
(`obligation.material_breach` and `obligation.becomes_material` with `material_breach_after`;
`obligation.cure_ends` and `obligation.uncured` with `cure`),
`prohibition.breached`, `measure.breached`, `measure.at_risk` and `measure.no_data`,
`right.arising` (a right arising on a known day, within the horizon), `right.arisen` and
`right.closing`, `right.ends_agreement` when a right's exercise ends the
agreement within the horizon, `<norm>.ended` when a norm stopped applying, and
`<norm>.suspended` when a right's exercise suspended it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from checker.dates.timeutil import date_of_epoch, end_of_date, epoch_of_date, iso_of_epoch
from checker.facts.model import Fact
from checker.findings.model import FindingKind, Severity
from checker.norms.blocks import (
    Limit,
    Measurement,
    Obligation,
    Occurrence,
    Outcome,
    Window,
    limits,
    obligations,
    occurrences,
    windows,
)
from checker.norms.context import ClauseContext
from checker.norms.instances import first_termination
from checker.norms.model import (
    FieldRef,
    MeasureTerms,
    ObligationTerms,
    Percent,
    ProhibitionTerms,
    RightTerms,
)
from checker.norms.outcomes import NO_END, Duty, Forbidden, Measured, Opening, Undecided
from checker.norms.outcomes import Outcome as NormOutcome
from checker.norms.pattern import describe

ENDED_CODES = {
    "obligation": "obligation.ended",
    "prohibition": "prohibition.ended",
    "measure": "measure.ended",
    "right": "right.ended",
}
SUSPENDED_CODES = {
    "obligation": "obligation.suspended",
    "prohibition": "prohibition.suspended",
    "measure": "measure.suspended",
    "right": "right.suspended",
}
# A measure's facts are summed and compared together: one it cannot read fails the measure,
# unless the measure says `unreadable: report` (then it is an error of its own, left out).
UNDECIDED_CODES = {
    "obligation": "obligation.undecided",
    "prohibition": "prohibition.undecided",
    "measure": "measure.undecided",
    "right": "right.undecided",
}
NORM_NAMES = {
    ObligationTerms: "obligation",
    ProhibitionTerms: "prohibition",
    MeasureTerms: "measure",
    RightTerms: "right",
}


def norm_name(outcome: NormOutcome) -> str:
    return next(name for cls, name in NORM_NAMES.items() if isinstance(outcome.terms, cls))


@dataclass(frozen=True, slots=True)
class Wording:
    """How a clause kind words the findings of the norms it expands into: its own codes for the
    norms' codes, and messages in its own terms (None: the norms' own)."""

    codes: Mapping[str, str] = field(default_factory=dict)  # a norm's code -> the kind's
    forbidden: Callable[[Forbidden], str] | None = None
    missed: Callable[[Duty], str] | None = None
    late: Callable[[Duty], str] | None = None
    due: Callable[[Duty], str] | None = None
    material: Callable[[Duty], str] | None = None  # a material breach (done later, or not yet)
    becomes_material: Callable[[Duty], str] | None = None  # one within the horizon
    cure_ends: Callable[[Duty], str] | None = None  # a cure period ending within the horizon
    uncured: Callable[[Duty], str] | None = None  # not cured: a right to terminate arose
    undecided: Callable[[Undecided], str] | None = None
    measured: Callable[[Measured], str] | None = None  # a measure's period outside its bounds
    right: Callable[[Opening], str] | None = None  # what a right is ("renegotiation window")
    ends_agreement: Callable[[Fact, int], str] | None = None  # (the exercise, the end instant)
    severity: Severity | None = None  # of the breaches, when not the clause's

    def code(self, norm_code: str) -> str:
        return self.codes.get(norm_code, norm_code)


NORM_WORDING = Wording()


def compile_outcome(
    context: ClauseContext, outcome: NormOutcome, wording: Wording = NORM_WORDING, part: int = 0
) -> None:
    """Add the engine rules and messages that report `outcome` to the context's program.
    `part` tells apart the rules of several norms of one clause (a kind's versions)."""
    terms = outcome.terms
    names = _Names(f"#{part}" if part else "")
    if isinstance(terms, ObligationTerms):
        _obligation(context, outcome, terms, wording, names)
    elif isinstance(terms, ProhibitionTerms):
        _prohibition(context, outcome, terms, wording, names)
    elif isinstance(terms, MeasureTerms):
        _measure(context, outcome, terms, wording, names)
    else:
        _right(context, outcome, terms, wording, names)
    _ending(context, outcome, names)
    _suspended(context, outcome, names)
    _undecided(context, outcome, wording, names)


def _undecided(
    context: ClauseContext, outcome: NormOutcome, wording: Wording, names: _Names
) -> None:
    """A fact the norm could not judge is an error of its own (never "compliant"); the norm's
    other facts are still judged."""
    if not outcome.undecided:
        return
    items = [
        Occurrence(
            item.fact.id,
            item.fact.at,
            0,
            NO_END,
            wording.undecided(item)
            if wording.undecided is not None
            else f"{item.fact.type} {item.fact.id} could not be checked: {item.reason}",
            (item.fact,),
        )
        for item in outcome.undecided
    ]
    code = wording.code(UNDECIDED_CODES[norm_name(outcome)])
    occurrences(context, names("undecided"), items, Outcome(FindingKind.ERROR, code))


@dataclass(frozen=True, slots=True)
class _Names:
    """Rule and message names of one norm of a clause: unique within the clause."""

    suffix: str

    def __call__(self, name: str) -> str:
        return name + self.suffix


def _day(instant: int) -> str:
    return date_of_epoch(instant).isoformat()


def _figure(value: float) -> str:
    """12,500 or 12,500.5 or 99.84 or 0.06: as a person writes a figure (two decimals at most,
    three significant digits for a tiny one)."""
    if value == int(value):
        return f"{int(value):,}"
    shown = f"{value:,.2f}".rstrip("0").rstrip(".")
    return shown if shown not in ("0", "-0") else f"{value:.3g}"


# --- obligation ---------------------------------------------------------------------------------


def _obligation(
    context: ClauseContext,
    outcome: NormOutcome,
    terms: ObligationTerms,
    wording: Wording,
    names: _Names,
) -> None:
    breached = Outcome(FindingKind.BREACH, wording.code("obligation.breached"))
    unknown = Outcome(FindingKind.UNKNOWN, wording.code("obligation.unknown"))
    items = [
        Obligation(
            subject=duty.subject,
            what=_what(terms, duty),
            due_by=duty.due,
            evidence=duty.evidence,
            done=duty.done,
            missed=breached if duty.unknown is None else unknown,
            late=breached,
            due_soon_code=wording.code("obligation.due"),
            late_on_due_date=True,
            missed_text=(
                _unknown_text(terms, duty)
                if duty.unknown is not None
                else wording.missed(duty)
                if wording.missed
                else _missed_text(terms, duty)
            ),
            late_text=wording.late(duty) if wording.late else _late_text(terms, duty),
            due_soon_text=wording.due(duty) if wording.due else _due_text(terms, duty),
        )
        for duty in outcome.duties
    ]
    obligations(context, items, names("norm"))
    _material(context, outcome, terms, wording, names)
    _cure(context, outcome, terms, wording, names)


def _unknown_text(terms: ObligationTerms, duty: Duty) -> str:
    """ "... by 2026-10-15; whether it was done cannot be told: the billing feed runs only to
    2026-10-10" """
    return (
        f"{_what(terms, duty)} by {_day(duty.due)}; whether it was done cannot be told:"
        f" {duty.unknown}"
    )


def _material(
    context: ClauseContext,
    outcome: NormOutcome,
    terms: ObligationTerms,
    wording: Wording,
    names: _Names,
) -> None:
    """`material_breach_after`: an instance still not done that long after it was due is a
    material breach (a trigger), dated at the last day of that grace whether it is done later
    or never; a deadline while that day lies within the horizon."""
    arisen = Outcome(FindingKind.TRIGGER, wording.code("obligation.material_breach"))
    items = []
    for duty in outcome.duties:
        if duty.material is None:
            continue
        text = wording.material(duty) if wording.material else _material_text(terms, duty)
        soon = (
            wording.becomes_material(duty)
            if wording.becomes_material
            else f"{_due_text(terms, duty)}: a material breach if still not done by "
            f"{_day(duty.material)}"
        )
        # A fulfilment after the as-of instant is not known yet.
        done = duty.done if duty.done is not None and duty.done.at <= context.as_of else None
        items.append(
            Obligation(
                subject=duty.subject,
                what=_what(terms, duty),
                due_by=duty.material,
                evidence=duty.evidence,
                done=done,
                missed=arisen,
                late=arisen,
                due_soon_code=wording.code("obligation.becomes_material"),
                late_on_due_date=True,
                missed_text=text,
                late_text=text,
                due_soon_text=soon,
            )
        )
    obligations(context, items, names("material"))


def _cure(
    context: ClauseContext,
    outcome: NormOutcome,
    terms: ObligationTerms,
    wording: Wording,
    names: _Names,
) -> None:
    """`cure`: a breached instance whose default notice started a cure period. Its end is a
    deadline while it is to come within the horizon; not done by then, the breach is uncured (a
    trigger: a right to terminate arises), dated the day after the cure period, whether it is done
    later (the right arose all the same) or never."""
    uncured = Outcome(FindingKind.TRIGGER, wording.code("obligation.uncured"))
    items = []
    for duty in outcome.duties:
        path = duty.cure
        if path is None:
            continue
        # Done after the as-of instant is not known yet; done after the cure period cures nothing.
        known = duty.done if duty.done is not None and duty.done.at <= context.as_of else None
        cured = known if known is not None and known.at <= path.ends else None
        late = (known,) if known is not None and cured is None else ()
        items.append(
            Obligation(
                subject=duty.subject,
                what=_what(terms, duty),
                due_by=path.ends,
                evidence=(*duty.evidence, path.notice, *late),
                done=cured,
                missed=uncured,
                due_soon_code=wording.code("obligation.cure_ends"),
                missed_day=date_of_epoch(path.ends + 1),
                missed_text=(
                    wording.uncured(duty) if wording.uncured else _uncured_text(terms, duty)
                ),
                due_soon_text=(
                    wording.cure_ends(duty) if wording.cure_ends else _cure_ends_text(terms, duty)
                ),
            )
        )
    obligations(context, items, names("cure"))


def _cure_words(duty: Duty) -> str:
    """ "after default notice n1 of 2026-04-10, cure period until 2026-05-10"."""
    assert duty.cure is not None
    notice = duty.cure.notice
    return (
        f"after {notice.type} {notice.id} of {notice.day.isoformat()}, cure period until "
        f"{_day(duty.cure.ends)}"
    )


def _uncured_text(terms: ObligationTerms, duty: Duty) -> str:
    assert duty.cure is not None
    still = "still not done"
    if duty.done is not None and duty.done.at > duty.cure.ends:
        still = f"done only on {duty.done.day.isoformat()} ({duty.done.id})"
    return (
        f"{_what(terms, duty)} by {_day(duty.due)}; {_cure_words(duty)}; {still}: not cured, "
        f"a right to terminate arose on {_day(duty.cure.ends + 1)}"
    )


def _cure_ends_text(terms: ObligationTerms, duty: Duty) -> str:
    assert duty.cure is not None
    return (
        f"{_what(terms, duty)} by {_day(duty.due)}; {_cure_words(duty)}: a right to terminate "
        f"arises on {_day(duty.cure.ends + 1)} if still not done"
    )


def _material_text(terms: ObligationTerms, duty: Duty) -> str:
    assert duty.material is not None
    still = (
        f"not done until {duty.done.day.isoformat()} ({duty.done.id})"
        if duty.done is not None
        else "still not done"
    )
    return (
        f"{_what(terms, duty)} by {_day(duty.due)}; {still} after {_day(duty.material)}: "
        "a material breach"
    )


def _for(duty: Duty) -> str:
    """What the instance is for: "for incident.detected i2", "for 2026-Q1", "at the end"."""
    if duty.subject == "start":
        return "from the start of the agreement"
    if duty.subject == "end":
        return f"at the end of the agreement ({date_of_epoch(duty.triggered_at).isoformat()})"
    trigger = duty.evidence[-1] if duty.evidence else None
    if trigger is not None and trigger.id == duty.subject.split("/")[0]:
        return f"for {trigger.type} {trigger.id}"
    return f"for {duty.subject}"


def _what(terms: ObligationTerms, duty: Duty) -> str:
    verb = "pay" if terms.amount else "do"
    return f"{duty.party} had to {verb} {describe(terms.do)} {_for(duty)}"


def _missed_text(terms: ObligationTerms, duty: Duty) -> str:
    if duty.required is None:
        return f"{_what(terms, duty)} by {_day(duty.due)}, and has not"
    shortfall = duty.required - duty.paid_by_due
    since = f" ({_figure(duty.paid)} paid since)" if duty.paid > duty.paid_by_due else ""
    return (
        f"{_what(terms, duty)}: {_at_least(terms, duty)} by {_day(duty.due)}; "
        f"{_figure(duty.paid_by_due)} paid by then, shortfall {_figure(shortfall)}{since}"
    )


def _late_text(terms: ObligationTerms, duty: Duty) -> str | None:
    if duty.done is None:
        return None
    done = f"{duty.done.day.isoformat()} ({duty.done.id})"
    if duty.required is None:
        return f"{_what(terms, duty)} by {_day(duty.due)}: done late, on {done}"
    return (
        f"{_what(terms, duty)}: {_at_least(terms, duty)} by {_day(duty.due)}; "
        f"{_figure(duty.paid_by_due)} paid by then (shortfall "
        f"{_figure(duty.required - duty.paid_by_due)}), paid in full late, on {done}"
    )


def _due_text(terms: ObligationTerms, duty: Duty) -> str:
    verb = "pay" if terms.amount else "do"
    text = f"{duty.party} must {verb} {describe(terms.do)} {_for(duty)}"
    if duty.required is not None:
        still = duty.required - duty.paid
        text += f": {_at_least(terms, duty)}, {_figure(still)} still to pay"
    return f"{text}, by {_day(duty.due)}"


def _at_least(terms: ObligationTerms, duty: Duty) -> str:
    """ "at least 30" and, for a percentage, of what: "at least 30 (0.25 % of 12,000, clause
    3.m for 2026-04)", "at least 10,000 (20 % of r-1's net_revenue 50,000)"."""
    assert duty.required is not None
    assert terms.amount is not None
    text = f"at least {_figure(duty.required)}"
    wanted = terms.amount.at_least
    if isinstance(wanted, FieldRef):
        # The fact it is read from: the trigger, or (`on: after`) the earlier fact before it.
        read = duty.evidence[-2:-1] if wanted.on == "after" else duty.evidence[-1:]
        return f"{text} ({read[0].id}'s {wanted.field})" if read else text
    if not isinstance(wanted, Percent):
        return text
    base = _figure(duty.required * 100 / wanted.percent)
    if terms.amount_measure() is not None:
        return f"{text} ({wanted.percent:g} % of {base}, clause {wanted.of} for {duty.subject})"
    trigger = duty.evidence[-1] if duty.evidence else None
    whose = f"{trigger.id}'s " if trigger is not None else ""
    return f"{text} ({wanted.percent:g} % of {whose}{wanted.of} {base})"


# --- prohibition --------------------------------------------------------------------------------


def _prohibition(
    context: ClauseContext,
    outcome: NormOutcome,
    terms: ProhibitionTerms,
    wording: Wording,
    names: _Names,
) -> None:
    def text(forbidden: Forbidden) -> str:
        if wording.forbidden is not None:
            return wording.forbidden(forbidden)
        return (
            f"{forbidden.party} must not do {describe(terms.do)}: {forbidden.fact.type} "
            f"{forbidden.fact.id} on {forbidden.fact.day.isoformat()}"
        )

    items = [
        Occurrence(
            forbidden.subject,
            forbidden.fact.at,
            outcome.starts,
            outcome.ends,
            text(forbidden),
            forbidden.evidence or (forbidden.fact,),
        )
        for forbidden in outcome.forbidden
    ]
    breach = Outcome(FindingKind.BREACH, wording.code("prohibition.breached"), wording.severity)
    occurrences(context, names("forbidden"), items, breach)


# --- measure ------------------------------------------------------------------------------------


def _measure(
    context: ClauseContext,
    outcome: NormOutcome,
    terms: MeasureTerms,
    wording: Wording,
    names: _Names,
) -> None:
    if not terms.reported:  # a threshold other norms react to: only its errors are reported
        return
    what = f"{terms.aggregate} of {terms.field + ' of ' if terms.field else ''}{describe(terms.of)}"
    judged = [m for m in outcome.measured if m.judged and m.unknown_reason is None]
    breach = Outcome(FindingKind.BREACH, wording.code("measure.breached"), wording.severity)
    by_subject = {m.subject: m for m in judged}

    def bound_text(measurement: Measurement, bound: float, *, maximum: bool) -> str:
        if wording.measured is not None:
            return wording.measured(by_subject[measurement.subject])
        return _bound_text(what, measurement, bound, maximum=maximum)

    for name, maximum in (("above", True), ("below", False)):
        chosen = [m for m in judged if m.value is not None]
        chosen = [m for m in chosen if (m.maximum if maximum else m.minimum) is not None]
        limits(
            context,
            names(f"measure-{name}"),
            [_measurement(m) for m in chosen],
            [_limit(m, maximum) for m in chosen],
            maximum=maximum,
            outcome=breach,
            message=functools.partial(bound_text, maximum=maximum),
        )
    at_risk = [
        m
        for m in outcome.measured
        if not m.judged
        and epoch_of_date(m.first_day) <= context.as_of  # the current period, not a later one
        and m.minimum is not None
        and m.value is not None
        and m.unknown_reason is None
    ]
    limits(
        context,
        names("measure-at-risk"),
        [
            Measurement(m.subject, context.as_of, m.value or 0.0, m.last_day, m.facts, m.subject)
            for m in at_risk
        ],
        [Limit(0, _open_end(m, context), m.minimum or 0.0, m.subject) for m in at_risk],
        maximum=False,
        outcome=Outcome(FindingKind.DEADLINE, wording.code("measure.at_risk")),
        message=lambda m, bound: (
            f"{what} for {m.subject} is {_figure(m.value)} so far; at least "
            f"{_figure(bound)} is needed by {m.day.isoformat()}"
        ),
    )
    unknowns = [
        Occurrence(
            m.subject,
            m.decided_at,
            0,
            NO_END,
            f"{what} for {m.subject} cannot be told: "
            + (m.unknown_reason or "no facts in the period to take it from"),
            m.facts,
        )
        for m in outcome.measured
        if m.judged and not m.suspended and (m.unknown_reason is not None or m.value is None)
    ]
    occurrences(
        context,
        names("no-data"),
        unknowns,
        Outcome(FindingKind.UNKNOWN, wording.code("measure.no_data")),
    )


def _measurement(measured: Measured) -> Measurement:
    assert measured.value is not None
    day = date_of_epoch(measured.decided_at)
    return Measurement(
        measured.subject, measured.decided_at, measured.value, day, measured.facts, measured.subject
    )


def _limit(measured: Measured, maximum: bool) -> Limit:
    bound = measured.maximum if maximum else measured.minimum
    assert bound is not None
    return Limit(0, NO_END, bound, measured.subject)


def _open_end(measured: Measured, context: ClauseContext) -> int:
    # An open period is at risk only when it ends within the horizon: the limit is in force for
    # the as-of instant only then.
    return context.as_of + 1 if end_of_date(measured.last_day) <= context.horizon_end else 0


def _bound_text(what: str, measured: Measurement, bound: float, *, maximum: bool) -> str:
    subject = measured.subject
    value, limit = _apart(measured.value, bound)
    if maximum:
        return f"{what} for {subject} is {value}, over the maximum of {limit}"
    return (
        f"{what} for {subject} is {value}, under the minimum of {limit}: "
        f"shortfall {_figure(bound - measured.value)}"
    )


def _apart(value: float, bound: float) -> tuple[str, str]:
    """A value and the bound it broke as figures that differ: an average of 99.495 against a
    minimum of 99.5 reads "99.495", not "99.5 under the minimum of 99.5"."""
    shown, limit = _figure(value), _figure(bound)
    for places in range(3, 7):
        if shown != limit:
            break
        shown = f"{value:,.{places}f}".rstrip("0").rstrip(".")
    return (repr(value) if shown == limit else shown), limit


# --- right --------------------------------------------------------------------------------------


def _right(
    context: ClauseContext,
    outcome: NormOutcome,
    terms: RightTerms,
    wording: Wording,
    names: _Names,
) -> None:
    what = f"right '{context.clause.title}'"
    if terms.exercised_by is not None:
        what += f" (exercised by {describe(terms.exercised_by)})"
    if terms.effect is not None and terms.effect.ends_agreement:
        _ends_agreement(context, outcome, wording, names)
    if terms.effect is not None and terms.effect.extends_agreement:
        _extended_agreement(context, outcome, terms, wording, names)
    if not terms.reported:  # a standing right: only what its exercise does is reported
        return
    items = [
        Window(
            subject=opening.subject,
            what=wording.right(opening) if wording.right else f"{opening.party}'s {what}",
            opens=opening.opens,
            closes=opening.closes,
            evidence=opening.evidence,
            exercised=opening.exercised,
            # A right arising on a day known in advance is a deadline before: "right.arising".
            announce_opening=terms.arises_on_a_known_day,
            report_closed=True,
            unknown=opening.unknown,
            watched=terms.exercised_by is not None,
        )
        for opening in outcome.openings
    ]
    windows(
        context,
        names("norm"),
        items,
        open_code=wording.code("right.arisen"),
        closing_code=wording.code("right.closing"),
        opening_code=wording.code("right.arising"),
    )


def _ends_agreement(
    context: ClauseContext, outcome: NormOutcome, wording: Wording, names: _Names
) -> None:
    """When this right's exercise is what ended the agreement (its clause's first exercise of a
    right ending it, and the term ends then), a deadline on the last day the agreement is in
    force, reported while that day lies within the horizon; once that day has passed, a trigger
    dated on it, so a run after the end still says when and why the agreement ended."""
    term = context.term
    if term.end_reason != f"termination under clause {context.clause.id}":
        return
    clause_outcomes = [o for o, _ in context.norm_outcomes if isinstance(o, NormOutcome)]
    found = first_termination(clause_outcomes or [outcome], context.calendar)
    if found is None or found[1] != term.end:
        return
    exercise, ends = found
    if not any(opening.exercised is exercise for opening in outcome.openings):
        return
    last = iso_of_epoch(ends - 1)
    item = Obligation(
        subject=exercise.id,
        what=f"the end of the agreement by {exercise.type} {exercise.id}",
        due_by=ends - 1,
        evidence=(exercise,),
        done=None,
        missed=Outcome(FindingKind.TRIGGER, wording.code("right.ended_agreement")),
        missed_text=(
            f"the agreement ended at the end of {date_of_epoch(ends - 1).isoformat()}:"
            f" {exercise.type} {exercise.id} of"
            f" {exercise.day.isoformat()} exercised the right to end it (clause"
            f" {context.clause.id})"
        ),
        due_soon_code=wording.code("right.ends_agreement"),
        due_soon_text=(
            wording.ends_agreement(exercise, ends)
            if wording.ends_agreement is not None
            else f"the agreement is in force until {last} and no longer after: {exercise.type} "
            f"{exercise.id} of {exercise.day.isoformat()} exercised the right to end it"
        ),
    )
    obligations(context, [item], names("ends-agreement"))


def _extended_agreement(
    context: ClauseContext,
    outcome: NormOutcome,
    terms: RightTerms,
    wording: Wording,
    names: _Names,
) -> None:
    """When this norm's exercise is the one that extended the agreement's fixed term (of an
    amended clause, the version it was an exercise of): a trigger dated on the exercise, saying
    how far the term now runs."""
    extended = context.term.extended
    if extended is None or extended.clause != context.clause.id:
        return
    exercise, before = extended.exercise, extended.before
    if not any(opening.exercised == exercise for opening in outcome.openings):
        return
    assert terms.effect is not None
    item = Occurrence(
        subject=exercise.id,
        at=exercise.at,
        start=context.term.start,
        end=NO_END,
        message=(
            f"the term, which was to end with {before.isoformat()}, now runs to the end of"
            f" {context.term.last_day.isoformat()}: {exercise.type} {exercise.id} of"
            f" {exercise.day.isoformat()} exercised the option to extend it by"
            f" {terms.effect.by} (clause {context.clause.id})"
        ),
        evidence=(exercise,),
    )
    occurrences(
        context,
        names("extended"),
        [item],
        Outcome(FindingKind.TRIGGER, wording.code("right.extended_agreement")),
    )


# --- ending -------------------------------------------------------------------------------------


def _ending(context: ClauseContext, outcome: NormOutcome, names: _Names) -> None:
    ending = outcome.ending
    if ending is None:
        return
    last: date = date_of_epoch(ending.at - 1)
    name = norm_name(outcome)
    occurrences(
        context,
        names("ended"),
        [
            Occurrence(
                "ended",
                ending.at - 1,
                0,
                NO_END,
                f"this {name} applies until {last.isoformat()} and no longer after: {ending.cause}",
                ending.evidence,
            )
        ],
        Outcome(FindingKind.TRIGGER, ENDED_CODES[name]),
    )


def _suspended(context: ClauseContext, outcome: NormOutcome, names: _Names) -> None:
    """Each time a right's exercise suspends the norm while it applies, from its first day on
    (dated then, named after the exercising fact)."""
    name = norm_name(outcome)
    items = []
    for suspension in outcome.suspensions:
        if not suspension.overlaps(outcome.starts, outcome.ends - 1):
            continue
        first = _day(suspension.starts)
        if suspension.resumed is not None:
            resumed = suspension.resumed
            until = f"through {_day(suspension.ends)} ({resumed.type} {resumed.id} resumed it)"
        elif suspension.known:
            until = f"through {_day(suspension.ends)}"
        elif suspension.ends < NO_END:
            until = f"until resumed, through {_day(suspension.ends)} at the latest"
        else:
            until = "until resumed"
        items.append(
            Occurrence(
                suspension.exercise.id,
                suspension.starts,
                0,
                NO_END,
                f"this {name} is suspended from {first} {until}, and judges nothing then: "
                f"{suspension.cause}",
                (suspension.exercise,)
                + ((suspension.resumed,) if suspension.resumed is not None else ()),
            )
        )
    occurrences(
        context, names("suspended"), items, Outcome(FindingKind.TRIGGER, SUSPENDED_CODES[name])
    )
