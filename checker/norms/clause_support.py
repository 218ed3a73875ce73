"""What the four norm kinds (obligation, prohibition, right, measure) share as clauses: the fact
types they read, compiling their worked-out outcomes, and plain-English sentences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from checker.norms.compile import NORM_WORDING, Wording, compile_outcome
from checker.norms.context import ClauseContext, InForce
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import (
    EachAnniversary,
    EachPeriod,
    Effect,
    FieldRef,
    MeasureTerms,
    NormTerms,
    ObligationTerms,
    OnBreach,
    OnExercise,
    OnFulfilment,
    Percent,
    ProhibitionTerms,
    RightTerms,
    Rolling,
    Trigger,
    patterns_of,
)
from checker.norms.outcomes import NormError
from checker.norms.parties import ANYONE, EACH, PARTNER, PARTNERS, US, Parties
from checker.norms.pattern import Pattern, ValueRef, describe, pattern_types


def fact_types_read(terms: NormTerms) -> list[str]:
    """The fact types a norm reads, precedents (`after`, `unless_after`) and facts compared
    with (`of_latest`) included."""
    return sorted(
        {fact_type for pattern in patterns_of(terms) for fact_type in pattern_types(pattern)}
    )


def routing_patterns(terms: NormTerms) -> Sequence[tuple[FactPattern, bool]]:
    """For routing: every type the norm reads, from any party (parties are told apart later)."""
    return [(FactPattern(fact=name), False) for name in fact_types_read(terms)]


@dataclass(frozen=True, slots=True)
class NormPart:
    """One norm a clause is made of: its key among the agreement's norms (the clause id, or
    `<id>#<n>` for a kind's further norms), its terms, and how the clause words its findings."""

    key: str
    terms: NormTerms
    wording: Wording = NORM_WORDING


def in_force_only(terms: NormTerms, days: InForce) -> NormTerms:
    """A norm cut to the days its clause is in force: an amendment that adds a clause starts
    its norms on its effective date, one that removes it ends them (tails after the end too)."""
    update: dict[str, object] = {}
    if days.first is not None and (terms.from_ is None or terms.from_ < days.first):
        update["from_"] = days.first
    if days.last is not None and (not isinstance(terms.until, date) or terms.until > days.last):
        update["until"] = days.last
    return terms.model_copy(update=update) if update else terms


def compile_norms(context: ClauseContext) -> None:
    """Compile the clause's worked-out norms; a norm that could not be worked out fails the
    clause (an `error` finding, never "compliant")."""
    for part, (outcome, wording) in enumerate(context.norm_outcomes):
        if isinstance(outcome, NormError):
            raise outcome
        compile_outcome(context, outcome, wording, part)


def trigger_words(trigger: Trigger) -> str:
    """ "after each incident.detected", "at the end of each quarter", "when the agreement ends"."""
    if trigger == "start":
        return "from the start of the agreement"
    if trigger == "end":
        return "when the agreement ends"
    if isinstance(trigger, EachPeriod):
        return f"at the end of each {trigger.each}"
    if isinstance(trigger, EachAnniversary):
        opens = (
            f"from {trigger.opens_before} before" if trigger.opens_before is not None else "from"
        )
        closes = (
            f", until {trigger.closes_before} before it"
            if trigger.closes_before is not None
            else ""
        )
        return f"{opens} each anniversary of the start{closes}"
    if isinstance(trigger, OnBreach):
        times = ""
        if trigger.in_a_row:
            times = f" {trigger.in_a_row} times in a row"
        elif trigger.count:
            times = f" {trigger.count} times in {trigger.in_last}"
        how = "materially breached" if trigger.material else "breached"
        if len(trigger.sources) > 1:
            together = ", ".join(trigger.sources)
            return f"when clauses {together} (taken together) are {how}{times}"
        return f"when clause {trigger.breach_of} is {how}{times}"
    if isinstance(trigger, OnExercise):
        return f"when the right of clause {trigger.exercise_of} is exercised"
    if isinstance(trigger, OnFulfilment):
        return f"each time clause {trigger.fulfilment_of} is fulfilled"
    if isinstance(trigger, Pattern):
        return f"after each {describe(trigger)}"
    return f"on {trigger.isoformat()}"


def party_words(who: str, parties: Parties | None) -> str:
    """ "northwind (us)", "globex (partner)", "each party (northwind, globex)": who a norm names."""
    if parties is None:
        return who
    if who == US:
        return f"{parties.us} (us)"
    if who == PARTNER and len(parties.counterparties) == 1:
        return f"{parties.counterparties[0]} (partner)"
    if who == PARTNERS:
        return f"each partner ({', '.join(parties.counterparties)})"
    if who == EACH:
        return f"each party ({', '.join(parties.all)})"
    if who == ANYONE:
        return "anyone (the parties or others)"
    return who


