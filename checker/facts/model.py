"""The canonical activity fact: one validated record of something a party did, with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checker.dates.timeutil import date_of_epoch, iso_of_epoch, parse_instant

# Envelope fields every fact has; everything else on a fact is an attribute.
ENVELOPE_FIELDS = ("id", "type", "at", "partner")
# The optional envelope field saying when the export recorded this version of a fact: a later one
# corrects an earlier one (FactStore.finish). Not among the fields rules read (ENVELOPE_FIELDS):
# a verdict is about what happened, not about when an export said so.
RECORDED_AT = "recorded_at"

Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Fact:
    """A validated activity fact.

    `at` is seconds since the epoch (UTC). `source` is "path:line" of the line it was read from.
    `attrs` holds every field outside the envelope, values as JSON gave them (CSV: see fact_input).
    `recorded_at` is when this version was recorded (seconds since the epoch), None when the line
    did not say: a later record of the same id corrects it (checker.facts.store).
    """

    id: str
    type: str
    at: int
    partner: str | None
    attrs: dict[str, Any] = field(hash=False, compare=False)
    source: str = field(default="", compare=False)
    recorded_at: int | None = field(default=None, compare=False)

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
        if name == RECORDED_AT:
            return self.recorded_at
        return self.attrs.get(name)


@dataclass(slots=True)
class FactCounts:
    """What happened to every input line: nothing is silently lost."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0  # same id, same content: kept once
    after_as_of: int = 0  # valid, but later than the as-of instant: ignored
    superseded: int = 0  # an earlier version of an id that a later record corrected: evidence
    recorded_later: int = 0  # recorded after --known-as-of: ignored, as if not yet exported


def recorded_instant(value: object) -> int:
    """Epoch seconds of a `recorded_at` value: an ISO-8601 instant with offset, or a date (00:00
    UTC). Raises ValueError with the reason a line is rejected for."""
    if type(value) is not str:
        kinds = {bool: "a boolean", int: "a number", float: "a number", list: "a list"}
        raise ValueError(
            "'recorded_at' must be a string (an ISO-8601 instant with offset, or a date), got "
            + kinds.get(type(value), "an object")
        )
    try:
        return parse_instant(value)
    except (ValueError, OverflowError) as error:
        raise ValueError(
            f"'recorded_at' is not an ISO-8601 instant with offset or a date: {value!r} ({error})"
        ) from None
