"""How far each feed's data is complete tonight: a finding that rests on the absence of facts
(an obligation not done) or on a period's total can be told only up to there.

A feed is the export a fact type comes from (the fact-type catalogue's `feed`; by default each
fact type is a feed of its own). Its data is complete through the instant declared for it
(`--complete-through FEED=INSTANT`, or `feeds.yaml` beside the exports) or, by default, through
its latest fact read tonight; a feed with no facts has no data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import yaml

from checker.common.diagnostics import Diagnostic, InputError
from checker.dates.timeutil import (
    SECONDS_PER_DAY,
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


MANIFEST_NAME = "feeds.yaml"


def declared_in(fact_paths: Sequence[str]) -> dict[str, int]:
    """How far feeds are complete as the exports declare it: `feeds.yaml` in a facts directory
    (or beside a facts file), `complete_through: {FEED: date or instant}`; a date means the end of
    that day. InputError naming the file and the reason when one cannot be read."""
    declared: dict[str, int] = {}
    seen: set[str] = set()
    for path in fact_paths:
        if not os.path.exists(path):
            continue  # standard input, or a path the reading reports
        directory = path if os.path.isdir(path) else os.path.dirname(path) or "."
        manifest = os.path.join(directory, MANIFEST_NAME)
        if manifest in seen or not os.path.isfile(manifest):
            continue
        seen.add(manifest)
        declared.update(_read_manifest(manifest))
    return declared


def _read_manifest(path: str) -> dict[str, int]:
    def problem(reason: str) -> InputError:
        return InputError([Diagnostic(path, 1, 1, reason)])

    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise problem(f"cannot read the feeds manifest: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("complete_through"), dict):
        raise problem("a feeds manifest holds 'complete_through: {FEED: 2026-11-21}'")
    found: dict[str, int] = {}
    for feed, value in data["complete_through"].items():
        instant = complete_instant(value)
        if not isinstance(feed, str) or instant is None:
            raise problem(
                f"feed {feed!r}: {value!r} is not a date (2026-11-21) or an instant "
                "(2026-11-21T18:00:00Z)"
            )
        found[feed] = instant
    return found


def complete_instant(value: object) -> int | None:
    """The last complete instant a declaration names: a date is complete through its end."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp())
    if isinstance(value, date):
        return end_of_date(value)
    if isinstance(value, str):
        try:
            return end_of_date(date.fromisoformat(value))
        except ValueError:
            try:
                return parse_instant(value)
            except ValueError:
                return None
    return None
