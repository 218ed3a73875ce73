"""What a run knows about its findings' history, when it keeps state across runs (`--state`).

The state store (checker/state/) produces a `RunHistory`; reports and alerts read it. Without
`--state` a run has no history and every finding is simply reported.

Statuses, from one night to the next:

* new: first seen on this run's as-of date (a rerun of the same night keeps it new);
* open: seen on an earlier as-of date and again on this one;
* resolved: seen before, not any more, and its agreement was evaluated completely tonight with
  its inputs present and its clause still in the rules;
* stale: seen before, not tonight, but tonight cannot tell (the agreement failed to evaluate,
  it is `unknown` tonight, an input file it rested on is missing, or its clause was removed):
  never counted as resolved.

An `unknown` finding (the data that would decide it is not there) is a finding of its own, with
its own fingerprint, and gets these statuses like any other. A finding whose agreement, clause
and subject are unknown tonight (a breach whose feed has not arrived) is stale, not resolved; it
is open again when the data is back and still shows it (checker/state/judging.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from checker.findings.model import Finding


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    RESOLVED = "resolved"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class Tracked:
    """A finding's history: its status tonight and the as-of dates it was first and last seen."""

    status: Status
    first_seen: date
    last_seen: date


@dataclass(frozen=True, slots=True)
class Gone:
    """A finding reported before but not tonight: resolved, or stale with the reason why."""

    finding: Finding  # as it was last reported
    tracked: Tracked
    reason: str = ""  # for stale findings: why tonight cannot tell


@dataclass(slots=True)
class RunHistory:
    """The history of one run's findings, and what is no longer reported."""

    run_id: int
    previous_as_of: date | None  # the as-of date of the latest earlier run, if any
    tracked: Mapping[str, Tracked] = field(default_factory=dict)  # fingerprint -> history
    resolved: list[Gone] = field(default_factory=list)
    stale: list[Gone] = field(default_factory=list)

    def status_of(self, finding: Finding) -> Tracked | None:
        return self.tracked.get(finding.fingerprint)
