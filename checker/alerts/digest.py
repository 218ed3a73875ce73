"""Digests: what one receiver is told after one run, worked out from the run's findings, their
history and what the receiver was told before.

A receiver's digest holds:

* **new**: breaches, triggered rights and errors (clauses that could not be checked) routed to it
  that it has not been told about yet: found tonight, or found earlier while it was not told (a
  night without alerts, a route added since) and marked with the day they were first found;
* **reminders**: deadlines whose date is exactly one of the reminder lead times away, or that
  crossed a lead time since the receiver was last reminded (so a skipped night loses nothing);
  one reminder per deadline and lead time, ever (a deadline that moves is reminded again);
* **resolved**: findings it was told about that are resolved now (not reported any more, their
  agreement evaluated completely and not stale);
* **open count**: how many of its breaches, triggers and errors are open, when `open_count_every`
  days have passed since it was last sent (and there are some).

Snoozed and waived findings are left out of all four; deadlines only ever come as reminders.
Nothing here reads a clock or the database: what the receiver was told comes in as
`ReceiverMemory`, and what it is told tonight goes out as a `DigestPlan`, recorded only when the
digest is written to the outbox.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict

from checker.alerts.config import NotificationsFile
from checker.alerts.routing import Router
from checker.alerts.snoozes import Snoozes
from checker.findings import Finding, FindingKind, Severity, natural_key
from checker.tracking import RunHistory

# The kinds announced as new (and counted as open); deadlines come as reminders instead.
ANNOUNCED_KINDS = (FindingKind.BREACH, FindingKind.TRIGGER, FindingKind.ERROR)
Day = date  # for annotations inside a model that has a field called `date`


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceItem(_Data):
    fact_id: str
    fact_type: str
    at: str
    source: str


class Item(_Data):
    """A finding as a digest shows it."""

    fingerprint: str
    kind: FindingKind
    severity: Severity
    agreement: str
    clause: str
    clause_title: str
    subject: str
    date: date
    message: str
    owner: str = ""
    evidence: tuple[EvidenceItem, ...] = ()
    first_seen: Day | None = None  # when history knows it

    @classmethod
    def of(cls, finding: Finding, first_seen: Day | None) -> Item:
        return cls(
            fingerprint=finding.fingerprint,
            kind=finding.kind,
            severity=finding.severity,
            agreement=finding.agreement,
            clause=finding.clause,
            clause_title=finding.clause_title,
            subject=finding.subject,
            date=finding.date,
            message=finding.message,
            owner=finding.owner,
            evidence=tuple(
                EvidenceItem(fact_id=e.fact_id, fact_type=e.fact_type, at=e.at, source=e.source)
                for e in finding.evidence
            ),
            first_seen=first_seen,
        )


class Reminder(_Data):
    """A deadline, `days_left` days away, reminded at the `lead_days` lead time."""

    item: Item
    days_left: int
    lead_days: int


class OpenCount(_Data):
    total: int
    by_kind: dict[str, int]


class Undelivered(_Data):
    """Why a digest is sent to the fallback: the receiver it was for, and what went wrong."""

    receiver: str
    reason: str


class Digest(_Data):
    """One receiver's digest of one run, before it is put into a platform's messages."""

    receiver: str
    as_of: date
    new: tuple[Item, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    resolved: tuple[Item, ...] = ()
    open_count: OpenCount | None = None
    undelivered: Undelivered | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.reminders or self.resolved or self.open_count)

    def item_count(self) -> int:
        return len(self.new) + len(self.reminders) + len(self.resolved)


ReminderKey = tuple[str, str, int]
"""(fingerprint, due date as YYYY-MM-DD, lead days): one reminder, sent at most once."""


@dataclass(slots=True)
class ReceiverMemory:
    """What a receiver has been told before (see checker.alerts.outbox)."""

    announced: dict[str, Item] = field(default_factory=dict)  # fingerprint -> as announced
    reminded: set[ReminderKey] = field(default_factory=set)
    open_count_sent_on: date | None = None


@dataclass(slots=True)
class DigestPlan:
    """A receiver's digest and what to remember once it is in the outbox."""

    digest: Digest
    announced: list[Item] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # fingerprints no longer to remember
    reminded: list[ReminderKey] = field(default_factory=list)
    open_count_sent: bool = False


@dataclass(slots=True)
class _Collected:
    """What one receiver gets from tonight's findings, before its memory is consulted."""

    announced: list[Item] = field(default_factory=list)
    deadlines: list[Item] = field(default_factory=list)
    open_by_kind: Counter[str] = field(default_factory=Counter)


