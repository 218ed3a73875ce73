"""What a row of `runs` holds: the run's outcome, the run being recorded, a recorded run read
back for listing, and the wall-clock stamps a run records (start and finish are only recorded:
evaluation never reads the clock)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


class Outcome(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    INVALID_RULES = "invalid rules"
    INPUT_UNREADABLE = "input unreadable"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class CurrentRun:
    """The run being recorded: its id in `runs`, its as-of instant and its night (UTC date)."""

    id: int
    as_of: int
    night: date


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One row of `runs`, for listing recent runs."""

    id: int
    as_of: str
    night: date
    outcome: str
    exit_code: int | None
    started_at: str
    finished_at: str | None
    facts_read: int | None
    findings_by_kind: Mapping[str, int]
    statuses: Mapping[str, int]
    superseded_by: int | None


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
