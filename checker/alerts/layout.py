"""A digest laid out in plain words, the same for every chat platform: a headline, then sections
of entries (a title and lines of text). Platforms add their markup and escaping (see
checker.alerts.slack and checker.alerts.teams) and use `pack` to split it into messages that fit.

Every text here is raw: it may contain anything a fact or a rule file contained, and is escaped by
the platform that shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from checker.alerts.digest import WITHHELD, Digest, Item, LeftOut, Reminder
from checker.findings.model import FindingKind, natural_key

# Evidence shown per finding; the rest is counted ("and 12 more facts").
MAX_EVIDENCE_SHOWN = 5
# Lines of the unknown section (one per agreement and cause); the rest are counted together.
MAX_UNKNOWN_GROUPS = 10
# Clauses named on one line of the unknown section; the rest are counted.
MAX_UNKNOWN_CLAUSES = 3
# How an unknown finding's message says why ("... cannot be told: the billing feed has no data").
_CAUSE_MARK = "cannot be told: "

_NEW_SECTION = {
    FindingKind.BREACH: "New breaches",
    FindingKind.TRIGGER: "Rights triggered",
    FindingKind.ERROR: "Could not be checked",
    FindingKind.UNKNOWN: "Could not be checked: unknown, data missing",
}
_HEADLINE_NOUNS = {
    FindingKind.BREACH: ("new breach", "new breaches"),
    FindingKind.TRIGGER: ("right triggered", "rights triggered"),
    FindingKind.ERROR: ("clause that could not be checked", "clauses that could not be checked"),
    FindingKind.UNKNOWN: ("unknown (data missing)", "unknown (data missing)"),
}
_OPEN_NOUNS = {
    "breach": ("breach", "breaches"),
    "trigger": ("right triggered", "rights triggered"),
    "error": ("clause not checked", "clauses not checked"),
    "unknown": ("unknown (data missing)", "unknown (data missing)"),
}


@dataclass(frozen=True, slots=True)
class Entry:
    title: str  # "" for an entry that is only its lines
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)


def title(digest: Digest) -> str:
    return f"Contract checker, as of {digest.as_of.isoformat()}"


def headline(digest: Digest) -> str:
    """What the digest holds, in one line: `3 new breaches, 2 deadlines coming up, 1 resolved`;
    items left out by the receiver's cap are counted too."""
    left_out = digest.left_out or LeftOut()
    counts: list[str] = []
    for kind, (one, many) in _HEADLINE_NOUNS.items():
        listed = sum(1 for item in digest.new if item.kind is kind)
        number = listed + left_out.new.get(kind.value, 0)
        if number:
            counts.append(_count(number, one, many))
    reminders = len(digest.reminders) + left_out.reminders
    if reminders:
        counts.append(_count(reminders, "deadline coming up", "deadlines coming up"))
    resolved = len(digest.resolved) + left_out.resolved
    if resolved:
        counts.append(f"{resolved} resolved")
    if digest.open_count is not None:
        # All open findings, today's new ones included ("1 new breach, 1 still open" read as two).
        counts.append(f"{digest.open_count.total} open in all")
    text = ", ".join(counts) if counts else "nothing new"
    if digest.undelivered is not None:
        text = f"undelivered digest for {digest.undelivered.receiver}: {text}"
    return text


