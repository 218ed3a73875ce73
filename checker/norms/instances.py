"""Norm instances from facts: which obligations arose and when they fall due, which facts a
prohibition forbids, each measured period's value and bounds, each right's window, and which
norms ended. Pure Python and plain data: the engine then decides what is reported.

Norms are worked out in dependency order (a norm that reacts to another's breaches or a right's
exercise comes after it), once per agreement and as-of instant. Time follows docs/norms.md: a
duration in days ends at the end of its last day, hours are exact, business days follow the
agreement's calendar.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from checker.dates.timeutil import (
    BusinessDays,
    Duration,
    Period,
    add_months,
    date_of_epoch,
    end_of_date,
    epoch_of_date,
    period_named,
    periods_between,
)
from checker.facts.model import Fact
from checker.norms.dependencies import (
    all_refs,
    clause_of,
    clause_parts,
    dependency_order,
    referred,
    rights_with_effects,
)
from checker.norms.model import (
    AfterEnd,
    EachAnniversary,
    EachPeriod,
    Effect,
    FieldRef,
    MeasureTerms,
    NormTerms,
    ObligationCure,
    ObligationTerms,
    OnBreach,
    OnExercise,
    OnFulfilment,
    Percent,
    ProhibitionTerms,
    RightTerms,
    Rolling,
    Trigger,
    bound_party_word,
    patterns_of,
)
from checker.norms.outcomes import (
    NO_END,
    PERIODS_AHEAD,
    CurePath,
    Duty,
    Ending,
    Event,
    Forbidden,
    Measured,
    NormError,
    NormInputs,
    Opening,
    Outcome,
    Suspension,
    Undecided,
    due_after,
)
from checker.norms.parties import ANYONE
from checker.norms.pattern import (
    Pattern,
    Scope,
    Uncomparable,
    ValueRef,
    as_day,
    compared_facts,
    earlier_fact,
    is_with,
    later_fact,
    matches,
    unreadable_read,
)


def work_out(norms: Mapping[str, NormTerms], inputs: NormInputs) -> dict[str, Outcome | NormError]:
    """Every norm's outcome (or why it could not be worked out), by clause id."""
    outcomes: dict[str, Outcome | NormError] = {}
    try:
        order = dependency_order(norms)
    except NormError as error:
        return dict.fromkeys(norms, error)
    parts, rights = clause_parts(norms), rights_with_effects(norms)
    worker = _Worker(inputs, outcomes, parts, rights)
    for cid in order:
        refs = all_refs(cid, norms, parts, rights)
        missing = [ref for ref in refs if isinstance(outcomes.get(ref), NormError)]
        if missing:
            outcomes[cid] = NormError(
                f"it depends on clause {missing[0]}, which could not be evaluated"
            )
            continue
        try:
            outcomes[cid] = worker.outcome(cid, norms[cid], norms)
        except NormError as error:
            outcomes[cid] = error
    return outcomes


def agreement_ends_at(exercised: int, after: Duration | None, calendar: BusinessDays | None) -> int:
    """When a right whose effect ends the agreement is exercised at `exercised`, the first instant
    the agreement is no longer in force: after the end of the day `after` later (of the exercise's
    own day without `after`), or exactly `after` later when it is in hours."""
    if after is not None and after.unit == "hours":
        return exercised + after.amount * 3600
    day = date_of_epoch(exercised)
    if after is not None:
        day = after.add_to_date(day, calendar)
    return epoch_of_date(day + timedelta(days=1))


def first_termination(
    outcomes: Sequence[Outcome], calendar: BusinessDays | None
) -> tuple[Fact, int] | None:
    """Among the outcomes of rights whose effect ends the agreement (one clause's), the first
    exercise and the instant it ends the agreement: a later exercise changes nothing."""
    found: list[tuple[Fact, int]] = []
    for outcome in outcomes:
        terms = outcome.terms
        if not isinstance(terms, RightTerms) or terms.effect is None:
            continue
        if not terms.effect.ends_agreement:
            continue
        found += [
            (o.exercised, agreement_ends_at(o.exercised.at, terms.effect.after, calendar))
            for o in outcome.openings
            if o.exercised is not None
        ]
    return min(found, key=lambda item: (item[0].at, item[0].id), default=None)


