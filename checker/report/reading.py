"""What the reports people read (markdown, html, ics, junit) take from a run, in plain words.

Every function here reads the run's disk-backed findings one at a time, in the order a section
needs (`FindingSpool.of_kinds`), so a report holds at most one finding plus small counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from checker.dates.timeutil import date_of_epoch, epoch_of_date, iso_of_epoch
from checker.evaluation.run import AgreementOutline, RunResult
from checker.findings.model import Evidence, Finding, FindingKind, Severity
from checker.findings.tracking import Status, Tracked
from checker.rulebook.applying_waivers import WaiverDecision
from checker.rulebook.waivers import TERM_CLAUSE, Waiver

if TYPE_CHECKING:
    from checker.alerts.snoozes import SnoozeRecord

# Section headings, in the order the reports list the kinds: the most urgent first.
KIND_HEADINGS = {
    FindingKind.BREACH: "Breaches",
    FindingKind.TRIGGER: "Rights triggered",
    FindingKind.DEADLINE: "Deadlines coming up",
    FindingKind.ERROR: "Could not be checked",
    FindingKind.UNKNOWN: "Unknown: data missing",
}
# One finding of each kind, as a label next to it.
KIND_LABELS = {
    FindingKind.BREACH: "breach",
    FindingKind.TRIGGER: "right triggered",
    FindingKind.DEADLINE: "deadline",
    FindingKind.ERROR: "could not be checked",
    FindingKind.UNKNOWN: "unknown (data missing)",
}
# What an empty section says: an empty "could not be checked" section is good news only because
# every rule was evaluated, so it says so rather than showing nothing.
KIND_NONE = {
    FindingKind.BREACH: "No breaches.",
    FindingKind.TRIGGER: "No rights triggered.",
    FindingKind.DEADLINE: "No deadlines within the horizon.",
    FindingKind.ERROR: "None: every rule of every agreement was evaluated.",
    FindingKind.UNKNOWN: "None: no finding waits on missing data.",
}
ERROR_WARNING = (
    "These rules could not be evaluated. Nothing is known about them: they are not compliant, "
    "they are unchecked."
)
# Unknown findings are listed with what could not be checked (never as compliant), apart from
# the errors: the rules were evaluated, the data that would decide them is not there.
UNKNOWN_WARNING = (
    "The data that would decide these is not there (a feed that has not arrived, or that runs "
    "only to an earlier date). They are not compliant and not breaches: they are unknown until "
    "the data arrives."
)
# Agreement-wide errors (a whole agreement failed to evaluate) use this clause id.
WHOLE_AGREEMENT = "*"
# Characters no XML 1.0 document may hold, even escaped; reports show U+FFFD instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Deadlines within this many days are grouped by week in a timeline, later ones by month.
WEEKS_UP_TO_DAYS = 62


def printable(text: str) -> str:
    """`text` with control characters (other than tab, newline, carriage return) shown as U+FFFD:
    they cannot appear in XML and would only garble a page."""
    return _NOT_XML.sub("\ufffd", text)


def as_of_words(as_of: int) -> str:
    """The as-of date, or the instant when it is not midnight UTC."""
    day = date_of_epoch(as_of)
    return day.isoformat() if epoch_of_date(day) == as_of else iso_of_epoch(as_of)


def horizon_end(result: RunResult) -> date:
    summary = result.summary
    return date_of_epoch(summary.as_of) + timedelta(days=summary.horizon_days)


def clause_words(finding: Finding) -> str:
    """ "clause 4.1 (Exclusive territory)"; "the agreement's term" for its term (renewal, expiry)
    and "the whole agreement" for agreement-wide errors."""
    if finding.clause == WHOLE_AGREEMENT:
        return "the whole agreement"
    if finding.clause == TERM_CLAUSE:
        return "the agreement's term"
    title = f" ({finding.clause_title})" if finding.clause_title else ""
    return f"clause {finding.clause}{title}"


def evidence_words(evidence: Evidence) -> str:
    """ "crm-d-1103 (deal.closed at 2026-05-20T09:00:00Z, fixtures/demo/crm-export.csv:19)"."""
    return f"{evidence.fact_id} ({evidence.fact_type} at {evidence.at}, {evidence.source})"


def waiver_words(waiver: Waiver) -> str:
    """Who approved a waiver, until when and why, and where it is written."""
    approved = f" on {waiver.approved_on}" if waiver.approved_on else ""
    return (
        f"waiver {waiver.id}, approved by {waiver.approved_by}{approved}, until {waiver.expires}: "
        f"{waiver.reason} ({waiver.source})"
    )


def expired_waiver_words(decision: WaiverDecision) -> str:
    """A note for a finding reported again because the waiver that covered it expired."""
    if decision.waiver is None or decision.waived:
        return ""
    waiver = decision.waiver
    return f"Waiver {waiver.id} expired on {waiver.expires}: reported again."


def snooze_of(result: RunResult, finding: Finding) -> SnoozeRecord | None:
    """The snooze keeping the finding out of chat (only with --notify), or None. A snoozed
    finding is still reported and counted: reports mark it, nothing more."""
    return result.snoozes.decide(finding) if result.snoozes is not None else None


def snooze_words(snooze: SnoozeRecord | None) -> str:
    """ "Snoozed in chat until 2026-12-31 by Maria Weber: amendment being signed", or ""."""
    if snooze is None:
        return ""
    described = snooze.describe()
    return described[:1].upper() + described[1:]


def status_words(tracked: Tracked | None) -> str:
    """ "new", "open since 2026-11-01", or "" without history."""
    if tracked is None:
        return ""
    if tracked.status is Status.OPEN:
        return f"open since {tracked.first_seen}"
    return tracked.status.value


def days_until(day: date, as_of: int) -> str:
    """ "today", "in 1 day", "in 12 days", or "3 days ago"."""
    days = (day - date_of_epoch(as_of)).days
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day" + ("" if days == 1 else "s")
    return f"{-days} day" + ("" if days == -1 else "s") + " ago"


def period_heading(day: date, weekly: bool) -> str:
    """The timeline group a date falls in: "Week of Monday 23 November 2026" or "December 2026"."""
    if weekly:
        monday = day - timedelta(days=day.weekday())
        return f"Week of {long_date(monday)}"
    return f"{day:%B %Y}"


def long_date(day: date) -> str:
    """ "Monday 23 November 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def weekly_timeline(result: RunResult) -> bool:
    """Deadlines are grouped by week for horizons up to about two months, by month beyond."""
    return result.summary.horizon_days <= WEEKS_UP_TO_DAYS