def sections(digest: Digest) -> list[Section]:
    """The digest's sections in reading order: why it is here (for a fallback copy), new findings
    by kind, deadlines coming up, resolved findings, the open count, and what the receiver's cap
    left out (counted)."""
    left_out = digest.left_out or LeftOut()
    found: list[Section] = []
    if digest.undelivered is not None:
        note = (
            f"This digest was meant for '{digest.undelivered.receiver}', but it could not be "
            f"delivered there ({digest.undelivered.reason}). It is sent here instead: please "
            "pass it on, and check that receiver's webhook."
        )
        found.append(Section("Not delivered", (Entry("", (note,)),)))
    for kind, heading in _NEW_SECTION.items():
        items = [item for item in digest.new if item.kind is kind]
        if not items:
            continue
        if kind is FindingKind.UNKNOWN:
            entries = unknown_entries(items)
        else:
            entries = tuple(_new_entry(item, digest.as_of) for item in items)
        counted = left_out.new.get(kind.value, 0)
        found.append(Section(_listed(heading, len(items), counted), entries))
    if digest.reminders:
        entries = tuple(_reminder_entry(reminder) for reminder in digest.reminders)
        heading = _listed("Deadlines coming up", len(entries), left_out.reminders)
        found.append(Section(heading, entries))
    if digest.resolved:
        entries = tuple(_resolved_entry(item) for item in digest.resolved)
        heading = _listed("Resolved since the last digest", len(entries), left_out.resolved)
        found.append(Section(heading, entries))
    if digest.open_count is not None:
        by_kind = ", ".join(
            _count(number, *_OPEN_NOUNS.get(kind, (kind, kind)))
            for kind, number in digest.open_count.by_kind.items()
        )
        total = digest.open_count.total
        text = f"{_count(total, 'finding is', 'findings are')} open: {by_kind}."
        found.append(Section("Open in all", (Entry("", (text,)),)))
    if left_out.total:
        found.append(Section("Not listed here", (Entry("", (left_out_words(left_out),)),)))
    return found


def left_out_words(left_out: LeftOut) -> str:
    """`... and 2950 more: see the report (2900 new breaches, 50 rights triggered). Only ...`"""
    counted = [
        _count(left_out.new[kind.value], *_HEADLINE_NOUNS[kind])
        for kind in _HEADLINE_NOUNS
        if left_out.new.get(kind.value)
    ]
    if left_out.reminders:
        counted.append(_count(left_out.reminders, "deadline coming up", "deadlines coming up"))
    if left_out.resolved:
        counted.append(f"{left_out.resolved} resolved")
    return (
        f"... and {left_out.total} more: see the report ({', '.join(counted)}). Only the most "
        "severe and most recent are listed here; the others will not be listed in a later "
        "digest either."
    )


def _listed(heading: str, listed: int, left_out: int) -> str:
    """ "New breaches (3)", or "New breaches (50 of 2900)" when the cap left some out."""
    if left_out:
        return f"{heading} ({listed} of {listed + left_out})"
    return f"{heading} ({listed})"


def finding_title(item: Item) -> str:
    return f"{item.agreement}, clause {item.clause}: {item.clause_title}"


def _new_entry(item: Item, as_of: date) -> Entry:
    details = f"Date: {item.date.isoformat()} · Subject: {item.subject} · Severity: {item.severity}"
    if item.first_seen is not None and item.first_seen < as_of:  # found on a night without alerts
        details += f" · First found: {item.first_seen.isoformat()}"
    return Entry(
        finding_title(item),
        (item.message, details, *_evidence(item), f"Fingerprint: {item.fingerprint}"),
    )


def unknown_entries(items: Sequence[Item]) -> tuple[Entry, ...]:
    """The unknown section, short: one line per agreement and cause, however many findings a
    missing feed made ("hooli-saas-2025, clause 8.1: 12 findings cannot be told: the billing
    feed has no data"), at most `MAX_UNKNOWN_GROUPS` of them (the rest counted), then where each
    finding is. Agreements in order, and within one the cause with the most findings first."""
    groups: dict[tuple[str, str | None], list[Item]] = {}
    for item in items:
        groups.setdefault((item.agreement, _cause(item)), []).append(item)
    ordered = sorted(
        groups.items(), key=lambda group: (group[0][0], -len(group[1]), group[0][1] or "")
    )
    lines = [_unknown_line(agreement, cause, grouped) for (agreement, cause), grouped in ordered]
    entries = [Entry("", (line,)) for line in lines[:MAX_UNKNOWN_GROUPS]]
    rest = ordered[MAX_UNKNOWN_GROUPS:]
    if rest:
        findings = sum(len(grouped) for _, grouped in rest)
        agreements = len({agreement for (agreement, _), _ in rest})
        entries.append(
            Entry(
                "",
                (
                    f"... and {_count(findings, 'more finding', 'more findings')} "
                    f"({_count(agreements, 'agreement', 'agreements')}) that cannot be told.",
                ),
            )
        )
    entries.append(
        Entry(
            "",
            (
                "Neither compliant nor breaches: the data that would decide them is not there "
                "tonight. The report lists each finding.",
            ),
        )
    )
    return tuple(entries)


