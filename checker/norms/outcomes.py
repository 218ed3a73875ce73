"""What working out a norm comes to, as plain data: its instances (duties, forbidden facts,
measured periods, a right's windows), its end and suspensions, the breaches and exercises other
norms react to, and what working out needs (`NormInputs`). The worker that fills them is
`checker.norms.instances`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from checker.dates.timeutil import (
    SECONDS_PER_DAY,
    BusinessDays,
    Duration,
    date_of_epoch,
    end_of_date,
    epoch_of_date,
)
from checker.facts.completeness import Completeness
from checker.facts.model import Fact
from checker.norms.context import AgreementTerm
from checker.norms.model import NormTerms
from checker.norms.parties import FactParties, Parties

# Far enough to stand for "no end" (an open-ended agreement) and still be a date.
NO_END = epoch_of_date(date(9999, 12, 31))
# Periods are worked out up to this long after the horizon (a year and then some: a period
# ending within the horizon is always among them).
PERIODS_AHEAD = 400 * SECONDS_PER_DAY


class NormError(ValueError):
    """A norm that could not be worked out (a missing figure, a bad field): an `error` finding."""


@dataclass(frozen=True, slots=True)
class Event:
    """A breach or an exercise other norms react to: when it arose, what it is about, and its
    place in its norm's sequence of periods or instances (for "in a row")."""

    at: int
    subject: str
    position: int
    evidence: tuple[Fact, ...] = ()
    source: str = ""  # the clause it is a breach or exercise of


@dataclass(frozen=True, slots=True)
class CurePath:
    """The cure period of a breached instance: the default notice that started it and the last
    instant it can be cured on (inclusive)."""

    notice: Fact
    ends: int


@dataclass(frozen=True, slots=True)
class Duty:
    """One instance of an obligation."""

    subject: str
    party: str
    triggered_at: int
    due: int  # inclusive: the last instant it can be done on time
    position: int
    evidence: tuple[Fact, ...]  # what created it
    done: Fact | None = None  # the fact that fulfilled it (completed the amount), if any
    required: float | None = None  # the amount, for a payment
    paid_by_due: float = 0.0
    paid: float = 0.0  # up to the as-of instant
    material: int | None = None  # the last instant before it is a material breach, if it can be
    cure: CurePath | None = None  # the cure period a default notice started, once breached
    # Why it cannot be told whether it was done in time: the feed of the fulfilling facts does
    # not reach the due instant tonight (checker.facts.completeness). Never a breach then.
    unknown: str | None = None

    def breached(self, as_of: int) -> bool:
        if self.unknown is not None:
            return False
        return self.due < as_of and (self.done is None or self.done.at > self.due)


@dataclass(frozen=True, slots=True)
class Forbidden:
    """A fact a prohibition forbids."""

    subject: str
    party: str
    fact: Fact
    position: int
    evidence: tuple[Fact, ...] = ()  # what came first, when the pattern asks for it, and the fact


@dataclass(frozen=True, slots=True)
class Measured:
    """A measure's value for one period (or one rolling window ending with a fact)."""

    subject: str  # the period's label (or the fact id of a rolling window)
    party: str
    first_day: date
    last_day: date
    value: float | None  # None: no facts to take an average, minimum, maximum or latest of
    minimum: float | None
    maximum: float | None
    carried: float  # shortfall carried in from the previous period
    judged: bool  # the period has ended (or an "at most" bound was crossed inside it)
    decided_at: int  # when the verdict became known
    crossed: Fact | None  # the fact that took a sum or count over an "at most" bound
    facts: tuple[Fact, ...]
    position: int
    unknown_reason: str | None = None  # a bound that has no value (another measure's)
    suspended: bool = False  # a right's exercise suspended the measure in the period: not judged

    @property
    def below(self) -> bool:
        return self.value is not None and self.minimum is not None and self.value < self.minimum

    @property
    def above(self) -> bool:
        return self.value is not None and self.maximum is not None and self.value > self.maximum

    def breached(self, as_of: int) -> bool:
        if self.unknown_reason is not None:  # cannot be told: never a breach
            return False
        return self.judged and self.decided_at <= as_of and (self.below or self.above)


@dataclass(frozen=True, slots=True)
class Opening:
    """One window of a right: arose, open until, exercised."""

    subject: str
    party: str
    opens: int
    closes: int  # inclusive
    evidence: tuple[Fact, ...]
    exercised: Fact | None = None
    # Closed with no exercise found, but the exercising facts' feed does not reach its close:
    # why whether it was exercised cannot be told (None: it can).
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class Undecided:
    """A fact a norm could not judge (a field it tests holds something it cannot compare)."""

    fact: Fact
    reason: str