def reported(
    result: RunResult, *kinds: FindingKind, by_date: bool = False
) -> Iterator[tuple[Finding, WaiverDecision]]:
    """The findings of these kinds that are reported (not set apart by an active waiver), each
    with what the waivers say about it (an expired waiver that would have covered it)."""
    for finding in result.findings.of_kinds(*kinds, by_date=by_date):
        decision = result.waivers.decide(finding)
        if not decision.waived:
            yield finding, decision


def waived(result: RunResult) -> Iterator[tuple[Finding, Waiver]]:
    """The findings an active waiver sets apart, with that waiver."""
    for finding in result.findings:
        decision = result.waivers.decide(finding)
        if decision.waived and decision.waiver is not None:
            yield finding, decision.waiver


def tracked(result: RunResult, finding: Finding) -> Tracked | None:
    return result.history.status_of(finding) if result.history is not None else None


@dataclass(slots=True)
class Tally:
    """Counts of the reported findings (waived ones left out) for a report's summary."""

    by_kind_and_severity: Counter[tuple[FindingKind, Severity]] = field(default_factory=Counter)
    by_agreement_and_kind: Counter[tuple[str, FindingKind]] = field(default_factory=Counter)
    by_status: Counter[Status] = field(default_factory=Counter)
    new_breaches: int = 0

    def of_kind(self, kind: FindingKind) -> int:
        return sum(n for (k, _), n in self.by_kind_and_severity.items() if k is kind)


def tally(result: RunResult) -> Tally:
    """One pass over the findings: memory grows with agreements, not with findings."""
    counts = Tally()
    for finding, _ in reported(result, *FindingKind):
        counts.by_kind_and_severity[finding.kind, finding.severity] += 1
        counts.by_agreement_and_kind[finding.agreement, finding.kind] += 1
        history = tracked(result, finding)
        if history is not None:
            counts.by_status[history.status] += 1
            if history.status is Status.NEW and finding.kind is FindingKind.BREACH:
                counts.new_breaches += 1
    return counts


def outlines_by_agreement(result: RunResult) -> dict[str, AgreementOutline]:
    return {outline.agreement: outline for outline in result.outlines}


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 breach", "2 breaches"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