class _Worker:
    def __init__(
        self,
        inputs: NormInputs,
        outcomes: Mapping[str, Outcome | NormError],
        parts: Mapping[str, list[str]],
        rights: Mapping[str, RightTerms],
    ) -> None:
        self.inputs = inputs
        self.outcomes = outcomes
        self.parts = parts  # each clause's norms, by clause id
        self.rights = rights  # the rights whose exercise acts on other norms, by key
        self.current = ""  # the norm being worked out
        # Who acted, and who the other side is, per fact id: asked of every fact by every
        # pattern, worked out once.
        self._actors: dict[str, str | None] = {}
        self._other_sides: dict[str, tuple[bool, str | None]] = {}
        # (pattern, party) -> the party's facts matching it, by their `match_on` values.
        self._pools: dict[tuple[int, str], dict[tuple[object, ...], list[Fact]]] = {}
        self.scope = Scope(
            values=inputs.values,
            party_of=inputs.parties.party_of,
            actor_of=self._actor_of,
            other_side_of=self._other_side_of,
            us=inputs.parties.us,
            counterparties=inputs.parties.counterparties,
            history=inputs.facts,
            history_by_type=_by_type(inputs.facts),
            calendar=inputs.calendar,
            agreement=inputs.agreement,
        )

    # --- shared ---------------------------------------------------------------------------------

    def outcome(self, cid: str, terms: NormTerms, norms: Mapping[str, NormTerms]) -> Outcome:
        self.current = cid
        outcome = Outcome(cid, terms)
        outcome.ending = self._ending(cid, terms, norms)
        outcome.starts, outcome.ends = self._applies(terms, outcome.ending)
        started = self._started(cid, norms)
        if started is not None:  # the new terms apply only from a right's exercise on
            outcome.starts = min(max(outcome.starts, started), outcome.ends)
        outcome.suspensions = self._suspensions(cid, norms)
        if isinstance(terms, ObligationTerms):
            self._obligation(outcome, terms)
        elif isinstance(terms, ProhibitionTerms):
            self._prohibition(outcome, terms)
        elif isinstance(terms, MeasureTerms):
            self._measure(outcome, terms)
        else:
            self._right(outcome, terms)
        # While suspended a norm judges nothing: a fact it could not read then is no error.
        outcome.undecided[:] = [u for u in outcome.undecided if not outcome.suspended(u.fact.at)]
        outcome.read = self._read(terms)
        return outcome

    def _read(self, terms: NormTerms) -> frozenset[str]:
        """Facts of the norm's types that are acts of the parties its patterns concern (before
        any test on their fields): none, while such facts exist, suggests a party mismatch."""
        bound = set(self._parties(bound_party_word(terms)))
        read: set[str] = set()
        for pattern in patterns_of(terms):
            parties = (
                set(self._parties(pattern.by))
                if pattern.by is not None
                else bound
                if pattern is not _trigger_of(terms)
                and pattern is not _notice_of(terms)
                and pattern is not _resume_of(terms)
                else set(self.inputs.parties.all)
            )
            read.update(
                fact.id
                for fact in self.scope.history_by_type.get(pattern.fact, ())
                if (ANYONE in parties or self.scope.actor_of(fact) in parties)
                and is_with(pattern, fact, self.scope)
            )
        return frozenset(read)

    def _applies(self, terms: NormTerms, ending: Ending | None) -> tuple[int, int]:
        term = self.inputs.term
        starts = term.start if terms.from_ is None else max(term.start, epoch_of_date(terms.from_))
        ends = term.end
        if isinstance(terms.until, date):
            # A last day ends the norm earlier, never later than the term (a tail after the
            # end is `after_end`): a termination ends a version of a kind as well.
            ends = min(term.end, epoch_of_date(terms.until + timedelta(days=1)))
        elif isinstance(terms.until, AfterEnd):
            if term.end >= NO_END:
                ends = NO_END
            else:
                last = terms.until.after_end.add_to_date(
                    date_of_epoch(term.end - 1), self.inputs.calendar
                )
                ends = epoch_of_date(last + timedelta(days=1))
        if ending is not None:
            ends = min(ends, ending.at)
        return starts, max(starts, ends)

    def _ending(self, cid: str, terms: NormTerms, norms: Mapping[str, NormTerms]) -> Ending | None:
        found: list[Ending] = []
        if terms.ends_when is not None:
            trigger = terms.ends_when.as_trigger()
            for event in self._events(trigger)[:1]:
                found.append(
                    Ending(
                        epoch_of_date(date_of_epoch(event.at) + timedelta(days=1)),
                        _cause(trigger, event),
                        event.evidence,
                    )
                )
        for other, other_terms in self.rights.items():
            if other_terms.effect is None:
                continue
            if not any(
                cid in referred(target, other, self.parts) for target in other_terms.effect.clauses
            ):
                continue
            right = self._done(other)
            for opening in right.openings:
                if opening.exercised is None:
                    continue
                last = date_of_epoch(opening.exercised.at)
                if other_terms.effect.after is not None:
                    last = other_terms.effect.after.add_to_date(last, self.inputs.calendar)
                found.append(
                    Ending(
                        epoch_of_date(last + timedelta(days=1)),
                        f"clause {other}'s right was exercised on "
                        f"{opening.exercised.day.isoformat()} ({opening.exercised.id})",
                        (opening.exercised,),
                    )
                )
        return min(found, key=lambda e: e.at, default=None)

    def _effects_on(
        self, cid: str, norms: Mapping[str, NormTerms], what: str
    ) -> list[tuple[str, Effect]]:
        """The rights (and their effects) whose effect names norm `cid` among its `what`
        (starts, suspends)."""
        return [
            (other, terms.effect)
            for other, terms in self.rights.items()
            if terms.effect is not None
            and any(
                cid in referred(target, other, self.parts)
                for target in getattr(terms.effect, what) or ()
            )
        ]

    def _effective_day(self, effect: Effect, exercised: Fact) -> date:
        """The last day before an exercise takes effect: its own day, or `after` later."""
        day = exercised.day
        if effect.after is not None:
            day = effect.after.add_to_date(day, self.inputs.calendar)
        return day

    def _started(self, cid: str, norms: Mapping[str, NormTerms]) -> int | None:
        """When a right's exercise makes norm `cid` apply (its `effect: {starts: [...]}`): from
        the day after the first exercise takes effect, the day a norm that the same exercise
        ends no longer applies. None: no right starts it; NO_END: none has been exercised."""
        rights = self._effects_on(cid, norms, "starts")
        if not rights:
            return None
        found = [NO_END]
        for other, effect in rights:
            found += [
                epoch_of_date(self._effective_day(effect, o.exercised) + timedelta(days=1))
                for o in self._done(other).openings
                if o.exercised is not None
            ]
        return min(found)

    def _suspensions(self, cid: str, norms: Mapping[str, NormTerms]) -> list[Suspension]:
        """The times rights' exercises suspend norm `cid` (`effect: {suspends: [...]}`): from the
        start of the day after the exercise takes effect, through the end of the day `for` after
        it or of the day of the first resuming fact at or after the exercise (`until`), whichever
        comes first. One whose resuming fact came before it started suspends nothing."""
        found: list[Suspension] = []
        for other, effect in self._effects_on(cid, norms, "suspends"):
            for opening in self._done(other).openings:
                exercise = opening.exercised
                if exercise is None:
                    continue
                day = self._effective_day(effect, exercise)
                starts = epoch_of_date(day + timedelta(days=1))
                ends, known = NO_END, False
                if effect.for_ is not None:
                    ends = due_after(epoch_of_date(day), effect.for_, self.inputs.calendar)
                    known = effect.until is None or ends < self.inputs.as_of
                resumed = None
                if effect.until is not None:
                    resuming = [
                        fact
                        for fact in self._facts(effect.until, self.inputs.parties.all, exercise)
                        if exercise.at <= fact.at <= self.inputs.as_of
                    ]
                    if resuming and end_of_date(resuming[0].day) <= ends:
                        resumed = resuming[0]
                        ends, known = end_of_date(resumed.day), True
                if ends < starts:
                    continue
                cause = (
                    f"clause {clause_of(other)}'s right was exercised on "
                    f"{exercise.day.isoformat()} ({exercise.id})"
                )
                found.append(Suspension(starts, ends, exercise, cause, resumed, known))
        return sorted(found, key=lambda s: (s.starts, s.exercise.at, s.exercise.id))

    def _parts(self, ref: str) -> list[str]:
        """The norms a reference of the norm being worked out names (see `referred`)."""
        return referred(ref, self.current, self.parts)

    def _done(self, cid: str) -> Outcome:
        outcome = self.outcomes[cid]
        assert isinstance(outcome, Outcome), "dependency_order puts what a norm needs before it"
        return outcome

    def _events(self, trigger: OnBreach | OnExercise | OnFulfilment) -> list[Event]:
        """The breaches (exercises, fulfilments) of another norm that make this trigger fire, in
        order."""
        if isinstance(trigger, OnFulfilment):
            parts = self._parts(trigger.fulfilment_of)
            fulfilled = [
                replace(event, source=part if len(parts) > 1 else "")
                for part in parts
                for event in self._done(part).fulfilments(self.inputs.as_of)
            ]
            return sorted(fulfilled, key=lambda event: event.at)
        if isinstance(trigger, OnExercise):
            exercises = [
                replace(event, source=part if len(self._parts(trigger.exercise_of)) > 1 else "")
                for part in self._parts(trigger.exercise_of)
                for event in self._done(part).exercises()
            ]
            return sorted(exercises, key=lambda event: event.at)
        as_of = self.inputs.as_of
        sources = [part for ref in trigger.sources for part in self._parts(ref)]
        # Each party's verdicts in time order (the first day of a period, an instance's trigger
        # or a forbidden fact), over every norm the trigger names (several clauses, or the
        # versions of one): "K in a row" counts one party's run, never another's in between.
        runs: dict[str, list[tuple[int, int, int, Event | None]]] = {}
        if trigger.material:  # each material breach, in time order (no runs)
            material = [
                replace(event, source=cid)
                for cid in sources
                for event in self._done(cid).material_breaches(as_of)
            ]
            return sorted(material, key=lambda event: (event.at, event.position))
        for index, cid in enumerate(sources):
            source = self._done(cid)
            places, parties = source.places(), source.parties()
            by_position = {e.position: replace(e, source=cid) for e in source.breaches(as_of)}
            decided = set(source.judged_positions(as_of)) | set(by_position)
            for p in decided:
                runs.setdefault(parties.get(p, ""), []).append(
                    (places[p], index, p, by_position.get(p))
                )
        fired: list[Event] = []
        for run in runs.values():
            sequence = [event for *_, event in sorted(run, key=lambda item: item[:3])]
            if trigger.needed == 1:
                fired += [event for event in sequence if event is not None]
            else:
                fired += _repeated(sequence, trigger)
        return sorted(fired, key=lambda event: (event.at, event.position))

    def _paired(self, pattern: Pattern, party: str, trigger: Fact | None) -> list[Fact]:
        """The party's facts matching `pattern` that share the `match_on` fields with `trigger`,
        sorted by (at, id): matched once per pattern and party, then looked up by those fields."""
        key = (id(pattern), party)
        groups = self._pools.get(key)
        if groups is None:
            groups = {}
            for fact in self._facts(pattern, (party,)):
                groups.setdefault(_key(fact, pattern.match_on), []).append(fact)
            self._pools[key] = groups
        if trigger is None or not pattern.match_on:
            found = [fact for group in groups.values() for fact in group]
            return found if len(groups) <= 1 else sorted(found, key=lambda f: (f.at, f.id))
        return groups.get(_key(trigger, pattern.match_on), [])

    def _actor_of(self, fact: Fact) -> str | None:
        if fact.id not in self._actors:
            self._actors[fact.id] = self.inputs.fact_parties.actor(fact, self.inputs.parties)
        return self._actors[fact.id]

    def _other_side_of(self, fact: Fact) -> tuple[bool, str | None]:
        if fact.id not in self._other_sides:
            found = self.inputs.fact_parties.other_side(fact, self.inputs.parties)
            self._other_sides[fact.id] = found
        return self._other_sides[fact.id]

    def _named_actor(self, fact: Fact) -> str:
        """Who acted, as the fact names them, when it is no party of the agreement."""
        field = self.inputs.fact_parties.fields_of(fact.type).actor
        value = None if field is None else fact.get(field)
        return str(value) if value not in (None, "") else "someone"

    def _parties(self, who: str) -> tuple[str, ...]:
        if who == ANYONE:
            return (ANYONE,)
        try:
            return self.inputs.parties.resolve(who)
        except ValueError as error:
            raise NormError(str(error)) from None

    def _facts(
        self,
        pattern: Pattern,
        parties: Sequence[str],
        trigger: Fact | None = None,
        undecided: list[Undecided] | None = None,
    ) -> list[Fact]:
        """Facts matching `pattern`, acts of one of `parties`, sorted by (at, id).

        A fact whose fields cannot be tested as the pattern asks fails the whole norm, unless
        `undecided` collects it: then it is reported on its own (a forbidden act, a trigger),
        and the others are judged."""
        wanted = set(self._parties(pattern.by)) if pattern.by is not None else set(parties)
        found = []
        for fact in self.scope.history_by_type.get(pattern.fact, ()):
            if ANYONE not in wanted and self.scope.actor_of(fact) not in wanted:
                continue
            try:
                if matches(pattern, fact, self.scope, trigger):
                    found.append(fact)
            except KeyError as missing:
                raise NormError(f"no value named {missing} in the agreement's 'values'") from None
            except Uncomparable as problem:
                if undecided is None:
                    raise NormError(str(problem)) from None
                undecided.append(Undecided(fact, str(problem)))
        return found

    def _number(self, fact: Fact, name: str) -> float:
        value = fact.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise NormError(f"fact {fact.id} ({fact.source}): {name} is {value!r}, not a number")
        return float(value)

    def _periods(self, unit: str, starts: int, ends: int) -> list[Period]:
        """The periods of `unit` from `starts`, up to `ends` but no further than a year past the
        horizon: nothing later can be reported, and an open-ended term has no last period."""
        if ends <= starts:
            return []
        beyond = max(self.inputs.horizon_end, self.inputs.as_of) + PERIODS_AHEAD
        last = min(ends, beyond)
        return periods_between(date_of_epoch(starts), date_of_epoch(max(starts, last - 1)), unit)

    # --- triggers -------------------------------------------------------------------------------

    def _instances(
        self,
        trigger: Trigger,
        starts: int,
        ends: int,
        parties: Sequence[str],
        undecided: list[Undecided] | None = None,
    ) -> list[tuple[str, int, tuple[Fact, ...], Period | None]]:
        """(subject, instant, evidence, period) of every instance the trigger creates within
        [starts, ends); `end` is the agreement's end itself."""
        term = self.inputs.term
        found: list[tuple[str, int, tuple[Fact, ...], Period | None]] = []
        if trigger == "start":
            found.append(("start", term.start, (), None))
        elif trigger == "end":
            # The last instant of the term: "within 30 days after the end" counts from its day;
            # none when the norm itself ended before the term did (or applies only after it).
            if term.end < NO_END and starts <= term.end - 1 < ends:
                found.append(("end", term.end - 1, (), None))
            return found
        elif isinstance(trigger, date):
            found.append((trigger.isoformat(), epoch_of_date(trigger), (), None))
        elif isinstance(trigger, EachPeriod):
            # Each period ends with its last day: "within 10 days after the end of March" counts
            # from 31 March and ends with 10 April.
            for period in self._periods(trigger.each, starts, ends):
                closes = end_of_date(period.end)
                if closes < ends:
                    found.append((period.label, closes, (), period))
        elif isinstance(trigger, EachAnniversary):
            found += [
                (day.isoformat(), opens, (), None)
                for day, opens, _ in self._anniversaries(trigger, ends)
            ]
        elif isinstance(trigger, OnBreach | OnExercise | OnFulfilment):
            name = (
                trigger.breach_of
                if isinstance(trigger, OnBreach)
                else trigger.exercise_of
                if isinstance(trigger, OnExercise)
                else trigger.fulfilment_of
            )
            events = self._events(trigger)
            # Named after the clause (`1:2026-Q3`), not a version's key (`1#2:2026-Q3`), unless
            # two versions give the same subject.
            shown = [f"{clause_of(e.source) if e.source else name}:{e.subject}" for e in events]
            if len(set(shown)) < len(shown):
                shown = [f"{e.source or name}:{e.subject}" for e in events]
            found += [(n, e.at, e.evidence, None) for n, e in zip(shown, events, strict=True)]
        else:
            unjudged: list[Undecided] = []
            found += [
                (f.id, f.at, self._with_earlier(trigger, f), None)
                for f in self._facts(trigger, self.inputs.parties.all, undecided=unjudged)
            ]
            if undecided is not None:
                undecided += [u for u in unjudged if starts <= u.fact.at < ends]
        return [item for item in found if starts <= item[1] < ends]

    def _with_earlier(self, trigger: Pattern, fact: Fact) -> tuple[Fact, ...]:
        """A trigger fact's evidence: the fact, after the earlier fact its `after` found (the
        bonus paid before the churn), which an amount may be read from."""
        if trigger.after is None or trigger.after.fact is None:
            return (fact,)
        earlier = earlier_fact(trigger.after, fact, self.scope)
        return (fact,) if earlier is None else (earlier, fact)

    def _anniversaries(
        self, trigger: EachAnniversary, ends: int
    ) -> list[tuple[date, int, int | None]]:
        """(anniversary, first instant, last instant when the trigger says) of the window before
        each anniversary of the agreement's start that opens before `ends` (and no further than a
        year past the horizon: an open-ended term has no last anniversary)."""
        first = date_of_epoch(self.inputs.term.start)
        beyond = max(self.inputs.horizon_end, self.inputs.as_of) + PERIODS_AHEAD
        found: list[tuple[date, int, int | None]] = []
        years = 1
        while True:
            anniversary = add_months(first, 12 * years)  # 29 February: 28 February
            opens, closes = trigger.window(anniversary, self.inputs.calendar)
            if epoch_of_date(opens) >= min(ends, beyond):
                return found
            last = None if closes is None else end_of_date(closes)
            found.append((anniversary, epoch_of_date(opens), last))
            years += 1

    # --- obligation -----------------------------------------------------------------------------

    def _obligation(self, outcome: Outcome, terms: ObligationTerms) -> None:
        bound = self._parties(terms.by)
        instances = self._instances(
            terms.when, outcome.starts, outcome.ends, bound, outcome.undecided
        )
        notices = self._notices(terms.cure)
        position = 0
        for subject, instant, evidence, period in instances:
            if outcome.suspended(instant):
                continue  # no duty arises while the norm is suspended
            trigger_fact = evidence[-1] if evidence else None
            due = _suspended_due(
                outcome.suspensions, instant, self._due(terms, instant, trigger_fact)
            )
            if due is None:
                continue  # pending in a suspension whose end is not known yet: no due date
            if instant > self.inputs.as_of and due > self.inputs.horizon_end:
                continue
            for party in bound:
                candidates = [
                    fact
                    for fact in self._paired(terms.do, party, trigger_fact)
                    if (
                        names_period(fact.get(terms.period_field), period.label)
                        if terms.period_field is not None and period is not None
                        else terms.early or fact.at >= instant
                    )
                ]
                named = terms.name or subject
                name = named if len(bound) == 1 else f"{named}/{party}"
                label = None if period is None else period.label
                duty = self._duty(
                    terms, name, party, instant, due, evidence, candidates, position, label
                )
                if duty.required is not None and duty.required <= 0 and duty.unknown is None:
                    continue  # nothing owed (a percentage of nothing): no instance
                duty = replace(duty, unknown=duty.unknown or self._unknown(terms, duty))
                if duty.unknown is not None:
                    outcome.duties.append(duty)  # neither a breach nor done: not told
                    position += 1
                    continue
                if terms.material_breach_after is not None:
                    material = due_after(due, terms.material_breach_after, self.inputs.calendar)
                    duty = replace(duty, material=material)
                if terms.cure is not None:
                    duty = replace(duty, cure=self._cure_path(terms.cure, duty, notices))
                outcome.duties.append(duty)
                position += 1

    def _feed_gap(self, fact_type: str, instant: int) -> str | None:
        """Why facts of `fact_type` up to `instant` may be missing tonight: their feed does not
        reach it (None when it does, or when no completeness is known). What rests on the
        absence of such facts then is `unknown`, never a breach (fail closed)."""
        completeness = self.inputs.completeness
        return None if completeness is None else completeness.gap(fact_type, instant)

    def _unexercised_gap(self, terms: RightTerms, closes: int) -> str | None:
        """Why a right closed with no exercise found cannot be called lapsed (None: it can, or it
        is still open)."""
        if terms.exercised_by is None or closes >= self.inputs.as_of:
            return None
        return self._feed_gap(terms.exercised_by.fact, closes)

    def _unknown(self, terms: ObligationTerms, duty: Duty) -> str | None:
        """Why a duty past due and not done by then cannot be called missed (None: it can)."""
        if duty.due >= self.inputs.as_of or (duty.done is not None and duty.done.at <= duty.due):
            return None
        return self._feed_gap(terms.do.fact, duty.due)

    def _notices(self, cure: ObligationCure | None) -> dict[tuple[object, ...], list[Fact]]:
        """The default notices of a cure path, known by the as-of instant, by their `match_on`
        values: acts of any party of the agreement unless the pattern says `by`."""
        groups: dict[tuple[object, ...], list[Fact]] = {}
        if cure is None:
            return groups
        for fact in self._facts(cure.notice, self.inputs.parties.all):
            if fact.at <= self.inputs.as_of:
                groups.setdefault(_key(fact, cure.notice.match_on), []).append(fact)
        return groups

    def _cure_path(
        self, cure: ObligationCure, duty: Duty, notices: Mapping[tuple[object, ...], list[Fact]]
    ) -> CurePath | None:
        """A breached instance's cure period: the first default notice after its due instant
        (one on or before it does not count: nothing was in default yet) starts it; it ends as
        a due date does after its trigger (`within`)."""
        if duty.done is not None and duty.done.at <= duty.due:
            return None
        trigger = duty.evidence[-1] if duty.evidence else None
        if cure.notice.match_on and trigger is None:
            return None
        key = _key(trigger, cure.notice.match_on) if trigger is not None else ()
        for notice in notices.get(key, ()):
            if notice.at > duty.due:
                return CurePath(notice, due_after(notice.at, cure.within, self.inputs.calendar))
        return None

    def _due(self, terms: ObligationTerms, instant: int, trigger: Fact | None) -> int:
        if terms.within is not None:
            return due_after(instant, terms.within, self.inputs.calendar)
        if isinstance(terms.due, date):
            return end_of_date(terms.due)
        assert isinstance(terms.due, FieldRef)
        assert trigger is not None
        day = as_day(trigger.get(terms.due.field))
        if day is None:
            raise NormError(
                f"fact {trigger.id} ({trigger.source}): {terms.due.field} is "
                f"{trigger.get(terms.due.field)!r}, not a date"
            )
        return end_of_date(day)

    def _duty(
        self,
        terms: ObligationTerms,
        subject: str,
        party: str,
        instant: int,
        due: int,
        evidence: tuple[Fact, ...],
        candidates: list[Fact],
        position: int,
        period: str | None = None,
    ) -> Duty:
        if terms.amount is None:
            first = candidates[0] if candidates else None
            return Duty(subject, party, instant, due, position, evidence, first)
        measure = terms.amount_measure()
        if measure is not None and period is not None:
            assert isinstance(terms.amount.at_least, Percent)
            required, missing = self._bound(terms.amount.at_least, period, party)
            if required is None:
                # The measure cannot tell the period's figure: neither owed nor breached.
                why = f"the amount cannot be worked out: {missing}"
                return Duty(subject, party, instant, due, position, evidence, unknown=why)
            required = round(required, 10)
        else:
            required = self._required(terms, evidence)
        paid = paid_by_due = 0.0
        done: Fact | None = None
        for fact in candidates:
            paid += self._number(fact, terms.amount.sum)
            if fact.at <= due:
                paid_by_due = paid
            if done is None and paid >= required - 1e-9:
                done = fact
        return Duty(
            subject, party, instant, due, position, evidence, done, required, paid_by_due, paid
        )

    def _required(self, terms: ObligationTerms, evidence: tuple[Fact, ...]) -> float:
        """The amount an instance owes; `evidence` is its trigger fact, after the earlier fact
        the trigger's `after` found (`_with_earlier`)."""
        assert terms.amount is not None
        trigger = evidence[-1] if evidence else None
        wanted = terms.amount.at_least
        if isinstance(wanted, float | int):
            return float(wanted)
        if isinstance(wanted, ValueRef):
            return self._value(wanted.value)
        if trigger is None:
            raise NormError("an amount taken from the trigger fact needs a trigger fact")
        if isinstance(wanted, FieldRef) and wanted.on == "after":
            if len(evidence) < 2:  # the trigger matched, so its earlier fact is there
                raise NormError(f"no earlier fact for {trigger.id}")
            return self._number(evidence[-2], wanted.field)
        if isinstance(wanted, FieldRef):
            return self._number(trigger, wanted.field)
        assert isinstance(wanted, Percent)
        return round(self._number(trigger, wanted.of) * wanted.percent / 100, 10)

    def _value(self, name: str) -> float:
        value = self.inputs.values.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise NormError(f"the agreement has no number named '{name}' in its 'values'")
        return float(value)

    # --- prohibition ----------------------------------------------------------------------------

    def _prohibition(self, outcome: Outcome, terms: ProhibitionTerms) -> None:
        bound = self._parties(terms.by)
        undecided: list[Undecided] = []
        facts = self._facts(terms.do, bound, undecided=undecided)
        outcome.undecided += [u for u in undecided if outcome.starts <= u.fact.at < outcome.ends]
        self._unreadable_compared(outcome, terms.do)
        inside = [
            f
            for f in facts
            if outcome.starts <= f.at < outcome.ends and not outcome.suspended(f.at)
        ]
        for position, fact in enumerate(inside):
            party = self.scope.actor_of(fact) or self._named_actor(fact)
            first = (
                earlier_fact(terms.do.after, fact, self.scope)
                if terms.do.after is not None and terms.do.after.fact is not None
                else None
            )
            evidence = (fact,) if first is None else (first, fact)
            then = (
                later_fact(terms.do.before, fact, self.scope)
                if terms.do.before is not None and terms.do.before.fact is not None
                else None
            )
            if then is not None:  # what came later, within its bounds, is evidence too
                evidence = (*evidence, then)
            # What its comparisons read (`of_latest`: the price in force then) is evidence too.
            evidence = (*compared_facts(terms.do, fact, self.scope), *evidence)
            outcome.forbidden.append(Forbidden(fact.id, party, fact, position, evidence))

    def _unreadable_compared(self, outcome: Outcome, pattern: Pattern) -> None:
        """Each fact in the norm's time that an `of_latest` comparison passes over because its
        field cannot be read is undecided (an error of its own), once."""
        try:
            found = unreadable_read(pattern, self.scope)
        except KeyError as missing:
            raise NormError(f"no value named {missing} in the agreement's 'values'") from None
        except Uncomparable as problem:
            raise NormError(str(problem)) from None
        known = {item.fact.id for item in outcome.undecided}
        for fact, why in found:
            if outcome.starts <= fact.at < outcome.ends and fact.id not in known:
                known.add(fact.id)
                outcome.undecided.append(Undecided(fact, why))

    # --- measure --------------------------------------------------------------------------------

    def _measure(self, outcome: Outcome, terms: MeasureTerms) -> None:
        bound = self._parties(terms.by)
        facts = self._facts(terms.of, bound)
        unreadable: list[Fact] = []
        if terms.unreadable != "fail" and terms.field is not None:
            readable = self._readable(outcome, terms.field, facts)
            kept = {fact.id for fact in readable}
            unreadable = [fact for fact in facts if fact.id not in kept]
            facts = readable
        position = 0
        for party in bound:
            own = [f for f in facts if self.scope.actor_of(f) == party]
            suffix = "" if len(bound) == 1 else f"/{party}"
            if isinstance(terms.per, Rolling):
                found = self._rolling(terms, terms.per, own, outcome, party, suffix, position)
            else:
                skipped = [f for f in unreadable if self.scope.actor_of(f) == party]
                found = self._calendar(
                    terms, terms.per, own, outcome, party, suffix, position, skipped
                )
            outcome.measured += found
            position += len(found)

    def _readable(self, outcome: Outcome, name: str, facts: list[Fact]) -> list[Fact]:
        """The facts whose field `name` is a number; each other one in the norm's time is an
        error of its own (never taken as compliant), and the measure goes on without it."""
        readable = []
        for fact in facts:
            try:
                self._number(fact, name)
            except NormError as problem:
                if outcome.starts <= fact.at < outcome.ends:
                    outcome.undecided.append(Undecided(fact, str(problem)))
                continue
            readable.append(fact)
        return readable

    def _aggregate(self, terms: MeasureTerms, facts: Sequence[Fact]) -> float | None:
        if terms.aggregate == "count":
            return float(len(facts))
        name = terms.field
        assert name is not None
        values = [self._number(fact, name) for fact in facts]
        if terms.aggregate == "sum":
            return math.fsum(values)
        if not values:
            return None
        if terms.aggregate == "average":
            return math.fsum(values) / len(values)
        if terms.aggregate == "min":
            return min(values)
        if terms.aggregate == "max":
            return max(values)
        return values[-1]  # latest: facts are sorted by (at, id)

    def _bound(self, bound: object, label: str, party: str) -> tuple[float | None, str | None]:
        if bound is None:
            return None, None
        if isinstance(bound, float | int):
            return float(bound), None
        if isinstance(bound, ValueRef):
            return self._value(bound.value), None
        assert isinstance(bound, Percent)
        reason: str | None = None  # why the measure cannot tell the period, if it says
        for part in self._parts(bound.of):
            for measured in self._done(part).measured:
                if measured.subject not in (label, f"{label}/{party}"):
                    continue
                if measured.value is not None:
                    return measured.value * bound.percent / 100, None
                reason = measured.unknown_reason or reason
        if reason is None:
            return None, f"clause {bound.of} has no value for {label}"
        return None, f"clause {bound.of} cannot tell {label}: {reason}"

    def _calendar(
        self,
        terms: MeasureTerms,
        unit: str,
        facts: list[Fact],
        outcome: Outcome,
        party: str,
        suffix: str,
        first_position: int,
        unreadable: Sequence[Fact] = (),
    ) -> list[Measured]:
        """Each period's value; with `unreadable: skip_period`, a period with an `unreadable`
        fact cannot be told: it is never compliant nor a breach, and it breaks a run."""
        as_of = self.inputs.as_of
        found: list[Measured] = []
        carried = 0.0

        def of_period(facts: Sequence[Fact], period: Period) -> list[Fact]:
            if terms.period_field is not None:
                return [f for f in facts if names_period(f.get(terms.period_field), period.label)]
            return [
                f
                for f in facts
                if period.start <= f.day <= period.end and outcome.starts <= f.at < outcome.ends
            ]

        periods = self._periods(unit, outcome.starts, outcome.ends)
        if terms.whole_periods:
            periods = [
                period
                for period in periods
                if outcome.starts <= epoch_of_date(period.start)
                and end_of_date(period.end) < outcome.ends
            ]
            # A fact of no period judged does not matter: not an error either.
            ignored = {f.id for f in unreadable if not any(of_period([f], p) for p in periods)}
            outcome.undecided[:] = [u for u in outcome.undecided if u.fact.id not in ignored]
        if terms.unreadable != "skip_period":
            unreadable = ()
        for index, period in enumerate(periods):
            if epoch_of_date(period.start) > max(as_of, self.inputs.horizon_end):
                break
            own = of_period(facts, period)
            skipped = of_period(unreadable, period)
            if terms.aggregate == "latest" and own:
                # Only the latest value counts: a fact a later readable one supersedes does not
                # leave the period undecided (it is still reported).
                skipped = [f for f in skipped if (f.at, f.id) > (own[-1].at, own[-1].id)]
            value = self._aggregate(terms, own)
            minimum, missing_low = self._bound(terms.at_least, period.label, party)
            maximum, missing_high = self._bound(terms.at_most, period.label, party)
            if skipped:
                value = None  # cannot be told, for a bound relative to it as well
                missing_low = ", ".join(
                    f"{f.id}'s {terms.field} is {f.get(terms.field or '')!r}, not a number"
                    for f in skipped
                )
                own = sorted([*own, *skipped], key=lambda f: (f.at, f.id))
            # The part of the period the norm applies in: a suspension after the norm ended
            # (or before it began) leaves the period judged.
            applies = (
                max(epoch_of_date(period.start), outcome.starts),
                min(end_of_date(period.end), outcome.ends - 1),
            )
            suspension = next((s for s in outcome.suspensions if s.overlaps(*applies)), None)
            if suspension is not None:
                # Not judged (neither compliant nor a breach): it breaks a run once it ended.
                value, skipped, carried = None, [], 0.0
                missing_low = f"the measure was suspended ({suspension.cause})"
            if minimum is not None and terms.carry_over:
                minimum += carried
            # A period the norm's end cuts (a termination mid-quarter) closes with the norm: it
            # is judged then, and nothing about it falls due after the end.
            closes = min(end_of_date(period.end), outcome.ends - 1)
            ended = closes < as_of
            decided = max([closes, *(f.at for f in own)])
            # A sum or count over its maximum is known at the fact that crossed it: while the
            # period is open too when periods come from the facts' time; a period named by a
            # field is judged once it has ended (a report for it may still come), and then the
            # breach is dated at the crossing fact all the same.
            crossed = (
                self._crossing(terms, own, maximum)
                if not skipped and suspension is None and (terms.period_field is None or ended)
                else None
            )
            gap = self._feed_gap(terms.of.fact, closes) if ended and crossed is None else None
            if gap is not None and suspension is None:
                # The period's total rests on facts its feed may not have delivered yet: it
                # cannot be told (neither compliant nor a breach), and it breaks a run.
                value, carried, missing_low = None, 0.0, gap
            judged = ended or crossed is not None
            if crossed is not None:  # known at the fact that crossed, whether or not it ended
                decided = crossed.at
            found.append(
                Measured(
                    period.label + suffix,
                    party,
                    period.start,
                    date_of_epoch(closes),
                    value,
                    minimum,
                    maximum,
                    carried if terms.carry_over else 0.0,
                    judged,
                    decided,
                    crossed,
                    tuple(own),
                    first_position + index,
                    missing_low or missing_high,
                    suspension is not None,
                )
            )
            shortfall = 0.0
            known = not skipped
            if ended and minimum is not None and value is not None and known and value < minimum:
                shortfall = minimum - value
            carried = shortfall
        return found

    def _crossing(
        self, terms: MeasureTerms, facts: Sequence[Fact], maximum: float | None
    ) -> Fact | None:
        """The fact that took a running sum or count over the maximum, if one did."""
        if maximum is None or terms.aggregate not in ("sum", "count"):
            return None
        running = 0.0
        for fact in facts:
            running += 1.0 if terms.aggregate == "count" else self._number(fact, terms.field or "")
            if running > maximum:
                return fact
        return None

    def _rolling(
        self,
        terms: MeasureTerms,
        per: Rolling,
        facts: list[Fact],
        outcome: Outcome,
        party: str,
        suffix: str,
        first_position: int,
    ) -> list[Measured]:
        found: list[Measured] = []
        # A fact while the norm is suspended is neither judged nor counted, as one outside its time.
        inside = [
            f
            for f in facts
            if outcome.starts <= f.at < outcome.ends and not outcome.suspended(f.at)
        ]
        for index, fact in enumerate(inside):
            opens = per.rolling.negated().add_to_date(fact.day, self.inputs.calendar)
            window = [f for f in inside[: index + 1] if f.day > opens]
            maximum, missing = self._bound(terms.at_most, fact.id, party)
            found.append(
                Measured(
                    fact.id + suffix,
                    party,
                    opens + timedelta(days=1),
                    fact.day,
                    self._aggregate(terms, window),
                    None,
                    maximum,
                    0.0,
                    True,
                    fact.at,
                    fact,
                    tuple(window),
                    first_position + index,
                    missing,
                )
            )
        return found

    # --- right ----------------------------------------------------------------------------------

    def _right(self, outcome: Outcome, terms: RightTerms) -> None:
        holder = self._parties(terms.holder)
        instances = self._instances(
            terms.arises, outcome.starts, outcome.ends, self.inputs.parties.all, outcome.undecided
        )
        # A window before each anniversary may say when it closes, whatever its length.
        closing: dict[str, int] = {}
        if isinstance(terms.arises, EachAnniversary):
            found = self._anniversaries(terms.arises, outcome.ends)
            closing = {day.isoformat(): last for day, _, last in found if last is not None}
        for subject, opens, evidence, _ in instances:
            if opens > self.inputs.horizon_end or outcome.suspended(opens):
                continue  # a right does not arise while suspended
            closes = outcome.ends - 1
            if terms.open_for is not None:
                closes = min(closes, due_after(opens, terms.open_for, self.inputs.calendar))
            if subject in closing:
                closes = min(closes, closing[subject])
                if closes < opens:  # closes before it opens (business days around holidays)
                    continue
            for party in holder:
                exercised = None
                if terms.exercised_by is not None:
                    paired = self._paired(
                        terms.exercised_by, party, evidence[-1] if evidence else None
                    )
                    used = [
                        f for f in paired if opens <= f.at <= closes and not outcome.suspended(f.at)
                    ]
                    exercised = used[0] if used else None
                name = subject if len(holder) == 1 else f"{subject}/{party}"
                unknown = self._unexercised_gap(terms, closes) if exercised is None else None
                outcome.openings.append(
                    Opening(name, party, opens, closes, evidence, exercised, unknown)
                )


