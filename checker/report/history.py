"""How a run's history across nights (`run --state`: new, open, resolved, stale) reads in the
table and json reports, and the recent runs that `contract-checker state` lists."""

from __future__ import annotations

import textwrap
from collections import Counter
from typing import Any

from tabulate import tabulate

from checker.findings.model import Finding
from checker.findings.tracking import Gone, RunHistory, Status, Tracked
from checker.state import RunRecord


def status_cell(history: RunHistory, finding: Finding) -> str:
    """ "new", "open since 2026-03-01", or "" for a finding the history does not know."""
    tracked = history.status_of(finding)
    if tracked is None:
        return ""
    if tracked.status is Status.NEW:
        return "new"
    return f"{tracked.status.value} since {tracked.first_seen.isoformat()}"


def status_fields(history: RunHistory, finding: Finding) -> dict[str, Any]:
    """The json fields a finding gets from the history: status, first_seen, last_seen."""
    return _tracked_fields(history.status_of(finding))


def status_counts(history: RunHistory) -> dict[str, int]:
    """Tonight's findings by status (new, open), and the findings resolved and stale tonight."""
    counts = Counter(tracked.status.value for tracked in history.tracked.values())
    return {
        Status.NEW.value: counts[Status.NEW.value],
        Status.OPEN.value: counts[Status.OPEN.value],
        Status.RESOLVED.value: len(history.resolved),
        Status.STALE.value: len(history.stale),
    }


def history_json(history: RunHistory) -> dict[str, Any]:
    """The json report's `history` object: counts, and the resolved and stale findings."""
    return {
        "run_id": history.run_id,
        "previous_as_of": history.previous_as_of.isoformat() if history.previous_as_of else None,
        "counts": status_counts(history),
        "resolved": [_gone_record(gone) for gone in history.resolved],
        "stale": [_gone_record(gone) for gone in history.stale],
    }


def history_sections(history: RunHistory) -> list[str]:
    """The table report's sections of findings no longer reported: resolved, then stale."""
    lines: list[str] = []
    since = _since(history)
    if history.resolved:
        lines += ["", f"Resolved {since} ({len(history.resolved)}): no longer reported.", ""]
        lines.append(_gone_table(history.resolved, with_reason=False))
    if history.stale:
        lines += [
            "",
            f"Stale ({len(history.stale)}): not reported tonight, but tonight cannot tell "
            "whether they are resolved, for the reason given.",
            "",
        ]
        lines.append(_gone_table(history.stale, with_reason=True))
    return lines


def history_summary(history: RunHistory) -> str:
    """One summary line: "Since 2026-03-01: 1 new, 4 open, 2 resolved, 0 stale (state run 7)."."""
    counts = status_counts(history)
    listed = ", ".join(f"{count} {status}" for status, count in counts.items())
    return f"{_since(history).capitalize()}: {listed} (state run {history.run_id})."


def runs_table(path: str, runs: list[RunRecord], totals: dict[str, int]) -> str:
    """The `state` command's listing: current totals, then the recent runs, newest first."""
    lines = [
        f"State file {path}: {len(runs)} most recent run(s), newest first.",
        "Findings now: " + ", ".join(f"{count} {status}" for status, count in totals.items()) + ".",
        "",
    ]
    if not runs:
        lines.append("No runs recorded yet.")
        return "\n".join(lines) + "\n"
    rows = [
        [
            run.id,
            run.night.isoformat(),
            _outcome(run),
            "" if run.exit_code is None else run.exit_code,
            run.started_at,
            run.finished_at or "",
            "" if run.facts_read is None else run.facts_read,
            " / ".join(str(run.findings_by_kind[kind]) for kind in _KINDS),
            " / ".join(str(run.statuses[status.value]) for status in Status),
        ]
        for run in runs
    ]
    headers = [
        "run",
        "as of",
        "outcome",
        "exit",
        "started",
        "finished",
        "facts read",
        "breach / trigger / deadline / error / unknown / waived",
        "new / open / resolved / stale",
    ]
    lines.append(tabulate(rows, headers=headers, disable_numparse=True))
    return "\n".join(lines) + "\n"


_KINDS = ("breach", "trigger", "deadline", "error", "unknown", "waived")


def _since(history: RunHistory) -> str:
    if history.previous_as_of is None:
        return "since no earlier night (first recorded run)"
    return f"since {history.previous_as_of.isoformat()}"


def _tracked_fields(tracked: Tracked | None) -> dict[str, Any]:
    if tracked is None:
        return {"status": None, "first_seen": None, "last_seen": None}
    return {
        "status": tracked.status.value,
        "first_seen": tracked.first_seen.isoformat(),
        "last_seen": tracked.last_seen.isoformat(),
    }


def _gone_record(gone: Gone) -> dict[str, Any]:
    record = {**gone.finding.to_dict(), **_tracked_fields(gone.tracked)}
    if gone.tracked.status is Status.STALE:
        record["stale_reason"] = gone.reason
    return record


def _gone_table(listed: list[Gone], with_reason: bool) -> str:
    rows = []
    for gone in listed:
        finding = gone.finding
        row = [
            finding.agreement,
            finding.date.isoformat(),
            finding.clause,
            finding.kind.value,
            textwrap.fill(finding.message, 50),
            f"{gone.tracked.first_seen.isoformat()}\nto {gone.tracked.last_seen.isoformat()}",
        ]
        if with_reason:
            row.append(
                textwrap.fill(gone.reason, 40, break_long_words=False, break_on_hyphens=False)
            )
        rows.append(row)
    headers = ["agreement", "date", "clause", "kind", "last reported message", "seen"]
    if with_reason:
        headers.append("why not resolved")
    return tabulate(rows, headers=headers, disable_numparse=True)


def _outcome(run: RunRecord) -> str:
    """ "completed", with what a reader should know: a rerun replaced it, or no end is recorded
    after its findings were (killed while sending alerts, whose messages wait in the outbox for
    the next run; or still sending them)."""
    text = run.outcome
    if run.outcome == "completed" and run.finished_at is None:
        text += "\n(no end recorded: killed\nwhile sending alerts, or\nstill sending)"
    if run.superseded_by:
        text += f"\n(rerun as {run.superseded_by})"
    return text
