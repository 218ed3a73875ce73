"""The canonical activity fact: one validated record of something a party did, with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checker.dates.timeutil import date_of_epoch, iso_of_epoch

# Envelope fields every fact has; everything else on a fact is an attribute.
ENVELOPE_FIELDS = ("id", "type", "at", "partner")

Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Fact:
    """A validated activity fact.

    `at` is seconds since the epoch (UTC). `source` is "path:line" of the line it was read from.
    `attrs` holds every field outside the envelope, values as JSON gave them (CSV: see fact_input).
    """

    id: str
    type: str
    at: int
    partner: str | None
    attrs: dict[str, Any] = field(hash=False, compare=False)
    source: str = field(default="", compare=False)

    @property
    def day(self) -> date:
        return date_of_epoch(self.at)

    @property
    def at_iso(self) -> str:
        return iso_of_epoch(self.at)

    def get(self, name: str) -> Any:
        """Value of an envelope field or attribute by name; None when absent."""
        if name == "partner":
            return self.partner
        if name == "type":
            return self.type
        if name == "id":
            return self.id
        if name == "at":
            return self.at
        return self.attrs.get(name)


@dataclass(slots=True)
class FactCounts:
    """What happened to every input line: nothing is silently lost."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0  # same id, same content: kept once
    after_as_of: int = 0  # valid, but later than the as-of instant: ignored
