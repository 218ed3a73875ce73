"""Digests: what one receiver is told after one run, worked out from the run's findings, their
history and what the receiver was told before.

A receiver's digest holds:

* **new**: breaches, triggered rights, errors (clauses that could not be checked) and unknown
  findings (the data that would decide them is not there) routed to it
  that it has not been told about yet: found tonight, or found earlier while it was not told (a
  night without alerts, a route added since) and marked with the day they were first found;
* **reminders**: deadlines whose date is exactly one of the reminder lead times away, or that
  crossed a lead time since the receiver was last reminded (so a skipped night loses nothing);
  one reminder per deadline and lead time, ever (a deadline that moves is reminded again);
* **resolved**: findings it was told about that are resolved now (not reported any more, their
  agreement evaluated completely and not stale);
* **open count**: how many of its breaches, triggers, errors and unknown findings are open, when
  `open_count_every`
  days have passed since it was last sent (and there are some).

Snoozed and waived findings are left out of all four; deadlines only ever come as reminders.

**Confidential values**: a receiver with `redact_values: true` gets each finding's keys and
links only (agreement, clause and its title, subject, date, severity, kind, fingerprint, and its
evidence as fact ids, types, times and file:line): the message, which quotes values from the
facts (prices, amounts, territories, customers), is replaced by `WITHHELD`. A digest sent to a
fallback receiver that redacts is redacted too (`Digest.redacted`).

**A cap per receiver** (`max_items_per_digest`, 50 by default): a first night, or a new rule file,
can find thousands of findings, which must not become hundreds of chat messages. Beyond the cap
a digest lists the most important items and counts the rest by kind at its end ("... and 2950
more: see the report"). Chosen first: new findings and reminders before resolved ones; among
them the most severe; at equal severity a clause that could not be checked, then breaches, rights
triggered, unknown findings (a missing feed can make many: they must not crowd out breaches) and
deadlines; then the most recent (for a reminder: the one due soonest). The items
left out are remembered as told, exactly like the listed ones: the digest told the receiver
about them (counted, pointing at the report, which lists every finding), so they are not
announced again on later nights, the open count still includes them, and each is announced as
resolved when it is. Keeping them back for later digests instead would drip a first night's
backlog out as "new" for weeks and repeat "... and N more" every night.

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

from checker.alerts.notifications_model import NotificationsFile
from checker.alerts.routing import Router
from checker.alerts.snoozes import Snoozes
from checker.findings.model import Finding, FindingKind, Severity, natural_key
from checker.findings.tracking import RunHistory

# The kinds announced as new (and counted as open); deadlines come as reminders instead.
ANNOUNCED_KINDS = (FindingKind.BREACH, FindingKind.TRIGGER, FindingKind.ERROR, FindingKind.UNKNOWN)
Day = date  # for annotations inside a model that has a field called `date`
WITHHELD = "details withheld from this channel (redact_values): see the report"


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

    def redacted(self) -> Item:
        """The item with the message (which quotes values from the facts) withheld."""
        return self.model_copy(update={"message": WITHHELD})


class Reminder(_Data):
    """A deadline, `days_left` days away, reminded at the `lead_days` lead time."""

    item: Item
    days_left: int
    lead_days: int


class OpenCount(_Data):
    total: int
    by_kind: dict[str, int]


class LeftOut(_Data):
    """What a digest does not list because of the receiver's `max_items_per_digest`: counted
    by kind (new findings by finding kind, reminders of deadlines, resolved findings)."""

    new: dict[str, int] = {}  # finding kind -> new findings not listed
    reminders: int = 0
    resolved: int = 0

    @property
    def total(self) -> int:
        return sum(self.new.values()) + self.reminders + self.resolved


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
    left_out: LeftOut | None = None  # beyond the receiver's max_items_per_digest

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.reminders or self.resolved or self.open_count)

    def redacted(self) -> Digest:
        """The digest with every item's values withheld (see the module docstring)."""
        return self.model_copy(
            update={
                "new": tuple(item.redacted() for item in self.new),
                "reminders": tuple(
                    r.model_copy(update={"item": r.item.redacted()}) for r in self.reminders
                ),
                "resolved": tuple(item.redacted() for item in self.resolved),
            }
        )

    def item_count(self) -> int:
        """Items listed (those left out by the cap are only counted)."""
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
        shown = Item.of(finding, tracked.first_seen if tracked else None)
        for name in router.receivers_for(finding):
            bucket = collected[name]
            item = shown.redacted() if notifications.receivers[name].redact_values else shown
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


def _rank_new(item: Item) -> tuple[object, ...]:
    """Which new finding a capped digest lists first: see the module docstring."""
    return (0, *_importance(item), -item.date.toordinal(), *_identity(item))


def _rank_reminder(reminder: Reminder) -> tuple[object, ...]:
    item = reminder.item
    return (0, *_importance(item), item.date.toordinal(), *_identity(item))


def _rank_resolved(item: Item) -> tuple[object, ...]:
    return (1, *_importance(item), -item.date.toordinal(), *_identity(item))


_KIND_ORDER = {
    FindingKind.ERROR: 0,
    FindingKind.BREACH: 1,
    FindingKind.TRIGGER: 2,
    FindingKind.UNKNOWN: 3,
}


def _importance(item: Item) -> tuple[int, int]:
    return (item.severity.rank, _KIND_ORDER.get(item.kind, len(_KIND_ORDER)))


def _identity(item: Item) -> tuple[object, ...]:
    return (item.agreement, natural_key(item.clause), item.subject, item.fingerprint)


def _capped(
    new: list[Item], reminders: list[Reminder], resolved: list[Item], cap: int
) -> tuple[list[Item], list[Reminder], list[Item], LeftOut | None]:
    """The items a digest lists (at most `cap`, each list in its own order) and the count of
    those it leaves out, or None when everything fits."""
    if len(new) + len(reminders) + len(resolved) <= cap:
        return new, reminders, resolved, None
    ranked: list[tuple[tuple[object, ...], str, int]] = [
        *((_rank_new(item), "new", index) for index, item in enumerate(new)),
        *((_rank_reminder(r), "reminders", index) for index, r in enumerate(reminders)),
        *((_rank_resolved(item), "resolved", index) for index, item in enumerate(resolved)),
    ]
    ranked.sort(key=lambda entry: entry[0])
    listed = {(name, index) for _, name, index in ranked[:cap]}
    left_new: Counter[str] = Counter(
        item.kind.value for index, item in enumerate(new) if ("new", index) not in listed
    )
    left_out = LeftOut(
        new=dict(sorted(left_new.items())),
        reminders=sum(("reminders", index) not in listed for index in range(len(reminders))),
        resolved=sum(("resolved", index) not in listed for index in range(len(resolved))),
    )
    return (
        [item for index, item in enumerate(new) if ("new", index) in listed],
        [r for index, r in enumerate(reminders) if ("reminders", index) in listed],
        [item for index, item in enumerate(resolved) if ("resolved", index) in listed],
        left_out,
    )


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
    cap = notifications.receivers[name].max_items_per_digest
    listed_new, listed_reminders, listed_resolved, left_out = _capped(new, reminders, resolved, cap)
    digest = Digest(
        receiver=name,
        as_of=as_of,
        new=tuple(listed_new),
        reminders=tuple(listed_reminders),
        resolved=tuple(listed_resolved),
        open_count=open_count,
        left_out=left_out,
    )
    # Everything is remembered as told, listed or only counted (see the module docstring).
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
