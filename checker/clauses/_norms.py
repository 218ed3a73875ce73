"""What the four norm kinds share as clauses: one base class (`NormClause`) that reads, works
out, compiles, describes and explains a norm written directly, with the dates it implies (when
it applies, the due dates and period ends near the as-of date)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from checker.clauses.base import (
    Clause,
    ClauseVersion,
    ExplainContext,
    ExplainedDate,
    Explanation,
    numbered,
    periods_around,
)
from checker.dates.timeutil import SECONDS_PER_DAY, end_of_date, epoch_of_date
from checker.norms.clause_support import NormPart, routing_patterns, sentence
from checker.norms.compile import NORM_WORDING, Wording
from checker.norms.context import AgreementTerm
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import (
    AfterEnd,
    EachPeriod,
    MeasureTerms,
    NormTerms,
    ObligationTerms,
    Rolling,
    is_norm,
)
from checker.norms.outcomes import NO_END, due_after
from checker.norms.pattern import Pattern


def explain_norm(terms: NormTerms, context: ExplainContext) -> list[ExplainedDate]:
    """The dates a norm implies: when it applies, and the due dates or period ends around the
    as-of date (dates that start from an event are rules, given in the sentences)."""
    term = context.term
    starts = term.start if terms.from_ is None else max(term.start, epoch_of_date(terms.from_))
    dates = [ExplainedDate(starts, "applies from this day")]
    ends = _ends(terms, context)
    if ends < NO_END:
        dates.append(ExplainedDate(ends - 1, "applies until the end of this day"))
    if isinstance(terms, ObligationTerms):
        dates += _obligation_dates(terms, context, starts, ends)
    elif isinstance(terms, MeasureTerms) and not isinstance(terms.per, Rolling):
        for period in periods_around(_near(context), terms.per, context.as_of):
            first, last = epoch_of_date(period.start), end_of_date(period.end)
            # As a run judges them: every period the norm's time overlaps (a first or last
            # period cut by it too), or with `whole_periods` only those wholly inside it.
            inside = starts <= first and last < ends
            if inside if terms.whole_periods else first < ends and last >= starts:
                dates.append(
                    ExplainedDate(end_of_date(period.end), f"{period.label} ends and is judged")
                )
    return dates


def rules_of(terms: NormTerms, context: ExplainContext) -> list[str]:
    """Sentences for dates that start from an event."""
    if isinstance(terms, ObligationTerms) and isinstance(terms.when, Pattern):
        if terms.within is not None:
            return [
                f"Each {terms.when.fact} starts the clock: due {context.duration(terms.within)} "
                "after it (days count whole days, the last one in full; hours are exact)."
            ]
        return [f"Each {terms.when.fact} is due on the date in its {terms.due}."]
    return []


def _near(context: ExplainContext) -> AgreementTerm:
    """The term, cut a year after the horizon: an open-ended term has no last period."""
    term = context.term
    cut = context.horizon_end + 366 * SECONDS_PER_DAY
    return (
        term
        if term.end <= cut
        else AgreementTerm(term.start, max(term.start, cut), term.end_reason)
    )


def _ends(terms: NormTerms, context: ExplainContext) -> int:
    term = context.term
    if isinstance(terms.until, date):
        return min(term.end, epoch_of_date(terms.until + timedelta(days=1)))
    if isinstance(terms.until, AfterEnd) and term.end < NO_END:
        last = terms.until.after_end.add_to_date(term.last_day, context.calendar)
        return epoch_of_date(last + timedelta(days=1))
    if isinstance(terms.until, AfterEnd):
        return NO_END
    return term.end


def _obligation_dates(
    terms: ObligationTerms, context: ExplainContext, starts: int, ends: int
) -> list[ExplainedDate]:
    found: list[ExplainedDate] = []
    when = terms.when
    instants: list[tuple[int, str]] = []
    if isinstance(when, EachPeriod):
        for period in periods_around(_near(context), when.each, context.as_of):
            closes = end_of_date(period.end)
            if starts <= closes < ends:
                instants.append((closes, period.label))
    elif when == "start":
        instants.append((context.term.start, "the start"))
    elif when == "end" and context.term.end < NO_END:
        instants.append((context.term.end - 1, "the end of the agreement"))
    elif isinstance(when, date):
        instants.append((epoch_of_date(when), when.isoformat()))
    for instant, label in instants:
        if terms.within is not None:
            due = due_after(instant, terms.within, context.calendar)
        elif isinstance(terms.due, date):
            due = end_of_date(terms.due)
        else:
            continue
        found.append(ExplainedDate(due, f"due for {label}"))
        if terms.material_breach_after is not None:
            material = due_after(due, terms.material_breach_after, context.calendar)
            found.append(
                ExplainedDate(material, f"material breach for {label} if not done by this day")
            )
    return found


class NormClause(Clause):
    """A clause written as a norm: each of the four norm kinds is this and its norm's terms."""

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        assert is_norm(self)
        return routing_patterns(self)

    def norms(self) -> list[NormPart]:
        """The norm; amended, one norm per version, each applying while its version does
        (`<id>`, `<id>#2`...: another norm's reference to the clause covers them all)."""
        assert is_norm(self)
        if not self.amended:
            return [NormPart(self.id, self)]
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert is_norm(terms)
            made.append((_while_in_force(terms, version), NORM_WORDING))
        return numbered(self.id, made)

    def describe(self) -> str:
        assert is_norm(self)
        return sentence(self)

    def explain(self, context: ExplainContext) -> Explanation:
        assert is_norm(self)
        said = Explanation((sentence(self, context.parties), *rules_of(self, context)))
        amendments = self.explain_terms(context)  # its first sentence is the one above
        # Each version's dates as it applies (an amendment's version from its effective day).
        implied = [d for part in self.norms() for d in explain_norm(part.terms, context)]
        return said.plus(amendments.sentences[1:], (*amendments.dates, *implied))


def _while_in_force(terms: NormTerms, version: ClauseVersion) -> NormTerms:
    """A version of an amended norm, applying from its first day to the day before the next
    version (the last version keeps the norm's own end, a tail after the term included)."""
    update: dict[str, object] = {}
    if version.starts is not None and (terms.from_ is None or terms.from_ < version.starts):
        update["from_"] = version.starts
    if version.ends is not None:
        last = version.ends - timedelta(days=1)
        if not isinstance(terms.until, date) or terms.until > last:
            update["until"] = last
    return terms.model_copy(update=update) if update else terms
