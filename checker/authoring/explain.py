"""Plain-English explanation of an agreement, for a lawyer to check against the contract text.

Shows the agreement, its term (and each renewal with its non-renewal notice deadline), its
business-day calendar, then every clause in plain words with each date it implies, marked past,
upcoming (within the horizon) or later relative to the as-of instant. The dates come from the
clause kinds' own date logic (`Clause.explain`), so explain and evaluation cannot disagree.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from checker.clauses import KINDS
from checker.clauses.explaining import ExplainContext, ExplainedDate, Explanation
from checker.dates.timeutil import (
    date_of_epoch,
    end_of_date,
    epoch_of_date,
    horizon_end,
)
from checker.norms.parties import PartySpec
from checker.rulebook.agreement import Agreement
from checker.rulebook.term import TermPeriod, agreement_term, term_periods

WIDTH = 100
PAST, UPCOMING, LATER = "past", "upcoming", "later"
# Renewal terms listed before the one in force on the as-of date; earlier ones are counted only.
EARLIER_TERMS_SHOWN = 2
_DATE_COLUMN = "  "
_TEXT_INDENT = " " * (len(_DATE_COLUMN) + len("2026-01-01  ") + len(UPCOMING) + 2)
_KIND_NAMES = {kind: name for name, kind in KINDS.items()}


def status_of(instant: int, as_of: int, horizon_end: int) -> str:
    """past (before the as-of instant), upcoming (from it to the horizon's end) or later: the
    same boundaries a run uses to report deadlines."""
    if instant < as_of:
        return PAST
    if instant <= horizon_end:
        return UPCOMING
    return LATER


@dataclass(slots=True)
class AgreementExplanation:
    """The text to print, and the clauses whose dates could not be worked out (fail closed)."""

    text: str
    problems: list[str] = field(default_factory=list)


def explain_context(agreement: Agreement, as_of: int, horizon_days: int) -> ExplainContext:
    """The agreement's term as written (no facts: no notices, no early termination) on `as_of`."""
    term, _ = agreement_term(agreement, [], [], as_of)
    return ExplainContext(
        agreement_id=agreement.agreement,
        partner=agreement.counterparty,
        parties=agreement.resolved_parties if agreement.parties is not None else None,
        term=term,
        as_of=as_of,
        horizon_end=horizon_end(as_of, horizon_days),
        calendar=agreement.business_calendar,
    )


def explain_agreement(
    agreement: Agreement, source: str, as_of: int, horizon_days: int, width: int = WIDTH
) -> AgreementExplanation:
    """The whole explanation of one agreement read from `source`."""
    context = explain_context(agreement, as_of, horizon_days)
    writer = _Writer(context, width)
    writer.header(agreement, source, horizon_days)
    writer.block("Term", _term(agreement, context))
    if agreement.amendments:
        writer.block("Amendments", _amendments(agreement))
    problems: list[str] = []
    for clause in agreement.all_clauses:
        heading = f"Clause {clause.id}: {clause.title} ({_KIND_NAMES.get(type(clause), '?')})"
        try:
            # A clause an amendment added or removed applies only while it is in force.
            explanation = clause.explain(replace(context, term=clause.in_force.clip(context.term)))
        except (ValueError, TypeError, KeyError, ArithmeticError) as error:
            problem = f"clause {clause.id} could not be explained: {error}"
            problems.append(problem)
            explanation = Explanation((f"PROBLEM: {problem}. Its dates are not shown.",))
        in_force = clause.in_force.describe()
        if in_force:
            explanation = Explanation((f"{in_force[0].upper()}{in_force[1:]}.",)).plus(
                list(explanation.sentences), list(explanation.dates)
            )
        writer.block(heading, explanation)
    return AgreementExplanation(writer.text(), problems)


# --- the term -----------------------------------------------------------------------------------


def _party_rows(agreement: Agreement) -> list[tuple[str, str]]:
    """ "Parties  us: northwind; partner: globex (also acme-inc)", or the partner alone."""
    if agreement.parties is None:
        return [("Partner", agreement.counterparty)]
    parties = agreement.parties
    named = [f"us: {_party(parties.us_spec)}"]
    word = "partner" if parties.partner is not None else "partners"
    named.append(f"{word}: {', '.join(_party(p) for p in parties.counterparties)}")
    return [("Parties", "; ".join(named))]


def _party(spec: PartySpec) -> str:
    return spec.id + (f" (also {', '.join(spec.aliases)})" if spec.aliases else "")


def _amendments(agreement: Agreement) -> Explanation:
    """What each amendment of the agreement does, from its effective date."""
    sentences: list[str] = []
    dates: list[ExplainedDate] = []
    for number, amendment in enumerate(agreement.amendments, start=1):
        said: list[str] = []
        if amendment.expires is not None:
            said.append(f"the agreement now ends on {amendment.expires.isoformat()}")
        if amendment.open_ended:
            said.append("the agreement now runs until terminated")
        said += [f"adds clause {clause.id} ({clause.title})" for clause in amendment.adds]
        said += [f"removes clause {clause_id}" for clause_id in amendment.removes]
        for change in amendment.changes:
            fields = ", ".join(f"{name}: {value}" for name, value in change.changes().items())
            said.append(f"changes clause {change.id} ({fields})")
        sentences.append(
            f"Amendment {number}, {amendment.title}, from {amendment.effective.isoformat()}: "
            f"{'; '.join(said)}."
        )
        dates.append(
            ExplainedDate(
                epoch_of_date(amendment.effective),
                f"amendment {number} takes effect ({amendment.title})",
            )
        )
    return Explanation(tuple(sentences), tuple(dates))


def _term(agreement: Agreement, context: ExplainContext) -> Explanation:
    effective = ExplainedDate(epoch_of_date(agreement.effective), "the agreement takes effect")
    expires, open_ended = agreement.final_term
    amended = (
        " (as amended)"
        if (expires, open_ended)
        != (
            agreement.expires,
            agreement.open_ended,
        )
        else ""
    )
    if open_ended:
        sentence = (
            f"Open-ended from {agreement.effective.isoformat()}{amended}: it runs until terminated."
        )
        return Explanation((sentence,), (effective,))
    if expires is not None:
        sentence = (
            f"Fixed term from {agreement.effective.isoformat()} to"
            f" {expires.isoformat()}{amended}, unless terminated early."
        )
        expiry = ExplainedDate(end_of_date(expires), "the agreement expires (last day)")
        return Explanation((sentence,), (effective, expiry))
    renewing = agreement.term
    assert renewing is not None
    sentence = (
        f"Initial term of {context.duration(renewing.initial)} from"
        f" {agreement.effective.isoformat()}"
    )
    if renewing.renews_for is None:
        sentence += "; it does not renew"
    else:
        sentence += f"; it then renews for {context.duration(renewing.renews_for)} at a time"
        if renewing.non_renewal_notice is not None:
            sentence += (
                f" unless notice of non-renewal ({renewing.notice.describe()}) is given at least"
                f" {context.duration(renewing.non_renewal_notice)} before a term ends"
            )
    sentences = [sentence + "; unless terminated early."]
    periods = _renewal_periods(agreement, context.horizon_end)
    shown = _shown_periods(periods, context.as_of)
    if len(shown) < len(periods) and periods[0] not in shown:
        earlier = periods.index(shown[0])
        sentences.append(
            f"{earlier} earlier term(s), from {periods[0].first.isoformat()}, are not listed."
        )
    current = next((p for p in periods if end_of_date(p.last) >= context.as_of), periods[-1])
    sentences.append(
        "With no notice given, the term in force on the as-of date runs"
        f" {current.first.isoformat()} to {current.last.isoformat()}."
    )
    dates = [effective]
    for period in shown:
        number = periods.index(period)
        name = "initial term" if number == 0 else f"renewal term {number}"
        span = f"{name} ({period.first.isoformat()} to {period.last.isoformat()})"
        if period.notice_by is not None:
            dates.append(
                ExplainedDate(
                    end_of_date(period.notice_by),
                    f"last day to give notice of non-renewal of the {span}",
                )
            )
        if renewing.renews_for is None:
            ends = f"{span} ends: the agreement expires (last day)"
        else:
            ends = f"{span} ends; without notice it renews for {renewing.renews_for}"
        dates.append(ExplainedDate(end_of_date(period.last), ends))
    return Explanation(tuple(sentences), tuple(dates))


def _renewal_periods(agreement: Agreement, horizon_end: int) -> list[TermPeriod]:
    """Each term from the effective date until the first that ends after the horizon."""
    periods: list[TermPeriod] = []
    for period in term_periods(agreement):
        periods.append(period)
        if end_of_date(period.last) > horizon_end:
            break
    return periods


def _shown_periods(periods: list[TermPeriod], as_of: int) -> list[TermPeriod]:
    current = next((i for i, p in enumerate(periods) if end_of_date(p.last) >= as_of), 0)
    return periods[max(0, current - EARLIER_TERMS_SHOWN) :]


# --- layout -------------------------------------------------------------------------------------


class _Writer:
    """Plain text: one block per heading, sentences wrapped, dates in one aligned column."""

    def __init__(self, context: ExplainContext, width: int) -> None:
        self.context = context
        self.width = width
        self.lines: list[str] = []

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def header(self, agreement: Agreement, source: str, horizon_days: int) -> None:
        context = self.context
        as_of = date_of_epoch(context.as_of)
        horizon = date_of_epoch(context.horizon_end)
        rows = [
            ("Agreement", f"{agreement.agreement}: {agreement.title}"),
            ("Rule file", source),
            *_party_rows(agreement),
            ("Owner", agreement.owner),
            (
                "As of",
                f"{as_of.isoformat()}, horizon {horizon_days} days (to {horizon.isoformat()})",
            ),
        ]
        if context.calendar is not None:
            rows.append(("Calendar", f"business days follow {context.calendar.describe()}"))
        for label, value in rows:
            self._wrap(value, f"{label:<11}", " " * 11)
        self._wrap(
            f"Each date is marked {PAST} (before the as-of date), {UPCOMING} (from the as-of"
            f" date to the end of the {horizon_days}-day horizon) or {LATER}.",
            "",
            "",
        )

    def block(self, heading: str, explanation: Explanation) -> None:
        self.lines.append("")
        self.lines.append(heading)
        for sentence in explanation.sentences:
            self._wrap(sentence, "  ", "  ")
        for dated in _in_order(explanation.dates):
            status = status_of(dated.at, self.context.as_of, self.context.horizon_end)
            first = f"{_DATE_COLUMN}{dated.day.isoformat()}  {status:<{len(UPCOMING)}}  "
            self._wrap(dated.what, first, _TEXT_INDENT)

    def _wrap(self, text: str, first: str, rest: str) -> None:
        self.lines.extend(
            textwrap.wrap(
                text,
                width=self.width,
                initial_indent=first,
                subsequent_indent=rest,
                break_on_hyphens=False,
                break_long_words=False,
            )
        )


def _in_order(dates: Iterable[ExplainedDate]) -> list[ExplainedDate]:
    return sorted(dates, key=lambda dated: dated.at)
