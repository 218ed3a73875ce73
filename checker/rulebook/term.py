"""When an agreement is in force: fixed expiry (moved later by an option to extend), automatic
renewal with non-renewal notice, open-ended, or an earlier end set by a termination clause; and
the term clause that reports deadlines about it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from checker.clauses.base import Clause
from checker.dates.timeutil import Duration, date_of_epoch, end_of_date, epoch_of_date
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind
from checker.norms.blocks import Obligation, obligations
from checker.norms.clause_support import NormPart, in_force_only
from checker.norms.context import AgreementTerm, ClauseContext, Extension
from checker.norms.dependencies import all_refs, clause_parts, referred, rights_with_effects
from checker.norms.fact_pattern import FactPattern
from checker.norms.instances import first_termination, work_out
from checker.norms.model import NormTerms, RightTerms
from checker.norms.outcomes import NO_END, NormError, NormInputs, Outcome
from checker.norms.parties import FactParties
from checker.rulebook.agreement import Agreement

# Renewals are followed at most this many times (a 1-day renewal over a century stays bounded).
MAX_RENEWALS = 1_000
# An open-ended agreement runs until terminated: its term ends, for arithmetic, at NO_END.
OPEN_ENDED_LAST_DAY = date_of_epoch(NO_END) - timedelta(days=1)


class TermClause(Clause):
    """The agreement's own term, checked like a clause: its end and its non-renewal notice date.

    Built by `agreement_term` for each evaluation (never written in a rule file); it reports,
    through the engine, deadlines for the last day to stop a renewal and for expiry.
    """

    finding_codes = (
        FindingCode(
            "term.non_renewal_notice_due",
            FindingKind.DEADLINE,
            "The last day to give notice of non-renewal falls within the horizon; without notice"
            " the agreement renews.",
        ),
        FindingCode(
            "term.expires",
            FindingKind.DEADLINE,
            "The agreement expires within the horizon.",
        ),
    )

    kind: Literal["term"] = "term"
    id: str = "term"
    title: str = "Term and renewal"
    expires_on: date | None = None  # last day, when the term ends by expiry
    non_renewal_notice_by: date | None = None  # last day to give notice of non-renewal
    renews_after: date | None = None  # last day of the current period, for the message

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        return []

    def compile(self, context: ClauseContext) -> None:
        deadlines: list[Obligation] = []
        if self.non_renewal_notice_by is not None:
            deadlines.append(
                Obligation(
                    subject=self.non_renewal_notice_by.isoformat(),
                    what="notice of non-renewal",
                    due_by=end_of_date(self.non_renewal_notice_by),
                    evidence=(),
                    done=None,
                    missed=None,
                    due_soon_code="term.non_renewal_notice_due",
                    due_soon_text=(
                        f"last day to give notice of non-renewal is {self.non_renewal_notice_by};"
                        f" otherwise the agreement renews after {self.renews_after}"
                    ),
                )
            )
        if self.expires_on is not None:
            deadlines.append(
                Obligation(
                    subject=self.expires_on.isoformat(),
                    what="expiry",
                    due_by=end_of_date(self.expires_on),
                    evidence=(),
                    done=None,
                    missed=None,
                    due_soon_code="term.expires",
                    due_soon_text=f"the agreement expires at the end of {self.expires_on}",
                )
            )
        obligations(context, deadlines, "term")


def agreement_term(
    agreement: Agreement,
    contexts: Sequence[ClauseContext],
    facts: Sequence[Fact],
    as_of: int,
    fact_parties: FactParties | None = None,
) -> tuple[AgreementTerm, TermClause]:
    """The agreement's term as of `as_of`, and the clause that reports deadlines about its end:
    as written (expiry, renewals), unless a clause ends it earlier (a kind's `ends_agreement`, or
    the first exercise of a clause's right whose effect ends the agreement)."""
    start = epoch_of_date(agreement.effective)
    notice_deadline = renews_after = None
    expires, open_ended = agreement.final_term  # as the amendments leave it
    if open_ended:
        last_day, reason = OPEN_ENDED_LAST_DAY, "open-ended"
    elif expires is not None:
        last_day, reason = expires, "expiry"
    else:
        last_day, reason, notice_deadline, renews_after = _renewing_end(
            agreement, facts, as_of, fact_parties
        )
    end = epoch_of_date(last_day + timedelta(days=1))
    for context in contexts:
        # A termination clause sees the term as it stands without terminations, so a notice
        # from before the effective date (or after the end) cannot end the agreement.
        context.term = AgreementTerm(start, max(start, end), reason)
    extended: Extension | None = None
    if reason == "expiry":
        # An option to extend, exercised within the term as written, moves its last day.
        extension = _extension(agreement, contexts, facts, as_of, fact_parties)
        if extension is not None:
            clause_id, by, exercise = extension
            extended = Extension(clause_id, exercise, last_day)
            last_day = by.add_to_date(last_day, agreement.business_calendar)
            end = epoch_of_date(last_day + timedelta(days=1))
            for context in contexts:
                context.term = AgreementTerm(start, max(start, end), reason, extended)
    ended_by_norms = _terminations(agreement, contexts, facts, as_of, fact_parties)
    for context in contexts:
        termination = context.clause.ends_agreement(context)
        by_norms = ended_by_norms.get(context.clause.id)
        if by_norms is not None and (termination is None or by_norms < termination):
            termination = by_norms
        if termination is not None and termination < end:
            end = termination
            reason = f"termination under clause {context.clause.id}"
    clause = TermClause(
        expires_on=last_day if reason in ("expiry", "non-renewal") else None,
        non_renewal_notice_by=notice_deadline,
        renews_after=renews_after,
    )
    return AgreementTerm(start, max(start, end), reason, extended), clause


def _terminations(
    agreement: Agreement,
    contexts: Sequence[ClauseContext],
    facts: Sequence[Fact],
    as_of: int,
    fact_parties: FactParties | None,
) -> dict[str, int]:
    """By clause id, the instant the clause's rights end the agreement: its first exercise of a
    right whose effect is `ends: agreement`, plus the notice period."""
    ends: dict[str, int] = {}
    calendar = contexts[0].calendar if contexts else None
    worked = _rights_worked_out(agreement, contexts, facts, as_of, fact_parties, _ends_agreement)
    for clause_id, outcomes in worked.items():
        termination = first_termination(outcomes, calendar)
        if termination is not None:
            ends[clause_id] = termination[1]
    return ends


def _extension(
    agreement: Agreement,
    contexts: Sequence[ClauseContext],
    facts: Sequence[Fact],
    as_of: int,
    fact_parties: FactParties | None,
) -> tuple[str, Duration, Fact] | None:
    """The first exercise of a right whose effect extends the agreement's fixed term: the clause,
    how much longer the term runs and the exercising fact (None: no such exercise)."""
    worked = _rights_worked_out(agreement, contexts, facts, as_of, fact_parties, _extends)
    found: list[tuple[Fact, str, Duration]] = []
    for clause_id, outcomes in worked.items():
        for outcome in outcomes:
            assert isinstance(outcome.terms, RightTerms)
            assert outcome.terms.effect is not None
            by = outcome.terms.effect.by
            assert by is not None
            found += [(o.exercised, clause_id, by) for o in outcome.openings if o.exercised]
    if not found:
        return None
    exercise, clause_id, by = min(found, key=lambda item: (item[0].at, item[0].id))
    return clause_id, by, exercise


def _rights_worked_out(
    agreement: Agreement,
    contexts: Sequence[ClauseContext],
    facts: Sequence[Fact],
    as_of: int,
    fact_parties: FactParties | None,
    wanted: Callable[[NormTerms], bool],
) -> dict[str, list[Outcome]]:
    """By clause id, the outcomes of its rights `wanted` picks, worked out on the term as the
    contexts have it by now (each context's term), so an exercise before the start or after the
    end counts for nothing. A right that cannot be worked out counts for nothing here; its
    clause reports the error when the norms are worked out again on the final term (fail
    closed, never "compliant")."""
    parts: list[tuple[str, list[NormPart]]] = []
    for context in contexts:
        try:
            found = context.clause.norms()
        except (ValueError, TypeError, KeyError):
            continue  # reported as the clause's error when its norms are worked out
        if found:
            parts.append((context.clause.id, found))
    if not any(wanted(part.terms) for _, found in parts for part in found):
        return {}
    first = contexts[0]
    inputs = NormInputs(
        parties=agreement.resolved_parties,
        fact_parties=fact_parties or FactParties(),
        values=agreement.values,
        term=first.term,
        as_of=as_of,
        horizon_end=as_of,  # a right arising later has no exercise among the facts
        facts=facts,
        calendar=first.calendar,
        agreement=agreement.agreement,
    )
    in_force = {context.clause.id: context.clause.in_force for context in contexts}
    norms = {
        part.key: in_force_only(part.terms, in_force[clause_id])
        for clause_id, found in parts
        for part in found
    }
    outcomes = work_out(_needed(norms, wanted), inputs)
    worked: dict[str, list[Outcome]] = {}
    for clause_id, found in parts:
        picked = [outcomes[part.key] for part in found if wanted(part.terms)]
        if not picked or any(isinstance(outcome, NormError) for outcome in picked):
            continue
        worked[clause_id] = [outcome for outcome in picked if isinstance(outcome, Outcome)]
    return worked


def _needed(
    norms: dict[str, NormTerms], wanted: Callable[[NormTerms], bool]
) -> dict[str, NormTerms]:
    """The norms `wanted` picks (rights that end or extend the agreement) and those they depend
    on (what makes them arise, a right that ends them): only these are worked out for the term."""
    parts = clause_parts(norms)
    rights = rights_with_effects(norms)
    todo = [key for key, terms in norms.items() if wanted(terms)]
    needed: set[str] = set()
    while todo:
        key = todo.pop()
        if key in needed or key not in norms:
            continue  # an unknown reference: work_out reports it
        needed.add(key)
        # A reference to a clause names all its norms (an amended clause's versions too).
        todo += all_refs(key, norms, parts, rights)
        # The norms a right's effect acts on are part of working it out (one it starts, say).
        terms = norms[key]
        if isinstance(terms, RightTerms) and terms.effect is not None:
            todo += [p for target in terms.effect.targets for p in referred(target, key, parts)]
    return {key: terms for key, terms in norms.items() if key in needed}


def _ends_agreement(terms: NormTerms) -> bool:
    return (
        isinstance(terms, RightTerms) and terms.effect is not None and terms.effect.ends_agreement
    )


def _extends(terms: NormTerms) -> bool:
    return (
        isinstance(terms, RightTerms)
        and terms.effect is not None
        and terms.effect.extends_agreement
    )


@dataclass(frozen=True, slots=True)
class TermPeriod:
    """One period of a renewing agreement: the initial term or a renewal."""

    first: date
    last: date
    notice_by: date | None  # the last day to give notice that stops the renewal after it


def term_periods(agreement: Agreement) -> Iterator[TermPeriod]:
    """The initial term and each renewal, as written (no notices), at most MAX_RENEWALS."""
    term = agreement.term
    assert term is not None
    calendar = agreement.business_calendar
    first = agreement.effective
    last = term.initial.add_to_date(first, calendar) - timedelta(days=1)
    for _ in range(MAX_RENEWALS):
        notice_by = None
        if term.renews_for is not None and term.non_renewal_notice is not None:
            notice_by = term.non_renewal_notice.negated().add_to_date(last, calendar)
        yield TermPeriod(first, last, notice_by)
        if term.renews_for is None:
            return
        first = last + timedelta(days=1)
        last = term.renews_for.add_to_date(first, calendar) - timedelta(days=1)


def _renewing_end(
    agreement: Agreement,
    facts: Sequence[Fact],
    as_of: int,
    fact_parties: FactParties | None = None,
) -> tuple[date, str, date | None, date | None]:
    """(last day of the term as known on `as_of`, why it ends, last day for non-renewal notice
    or None, the last day of the current period while that notice can still stop a renewal).

    The agreement renews unless a notice stops it: with no notice given by the as-of date, it
    runs through the next period (a renewal is never reported as an expiry); once a notice is
    given in time, it ends with its period ("non-renewal"). A notice is any party's: ours, or a
    partner's under any of its ids."""
    term = agreement.term
    assert term is not None
    parties, reader = agreement.resolved_parties, fact_parties or FactParties()
    notices = [
        f.at
        for f in facts
        if term.notice.matches(f) and f.at < as_of and reader.actor(f, parties) is not None
    ]
    last = agreement.effective
    for period in term_periods(agreement):
        last = period.last
        if term.renews_for is None:
            return period.last, "expiry", None, None
        stop_by = end_of_date(period.notice_by or period.last)
        if any(epoch_of_date(period.first) <= at <= stop_by for at in notices):
            return period.last, "non-renewal", None, None
        renewal_starts = period.last + timedelta(days=1)
        if epoch_of_date(renewal_starts) > as_of:  # the current period: it renews, unless...
            renewed = term.renews_for.add_to_date(renewal_starts, agreement.business_calendar)
            if period.notice_by is not None and end_of_date(period.notice_by) >= as_of:
                return renewed - timedelta(days=1), "renewal", period.notice_by, period.last
            return renewed - timedelta(days=1), "renewal", None, None
    return last, "renewal", None, None
