"""How far each feed's data is complete tonight: a finding that rests on the absence of facts
(an obligation not done) or on a period's total can be told only up to there.

A feed is the export a fact type comes from (the fact-type catalogue's `feed`; by default each
fact type is a feed of its own). Its data is complete through the instant declared for it
(`--complete-through FEED=INSTANT`, or `feeds.yaml` beside the exports, read by
checker.rulebook.feeds_manifest) or, by default, through its latest fact read tonight; a feed
with no facts has no data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from checker.dates.timeutil import (
    SECONDS_PER_DAY,
    NoUtcOffsetError,
    date_of_epoch,
    end_of_date,
    iso_of_epoch,
    parse_instant,
)


@dataclass(frozen=True, slots=True)
class Completeness:
    """Each feed's last complete instant, and which feed each fact type comes from."""

    through: Mapping[str, int] = field(default_factory=dict)  # feed -> last complete instant
    feed_of: Mapping[str, str] = field(default_factory=dict)  # fact type -> feed

    def feed(self, fact_type: str) -> str:
        return self.feed_of.get(fact_type, fact_type)

    def gap(self, fact_type: str, instant: int) -> str | None:
        """Why facts of `fact_type` up to `instant` may be missing tonight, or None when its feed
        is complete through `instant`."""
        feed = self.feed(fact_type)
        last = self.through.get(feed)
        if last is None:
            return f"the {feed} feed has no data"
        if last < instant:
            whole_day = last % SECONDS_PER_DAY == SECONDS_PER_DAY - 1
            shown = date_of_epoch(last).isoformat() if whole_day else iso_of_epoch(last)
            return f"the {feed} feed runs only to {shown}"
        return None


def tonight(
    latest_by_type: Mapping[str, int],
    feed_of: Mapping[str, str],
    declared: Mapping[str, int],
) -> Completeness:
    """The completeness of a run: each feed with facts tonight through its declared instant, or
    else its latest fact; a feed with no facts has no data, whatever was declared for it (its
    export is missing or empty)."""
    through: dict[str, int] = {}
    for fact_type, latest in latest_by_type.items():
        feed = feed_of.get(fact_type, fact_type)
        through[feed] = max(through.get(feed, latest), latest)
    through.update((feed, instant) for feed, instant in declared.items() if feed in through)
    return Completeness(through, dict(feed_of))


def complete_through_instant(value: object) -> int:
    """The last complete instant a declaration names (a date: the end of that day), from
    `--complete-through` or a feeds manifest; ValueError saying what is wrong with it otherwise."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return end_of_date(date.fromisoformat(text))
        except ValueError:
            pass
        try:
            return parse_instant(text)
        except NoUtcOffsetError:
            raise ValueError(
                f"'{value}' has no UTC offset: add 'Z' or an offset like '+01:00'"
                " (2026-11-21T18:00:00Z)"
            ) from None
        except ValueError:
            pass
    shown = f"'{value}'" if isinstance(value, str) else _kind(value)
    raise ValueError(f"{shown} is not a date (2026-11-21) or an instant (2026-11-21T18:00:00Z)")


def _kind(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{value}'"