@dataclass(frozen=True, slots=True)
class Ending:
    """A norm that stopped applying: from `at` (the first instant it no longer applies)."""

    at: int
    cause: str
    evidence: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class Suspension:
    """A time a right's exercise suspended a norm: from `starts` through `ends` (inclusive), or
    on without a known end while a resuming fact may still end it (`ends` is then the latest it
    can end, or NO_END)."""

    starts: int
    ends: int
    exercise: Fact
    cause: str
    resumed: Fact | None = None  # the fact that ended it, if one did
    known: bool = True  # whether its end is known on the as-of instant

    def holds(self, instant: int) -> bool:
        return self.starts <= instant <= self.ends

    def overlaps(self, first: int, last: int) -> bool:
        """Whether it holds at some instant of [first, last]."""
        return self.starts <= last and first <= self.ends


@dataclass(slots=True)
class Outcome:
    """What one norm comes to on the as-of instant."""

    clause_id: str
    terms: NormTerms
    starts: int = 0
    ends: int = 0
    duties: list[Duty] = field(default_factory=list)
    forbidden: list[Forbidden] = field(default_factory=list)
    measured: list[Measured] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    ending: Ending | None = None
    suspensions: list[Suspension] = field(default_factory=list)  # in order of their starts
    read: frozenset[str] = frozenset()  # ids of the facts it read (see _read)
    undecided: list[Undecided] = field(default_factory=list)  # facts it could not judge

    def suspended(self, instant: int) -> bool:
        """Whether a right's exercise suspended the norm at `instant`."""
        return any(s.holds(instant) for s in self.suspensions)

    def breaches(self, as_of: int) -> list[Event]:
        """Breaches that arose by the as-of instant, in order."""
        found = [
            Event(d.due, d.subject, d.position, d.evidence)
            for d in self.duties
            if d.breached(as_of)
        ]
        found += [Event(f.fact.at, f.subject, f.position, (f.fact,)) for f in self.forbidden]
        found += [
            Event(m.decided_at, m.subject, m.position, m.facts[-1:])
            for m in self.measured
            if m.breached(as_of)
        ]
        return sorted(found, key=lambda e: (e.at, e.position))

    def material_breaches(self, as_of: int) -> list[Event]:
        """Material breaches that arose by the as-of instant: instances still not done at the
        end of their `material_breach_after` grace, each dated then, in order."""
        found = [
            Event(d.material, d.subject, d.position, d.evidence)
            for d in self.duties
            if d.material is not None
            and d.unknown is None
            and d.material < as_of
            and (d.done is None or d.done.at > d.material)
        ]
        return sorted(found, key=lambda e: (e.at, e.position))

    def judged_positions(self, as_of: int) -> list[int]:
        """Positions whose verdict is known: for "in a row", a position not breached breaks a run."""
        if self.measured:
            return [m.position for m in self.measured if m.judged and m.decided_at <= as_of]
        if self.duties:
            return [d.position for d in self.duties if d.due < as_of]
        return [f.position for f in self.forbidden]

    def places(self) -> dict[int, int]:
        """Each position's place in time, to merge the verdicts of several norms: a period's
        first day, an instance's trigger, a forbidden fact."""
        found = {m.position: epoch_of_date(m.first_day) for m in self.measured}
        found.update((d.position, d.triggered_at) for d in self.duties)
        found.update((f.position, f.fact.at) for f in self.forbidden)
        return found

    def parties(self) -> dict[int, str]:
        """Each position's party: "K breaches in a row" counts each party's own run."""
        found = {m.position: m.party for m in self.measured}
        found.update((d.position, d.party) for d in self.duties)
        found.update((f.position, f.party) for f in self.forbidden)
        return found

    def fulfilments(self, as_of: int) -> list[Event]:
        """The obligation's instances fulfilled by the as-of instant (on time or late), in order:
        each when it both existed and had its fulfilling fact (a report handed in before its
        period ended is a fulfilment when the period's duty arises)."""
        found = [
            Event(max(d.done.at, d.triggered_at), d.subject, d.position, (d.done,))
            for d in self.duties
            if d.done is not None and max(d.done.at, d.triggered_at) <= as_of
        ]
        return sorted(found, key=lambda e: (e.at, e.position))

    def exercises(self) -> list[Event]:
        return [
            Event(o.exercised.at, o.subject, index, (o.exercised,))
            for index, o in enumerate(self.openings)
            if o.exercised is not None
        ]


@dataclass(frozen=True, slots=True)
class NormInputs:
    """What working out an agreement's norms needs besides the norms."""

    parties: Parties
    fact_parties: FactParties
    values: Mapping[str, float | int | str]
    term: AgreementTerm
    as_of: int
    horizon_end: int
    facts: Sequence[Fact]  # every fact routed to the agreement, sorted by (at, id)
    calendar: BusinessDays | None = None
    agreement: str = ""  # the agreement's id, for patterns testing that a fact names it
    completeness: Completeness | None = None  # how far each feed reaches (None: all complete)


def due_after(instant: int, duration: Duration, calendar: BusinessDays | None) -> int:
    """The last instant of "within `duration` after `instant`": hours exact, otherwise the end of
    the last day counted (so "within 60 days" keeps its 60th day in full)."""
    if duration.unit == "hours":
        return instant + duration.amount * 3600
    return end_of_date(duration.add_to_date(date_of_epoch(instant), calendar))