def _suspended_due(suspensions: Sequence[Suspension], instant: int, due: int) -> int | None:
    """An instance's due instant, pushed back by the length of each time the norm is suspended
    (overlapping suspensions taken together) that starts while it is pending: after its
    trigger, by its (pushed back) due instant. None while such a time has no known end."""
    merged: list[tuple[int, int, bool]] = []
    for suspension in suspensions:  # in order of their starts
        if merged and suspension.starts <= merged[-1][1] + 1:
            starts, ends, known = merged[-1]
            merged[-1] = (starts, max(ends, suspension.ends), known and suspension.known)
        else:
            merged.append((suspension.starts, suspension.ends, suspension.known))
    for starts, ends, known in merged:
        if instant < starts <= due:
            if not known:
                return None
            due += ends - starts + 1
    return due


def _repeated(sequence: Sequence[Event | None], trigger: OnBreach) -> list[Event]:
    """The breaches that make an event of `trigger`, in a sequence of verdicts in order (None: an
    instance or period judged and not breached, which breaks a run)."""
    fired: list[Event] = []
    if trigger.in_a_row is not None:
        run = 0
        for index, event in enumerate(sequence):
            run = run + 1 if event is not None else 0
            if event is not None and run % trigger.needed == 0:
                counted = [e for e in sequence[index - trigger.needed + 1 : index + 1] if e]
                fired.append(_known_with(event, counted, trigger.needed))
        return fired
    for index, event in enumerate(sequence):
        if event is None:
            continue
        window = [e for e in sequence[max(0, index - trigger.window + 1) : index + 1] if e]
        if len(window) >= trigger.needed:
            fired.append(_known_with(event, window, trigger.needed))
    return fired


