"""The iCalendar report: each deadline within the horizon as an all-day event (RFC 5545).

Importing tomorrow's file again updates these events instead of adding copies: each event's UID
is its finding's fingerprint (agreement, clause, kind, code and subject: never the wording), and
its DTSTAMP is the run's as-of instant, so identical runs write identical files. Windows that
close on a date (a termination right, a renegotiation window) are already deadline findings of
their own, so only deadlines are listed (unknown findings, whose data is missing, are not
deadlines and are left out too); waived deadlines are left out, as in the other reports.
A deadline snoozed in chat (--notify) stays in the calendar, its description saying so.
Written with the `icalendar` library (folding and escaping), one event at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from checker.evaluation.run import RunResult
from checker.findings.model import Finding, FindingKind
from checker.report.reading import (
    as_of_words,
    clause_words,
    evidence_words,
    expired_waiver_words,
    printable,
    reported,
    snooze_of,
    snooze_words,
    status_words,
    tracked,
)
from checker.rulebook.applying_waivers import WaiverDecision
from checker.rulebook.waivers import TERM_CLAUSE

PRODUCT_ID = "-//contract-checker//Contract deadlines//EN"
UID_DOMAIN = "contract-checker"
CATEGORY = "Contract deadline"
_END = b"END:VCALENDAR\r\n"


def event_uid(finding: Finding) -> str:
    """The same for the same finding in every run: calendar clients update the event."""
    return f"{finding.fingerprint}@{UID_DOMAIN}"


def as_ics(result: RunResult) -> Iterator[str]:
    summary = result.summary
    stamp = datetime.fromtimestamp(summary.as_of, tz=UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Contract deadlines")
    calendar.add(
        "x-wr-caldesc",
        f"Contract deadlines within {summary.horizon_days} days of "
        f"{as_of_words(summary.as_of)}, from contract-checker",
    )
    header = calendar.to_ical()
    yield header.removesuffix(_END).decode("utf-8")
    for finding, decision in reported(result, FindingKind.DEADLINE, by_date=True):
        yield _event(result, finding, decision, stamp).to_ical().decode("utf-8")
    yield _END.decode("ascii")


def _event(result: RunResult, finding: Finding, decision: WaiverDecision, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", event_uid(finding))
    event.add("dtstamp", stamp)
    event.add("dtstart", finding.date)
    event.add("dtend", finding.date + timedelta(days=1))  # all day: the end date is exclusive
    event.add("summary", printable(_title(finding)))
    event.add("description", printable(_description(result, finding, decision)))
    event.add(
        "categories", [CATEGORY, finding.agreement, *([finding.owner] if finding.owner else [])]
    )
    event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: it does not block the day
    return event


def _title(finding: Finding) -> str:
    """ "Deadline: Monthly licence fee (hooli-saas-2025, clause 8.1)"."""
    what = finding.clause_title or f"clause {finding.clause}"
    if finding.clause == TERM_CLAUSE:
        return f"Deadline: {what} ({finding.agreement})"
    return f"Deadline: {what} ({finding.agreement}, clause {finding.clause})"


def _description(result: RunResult, finding: Finding, decision: WaiverDecision) -> str:
    lines = [finding.message, ""]
    lines.append(f"Agreement: {finding.agreement}, {clause_words(finding)}")
    lines.append(f"Severity: {finding.severity.value}")
    if finding.owner:
        lines.append(f"Owner: {finding.owner}")
    if finding.calendar:
        lines.append(f"Business days counted on the {finding.calendar} calendar")
    status = status_words(tracked(result, finding))
    if status:
        lines.append(f"Status: {status}")
    note = expired_waiver_words(decision)
    if note:
        lines.append(note)
    snoozed = snooze_words(snooze_of(result, finding))
    if snoozed:  # with --notify: kept out of chat, still in the calendar
        lines.append(snoozed)
    if finding.evidence:
        lines.append("Evidence:")
        lines += [f"- {evidence_words(e)}" for e in finding.evidence]
    lines += [
        "",
        f"From contract-checker as of {as_of_words(result.summary.as_of)} "
        f"(finding {finding.fingerprint}).",
    ]
    return "\n".join(lines)
