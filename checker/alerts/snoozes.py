"""Snoozes: which findings are kept out of chat tonight, and which snoozes expired or matched
nothing.

A snooze covers one finding (by fingerprint), every finding of one clause, or every finding of
one agreement, through the end of its `expires` day. A snoozed finding stays in every report,
marked with its snooze; it only leaves chat. A finding covered by several snoozes is credited to
the most specific (fingerprint, then clause, then agreement; ties go to the first written).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from checker.alerts.notifications_loading import Notifications
from checker.alerts.notifications_model import Snooze
from checker.common.diagnostics import Diagnostic, Level
from checker.findings.model import Finding


@dataclass(frozen=True, slots=True)
class SnoozeRecord:
    """A snooze as written, with where: what reports show next to a snoozed finding."""

    number: int  # 1-based position in the file
    scope: str  # what it covers, in words
    author: str
    comment: str
    expires: date
    path: str
    line: int
    fingerprint: str | None
    agreement: str | None
    clause: str | None

    @property
    def specificity(self) -> int:
        """2 for a fingerprint, 1 for a clause, 0 for a whole agreement."""
        return 2 if self.fingerprint is not None else int(self.clause is not None)

    def covers(self, finding: Finding) -> bool:
        if self.fingerprint is not None:
            return finding.fingerprint == self.fingerprint
        return finding.agreement == self.agreement and (
            self.clause is None or finding.clause == self.clause
        )

    def describe(self) -> str:
        """`snoozed in chat until 2026-12-31 by Maria Weber: amendment being signed`."""
        return f"snoozed in chat until {self.expires} by {self.author}: {self.comment}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "author": self.author,
            "comment": self.comment,
            "expires": self.expires.isoformat(),
            "source": f"{self.path}:{self.line}",
        }


class Snoozes:
    """The snoozes of one run as of its as-of date: decides each finding and keeps count."""

    def __init__(self, records: Sequence[SnoozeRecord], as_of: date) -> None:
        self.as_of = as_of
        self.records = tuple(records)
        self._active = sorted(
            (record for record in self.records if as_of <= record.expires),
            key=lambda record: -record.specificity,  # stable: ties stay in file order
        )
        self.matched: Counter[int] = Counter()  # snooze number -> findings it covered tonight

    @classmethod
    def of(cls, notifications: Notifications, as_of: date) -> Snoozes:
        records = [
            _record(number, snooze, notifications.path, line)
            for number, (snooze, line) in enumerate(
                zip(notifications.model.snoozes, notifications.snooze_lines, strict=True), 1
            )
        ]
        return cls(records, as_of)

    def decide(self, finding: Finding) -> SnoozeRecord | None:
        """The active snooze that covers the finding, if any (and count it)."""
        for record in self._active:
            if record.covers(finding):
                self.matched[record.number] += 1
                return record
        return None

    def warnings(self) -> list[Diagnostic]:
        """A warning for each expired snooze and each active one that covered no finding."""
        found = []
        for record in self.records:
            if record.expires < self.as_of:
                message = (
                    f"snooze {record.number} ({record.scope}) expired on {record.expires}: "
                    "its findings are sent to chat again"
                )
                help_text = "remove it, or give it a later 'expires:' date"
            elif not self.matched[record.number]:
                message = f"snooze {record.number} ({record.scope}) covers no finding of this run"
                help_text = "check the fingerprint, agreement and clause; or remove it"
            else:
                continue
            found.append(Diagnostic(record.path, record.line, 0, message, help_text, Level.WARNING))
        return found


def _record(number: int, snooze: Snooze, path: str, line: int) -> SnoozeRecord:
    if snooze.fingerprint is not None:
        scope = f"finding {snooze.fingerprint}"
    elif snooze.clause is not None:
        scope = f"{snooze.agreement} clause {snooze.clause}"
    else:
        scope = f"every finding of {snooze.agreement}"
    return SnoozeRecord(
        number=number,
        scope=scope,
        author=snooze.author,
        comment=snooze.comment,
        expires=snooze.expires,
        path=path,
        line=line,
        fingerprint=snooze.fingerprint,
        agreement=snooze.agreement,
        clause=snooze.clause,
    )