def _known_with(last: Event, counted: Sequence[Event], needed: int) -> Event:
    """The event `last` completes, dated when `needed` of the `counted` breaches (`last` among
    them) were all known: a late report of an earlier period completes the run when it comes."""
    others = sorted(event.at for event in counted if event is not last)
    known = max(last.at, others[needed - 2]) if needed > 1 and others else last.at
    return last if known == last.at else replace(last, at=known)


def _by_type(facts: Sequence[Fact]) -> dict[str, list[Fact]]:
    found: dict[str, list[Fact]] = {}
    for fact in facts:
        found.setdefault(fact.type, []).append(fact)
    return found


def _key(fact: Fact, names: Sequence[str]) -> tuple[object, ...]:
    """The values of `names` on a fact, usable as a key (a list value as a tuple)."""
    return tuple(
        tuple(value) if isinstance(value := fact.get(name), list) else value for name in names
    )


def _trigger_of(terms: NormTerms) -> Pattern | None:
    """The pattern that creates a norm's instances (any party's act may), if it is one."""
    trigger = terms.when if isinstance(terms, ObligationTerms) else getattr(terms, "arises", None)
    return trigger if isinstance(trigger, Pattern) else None


def _resume_of(terms: NormTerms) -> Pattern | None:
    """A suspending right's resuming fact (like a trigger, any party's act may be one)."""
    effect = terms.effect if isinstance(terms, RightTerms) else None
    return effect.until if effect is not None else None


def _notice_of(terms: NormTerms) -> Pattern | None:
    """An obligation's default notice (like a trigger, any party's act may be one)."""
    cure = terms.cure if isinstance(terms, ObligationTerms) else None
    return cure.notice if cure is not None else None


def names_period(value: object, label: str) -> bool:
    """Whether a field names the period `label` ("2026-Q2"; a year may be a number: 2026)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return False
    named = period_named(str(value))
    return named is not None and named.label == label


def _cause(trigger: OnBreach | OnExercise, event: Event) -> str:
    day = date_of_epoch(event.at).isoformat()
    if isinstance(trigger, OnExercise):
        return f"clause {trigger.exercise_of}'s right was exercised on {day}"
    if trigger.in_a_row is not None:
        return f"clause {trigger.breach_of} was breached {trigger.in_a_row} times in a row (the last on {day}, {event.subject})"
    if trigger.count is not None:
        return (
            f"clause {trigger.breach_of} was breached {trigger.count} times in {trigger.in_last} "
            f"(the last on {day}, {event.subject})"
        )
    return f"clause {trigger.breach_of} was breached on {day} ({event.subject})"