def sentence(terms: NormTerms, parties: Parties | None = None) -> str:
    """The norm in one plain-English sentence: who owes what to whom, and when (with the
    agreement's parties, naming them)."""
    if parties is not None:
        terms = _named(terms, parties)
    ends = ""
    if terms.ends_when is not None:
        ends = f"; it ends {trigger_words(terms.ends_when.as_trigger())}"
    if isinstance(terms, ObligationTerms):
        to = f" (owed to {terms.to})" if terms.to else ""
        verb = "pay" if terms.amount else "do"
        due = f"within {terms.within}" if terms.within is not None else f"by {terms.due}"
        amount = ""
        if terms.amount is not None:
            wanted = _plain(terms.amount.at_least)
            earlier = terms.when.after if isinstance(terms.when, Pattern) else None
            if isinstance(terms.amount.at_least, FieldRef) and terms.amount.at_least.on:
                wanted += f" of that {earlier.fact if earlier else 'earlier fact'}"
            amount = f" (at least {wanted} in {terms.amount.sum})"
        material = ""
        if terms.material_breach_after is not None:
            material = (
                f"; still not done {terms.material_breach_after} after it was due, it is a "
                "material breach"
            )
        if terms.cure is not None:
            material += (
                f"; once breached, the first {describe(terms.cure.notice)} after the due date "
                f"starts a cure period of {terms.cure.within}: still not done by its end, a "
                "right to terminate arises the next day"
            )
        return (
            f"{terms.by} must {verb} {describe(terms.do)}{amount} {due}, "
            f"{trigger_words(terms.when)}{to}{material}{ends}."
        )
    if isinstance(terms, ProhibitionTerms):
        return f"{terms.by} must not do {describe(terms.do)}{ends}."
    if isinstance(terms, MeasureTerms):
        per = f"any {terms.per.rolling}" if isinstance(terms.per, Rolling) else f"each {terms.per}"
        field = f" of {terms.field}" if terms.field else ""
        bounds = []
        if terms.at_least is not None:
            bounds.append(f"at least {_plain(terms.at_least)}")
        if terms.at_most is not None:
            bounds.append(f"at most {_plain(terms.at_most)}")
        carry = "; a shortfall carries into the next period" if terms.carry_over else ""
        if terms.whole_periods:
            carry += "; only whole periods inside its time are judged"
        if terms.unreadable == "skip_period":
            carry += "; a period with a value that is not a number cannot be told"
        if not terms.reported:
            carry += "; a threshold for other clauses, its periods not reported"
        return (
            f"The {terms.aggregate}{field} of {describe(terms.of)} by {terms.by} in {per} must be "
            f"{' and '.join(bounds)}{carry}{ends}."
        )
    assert isinstance(terms, RightTerms)
    what = (
        f"exercise it by {describe(terms.exercised_by)}"
        if terms.exercised_by is not None
        else "rely on it"
    )
    window = f", for {terms.open_for}" if terms.open_for is not None else ""
    effect = ""
    if terms.effect is not None:
        effect = _effect_words(terms.effect)
    return f"{terms.holder} may {what} {trigger_words(terms.arises)}{window}{effect}{ends}."


def _effect_words(effect: Effect) -> str:
    """ "; exercising it, with effect 30d later, ends clause 5.1 and makes clause 5.2 apply
    from the next day"."""
    words = "; exercising it"
    if effect.after is not None:
        words += f", with effect {effect.after} later,"
    if effect.suspends is not None:
        length = []
        if effect.for_ is not None:
            length.append(f"for {effect.for_}")
        if effect.until is not None:
            length.append(f"until {describe(effect.until)}")
        first = ", whichever comes first" if len(length) > 1 else ""
        return (
            f"{words} suspends clause {', '.join(effect.suspends)} from the next day "
            f"{' or '.join(length)}{first}: nothing is judged under it meanwhile"
        )
    done = []
    if effect.extends_agreement:
        done.append(
            f"extends the agreement's term by {effect.by} (the first exercise within the term)"
        )
    if effect.ends_agreement:
        done.append("ends the agreement")
    elif effect.clauses:
        done.append(f"ends clause {', '.join(effect.clauses)}")
    if effect.starts is not None:
        done.append(f"makes clause {', '.join(effect.starts)} apply from the next day (not before)")
    return f"{words} {' and '.join(done)}"


def _named(terms: NormTerms, parties: Parties) -> NormTerms:
    """A copy whose `by`, `to` and `holder` name the parties, for sentences only."""
    changes: dict[str, str] = {}
    for name in ("by", "to", "holder"):
        value = getattr(terms, name, None)
        if isinstance(value, str):
            changes[name] = party_words(value, parties)
    return terms.model_copy(update=changes)


def _plain(value: object) -> str:
    if isinstance(value, Percent):
        return f"{value.percent:g} % of {value.of}"
    if isinstance(value, ValueRef):
        return f"the {value.value}"
    if isinstance(value, FieldRef):
        return f"the {value.field}"
    if isinstance(value, float) and value == int(value):
        return f"{int(value):,}"
    return str(value)