def build_digests(
    findings: Iterable[Finding],
    history: RunHistory,
    as_of: date,
    notifications: NotificationsFile,
    snoozes: Snoozes,
    is_waived: Callable[[Finding], bool],
    memories: Mapping[str, ReceiverMemory],
) -> list[DigestPlan]:
    """One plan per receiver in the file (in file order), empty digests included."""
    router = Router(notifications)
    collected = {name: _Collected() for name in notifications.receivers}
    reported: set[str] = set()  # every finding reported tonight, waived and snoozed included
    failed_agreements: set[str] = set()
    for finding in findings:
        reported.add(finding.fingerprint)
        if finding.kind is FindingKind.ERROR:
            failed_agreements.add(finding.agreement)
        if is_waived(finding) or snoozes.decide(finding) is not None:
            continue
        tracked = history.status_of(finding)
        item = Item.of(finding, tracked.first_seen if tracked else None)
        for name in router.receivers_for(finding):
            bucket = collected[name]
            if finding.kind in ANNOUNCED_KINDS:
                bucket.announced.append(item)
                bucket.open_by_kind[finding.kind.value] += 1
            else:
                bucket.deadlines.append(item)
    stale = {gone.finding.fingerprint for gone in history.stale}
    resolved_tonight = {gone.finding.fingerprint for gone in history.resolved}

    def is_resolved(item: Item) -> bool:
        """Resolved tonight; or gone since a night without a digest, and tonight can tell."""
        if item.fingerprint in resolved_tonight:
            return True
        return (
            item.fingerprint not in reported
            and item.fingerprint not in stale
            and item.agreement not in failed_agreements
        )

    return [
        _plan(name, as_of, bucket, memories.get(name, ReceiverMemory()), notifications, is_resolved)
        for name, bucket in collected.items()
    ]


def _plan(
    name: str,
    as_of: date,
    bucket: _Collected,
    memory: ReceiverMemory,
    notifications: NotificationsFile,
    is_resolved: Callable[[Item], bool],
) -> DigestPlan:
    new = sorted(
        (item for item in bucket.announced if item.fingerprint not in memory.announced),
        key=_urgency,
    )
    reminders, reminded = _reminders(bucket.deadlines, memory, as_of, notifications.reminder_days)
    resolved = sorted(
        (item for item in memory.announced.values() if is_resolved(item)), key=_urgency
    )
    open_count = None
    total = sum(bucket.open_by_kind.values())
    last = memory.open_count_sent_on
    if total and (last is None or (as_of - last).days >= notifications.open_count_every):
        open_count = OpenCount(total=total, by_kind=dict(sorted(bucket.open_by_kind.items())))
    digest = Digest(
        receiver=name,
        as_of=as_of,
        new=tuple(new),
        reminders=tuple(reminders),
        resolved=tuple(resolved),
        open_count=open_count,
    )
    return DigestPlan(
        digest,
        announced=new,
        resolved=[item.fingerprint for item in resolved],
        reminded=reminded,
        open_count_sent=open_count is not None,
    )


def _reminders(
    deadlines: list[Item], memory: ReceiverMemory, as_of: date, lead_days: list[int]
) -> tuple[list[Reminder], list[ReminderKey]]:
    """The deadlines to remind of tonight, and the lead times that counts as reminding of.

    A deadline `d` days away is due a reminder when a lead time of `d` days or more has not been
    reminded yet: exactly at a lead time, or past one crossed on a night without a digest. One
    reminder tells of it (at the nearest lead time crossed) and settles every lead time crossed.
    """
    reminders: list[Reminder] = []
    keys: list[ReminderKey] = []
    for item in sorted(deadlines, key=lambda item: (item.date, item.agreement, item.clause)):
        days_left = (item.date - as_of).days
        if days_left < 0:
            continue
        crossed = [
            (item.fingerprint, item.date.isoformat(), lead)
            for lead in lead_days
            if lead >= days_left
            and (item.fingerprint, item.date.isoformat(), lead) not in memory.reminded
        ]
        if not crossed:
            continue
        nearest = min(lead for _, _, lead in crossed)
        reminders.append(Reminder(item=item, days_left=days_left, lead_days=nearest))
        keys.extend(crossed)
    return reminders, keys


def _urgency(item: Item) -> tuple[int, str, date, tuple[object, ...], str]:
    """Most severe first, then by agreement, date and clause (4.2 before 10.1)."""
    return (item.severity.rank, item.agreement, item.date, natural_key(item.clause), item.subject)
