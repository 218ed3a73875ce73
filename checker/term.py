"""When an agreement is in force: fixed expiry, automatic renewal with non-renewal notice, or an
earlier end set by a termination clause; and the deadlines that follow from the term."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from checker.agreement import Agreement
from checker.clauses.base import AgreementTerm, ClauseContext
from checker.facts import Fact
from checker.findings import Evidence, Finding, FindingKind, Severity
from checker.timeutil import Duration, epoch_of_date

# Renewals are followed at most this many times (a 1-day renewal over a century stays bounded).
MAX_RENEWALS = 1_000


def agreement_term(
    agreement: Agreement,
    contexts: Sequence[ClauseContext],
    facts: Sequence[Fact],
    as_of: int,
    horizon_end: int,
) -> tuple[AgreementTerm, list[Finding]]:
    """The agreement's term as of `as_of`, and deadline findings about its end."""
    start = epoch_of_date(agreement.effective)
    findings: list[Finding] = []
    if agreement.expires is not None:
        last_day, reason = agreement.expires, "expiry"
    else:
        last_day, reason, notice_deadline = _renewing_end(agreement, facts, as_of)
        if notice_deadline is not None:
            deadline_start = epoch_of_date(notice_deadline)
            if as_of <= deadline_start + 86_399 and deadline_start <= horizon_end:
                findings.append(
                    _term_finding(
                        agreement,
                        "term.non_renewal_notice_due",
                        notice_deadline,
                        f"last day to give notice of non-renewal is {notice_deadline}; "
                        f"otherwise the agreement renews after {last_day}",
                    )
                )
    end = epoch_of_date(last_day + timedelta(days=1))
    for context in contexts:
        # A termination clause sees the term as it stands without terminations, so a notice
        # from before the effective date (or after the end) cannot end the agreement.
        context.term = AgreementTerm(start, max(start, end), reason)
    for context in contexts:
        termination = context.clause.ends_agreement(context)
        if termination is not None and termination < end:
            end = termination
            reason = f"termination under clause {context.clause.id}"
    if as_of <= end and end - 1 <= horizon_end and reason == "expiry":
        findings.append(
            _term_finding(
                agreement,
                "term.expires",
                last_day,
                f"the agreement expires at the end of {last_day}",
            )
        )
    return AgreementTerm(start, max(start, end), reason), findings


def _renewing_end(
    agreement: Agreement, facts: Sequence[Fact], as_of: int
) -> tuple[date, str, date | None]:
    """(last day of the current term, why it ends, last day for non-renewal notice or None)."""
    term = agreement.term
    assert term is not None
    notices = [
        f for f in facts if term.notice.matches(f) and f.partner in (None, agreement.partner)
    ]
    period_start = agreement.effective
    period_end = term.initial.add_to_date(agreement.effective) - timedelta(days=1)
    for _ in range(MAX_RENEWALS):
        notice_by = None
        if term.non_renewal_notice is not None:
            notice_by = _minus(
                period_end, term.non_renewal_notice.amount, term.non_renewal_notice.unit
            )
        if term.renews_for is None:
            return period_end, "expiry", None
        stopped = any(
            epoch_of_date(period_start) <= f.at <= epoch_of_date(notice_by or period_end) + 86_399
            for f in notices
        )
        if stopped:
            return period_end, "non-renewal", None
        if epoch_of_date(period_end + timedelta(days=1)) > as_of:
            return period_end, "expiry", notice_by
        period_start = period_end + timedelta(days=1)
        period_end = term.renews_for.add_to_date(period_start) - timedelta(days=1)
    return period_end, "expiry", None


def _minus(day: date, amount: int, unit: str) -> date:
    return Duration(-amount, unit).add_to_date(day)


def _term_finding(agreement: Agreement, code: str, day: date, message: str) -> Finding:
    return Finding(
        agreement=agreement.agreement,
        clause="term",
        clause_title="Term and renewal",
        kind=FindingKind.DEADLINE,
        code=code,
        severity=Severity.INFO,
        date=day,
        subject=day.isoformat(),
        message=message,
        evidence=tuple[Evidence, ...](),
        owner=agreement.owner,
    )