def _cause(item: Item) -> str | None:
    """Why it cannot be told, as its message says after "cannot be told: "; None when the
    message does not say (or is withheld from the channel)."""
    if item.message == WITHHELD:
        return None
    _, mark, cause = item.message.rpartition(_CAUSE_MARK)
    if not mark or not cause.strip():
        return None
    return cause.strip()


def _unknown_line(agreement: str, cause: str | None, items: Sequence[Item]) -> str:
    clauses = sorted({item.clause for item in items}, key=natural_key)
    named = ", ".join(clauses[:MAX_UNKNOWN_CLAUSES])
    if len(clauses) > MAX_UNKNOWN_CLAUSES:
        named += f" and {len(clauses) - MAX_UNKNOWN_CLAUSES} more"
    where = f"{agreement}, {'clause' if len(clauses) == 1 else 'clauses'} {named}"
    told = f"{_count(len(items), 'finding', 'findings')} cannot be told"
    if cause is not None:
        return f"{where}: {told}: {cause}"
    if any(item.message == WITHHELD for item in items):
        return f"{where}: {told} (why is withheld from this channel: see the report)"
    return f"{where}: {told} (why: see the report)"


def _reminder_entry(reminder: Reminder) -> Entry:
    item = reminder.item
    if reminder.days_left == 0:
        due = f"Due today, {item.date.isoformat()}."
    else:
        due = f"Due in {_count(reminder.days_left, 'day', 'days')}, on {item.date.isoformat()}."
    return Entry(finding_title(item), (due, item.message, f"Fingerprint: {item.fingerprint}"))


def _resolved_entry(item: Item) -> Entry:
    return Entry(
        finding_title(item),
        (f"Resolved: {item.message}", f"Fingerprint: {item.fingerprint}"),
    )


def _evidence(item: Item) -> tuple[str, ...]:
    if not item.evidence:
        return ()
    shown = "; ".join(
        f"{e.fact_id} ({e.fact_type}, {e.at}, {e.source})"
        for e in item.evidence[:MAX_EVIDENCE_SHOWN]
    )
    hidden = len(item.evidence) - MAX_EVIDENCE_SHOWN
    if hidden > 0:
        shown += f"; and {_count(hidden, 'more fact', 'more facts')}"
    return (f"Evidence: {shown}",)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


Unit = TypeVar("Unit")


def pack(
    laid_out: Sequence[tuple[str, Sequence[Unit]]],
    heading: Callable[[str, bool], list[Unit]],
    fits: Callable[[list[Unit]], bool],
) -> list[list[Unit]]:
    """Split sections of rendered units into parts that each `fits`, in order.

    `laid_out` holds (section title, its units); `heading(title, continued)` renders a section's
    heading, repeated with `continued` at the top of a part a section runs on into. A unit that
    does not fit even alone in a part gets a part of its own: renderers keep units small enough
    that this never happens (they shorten long texts), so a digest is split, never dropped.
    """
    parts: list[list[Unit]] = []
    current: list[Unit] = []
    for section_title, units in laid_out:
        started = False
        for unit in units:
            candidate = [*current, *([] if started else heading(section_title, False)), unit]
            if current and not fits(candidate):
                parts.append(current)
                candidate = [*heading(section_title, started), unit]
            current = candidate
            started = True
    if current:
        parts.append(current)
    return parts
