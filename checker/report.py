"""Formatters that turn a run's findings into text: table, json, jsonl and csv."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from tabulate import tabulate

from checker.findings import FindingKind
from checker.run import RunResult, RunSummary
from checker.timeutil import iso_of_epoch
from checker.waivers import CSV_COLUMNS as WAIVER_CSV_COLUMNS
from checker.waivers import AppliedWaivers, Waiver, finding_record, waiver_record

CSV_COLUMNS = (
    "agreement",
    "clause",
    "clause_title",
    "kind",
    "code",
    "severity",
    "date",
    "subject",
    "message",
    "evidence",
    "owner",
    "calendar",
    "fingerprint",
)


def summary_dict(summary: RunSummary) -> dict[str, Any]:
    counts = summary.counts
    return {
        "as_of": iso_of_epoch(summary.as_of),
        "horizon_days": summary.horizon_days,
        "agreements": summary.agreements,
        "clauses": summary.clauses,
        "facts": {
            "read": counts.read,
            "accepted": counts.accepted,
            "rejected": counts.rejected,
            "duplicates": counts.duplicates,
            "after_as_of": counts.after_as_of,
            "irrelevant": summary.irrelevant,
        },
        "findings": {
            kind.value: summary.findings_by_kind.get(kind.value, 0) for kind in FindingKind
        },
        "waived": summary.waived,
    }


def as_table(result: RunResult) -> str:
    waivers = result.waivers
    rows = []
    for f in result.findings:
        decision = waivers.decide(f)
        if decision.waived:
            continue
        message = textwrap.fill(f.message, 70)
        if decision.waiver is not None:  # reported again: its waiver has expired
            message += f"\n(waiver {decision.waiver.id} expired on {decision.waiver.expires})"
        rows.append(
            [
                f.agreement,
                f.date.isoformat(),
                f.clause,
                f.kind.value,
                f.severity.value,
                message,
                "\n".join(f"{e.fact_id} ({e.source})" for e in f.evidence),
            ]
        )
    headers = ["agreement", "date", "clause", "kind", "severity", "message", "evidence"]
    body = (
        tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
        if rows
        else "No findings."
    )
    s = summary_dict(result.summary)
    facts = s["facts"]
    findings = ", ".join(f"{n} {kind}" for kind, n in s["findings"].items())
    lines = [
        body,
        *_waiver_sections(result),
        "",
        f"As of {s['as_of']}, horizon {s['horizon_days']} days: "
        f"{s['agreements']} agreements, {s['clauses']} clauses.",
        f"Facts: {facts['read']} read, {facts['accepted']} accepted, {facts['rejected']} rejected, "
        f"{facts['duplicates']} duplicates, {facts['after_as_of']} after as-of (ignored), "
        f"{facts['irrelevant']} read by no clause.",
        f"Findings: {findings}.",
    ]
    if waivers.waivers:
        lines.append(
            f"Waivers: {waivers.waived} findings waived; of {len(waivers.waivers)} waivers, "
            f"{len(waivers.expired)} expired and {len(waivers.unused)} unused."
        )
    return "\n".join(lines) + "\n"


def _waiver_sections(result: RunResult) -> list[str]:
    """The table report's waived findings, expired waivers and unused waivers (when any)."""
    waivers = result.waivers
    lines: list[str] = []
    waived_rows = []
    for finding in result.findings:
        decision = waivers.decide(finding)
        if decision.waived and decision.waiver is not None:
            waiver = decision.waiver
            waived_rows.append(
                [
                    finding.agreement,
                    finding.date.isoformat(),
                    finding.clause,
                    finding.kind.value,
                    textwrap.fill(finding.message, 50),
                    f"{waiver.id}, approved by {waiver.approved_by}"
                    + (f" on {waiver.approved_on}" if waiver.approved_on else "")
                    + f"\nuntil {waiver.expires}\n"
                    + textwrap.fill(waiver.reason, 45),
                ]
            )
    if waived_rows:
        headers = ["agreement", "date", "clause", "kind", "message", "waiver"]
        lines += ["", f"Waived findings ({len(waived_rows)}), not counted below:", ""]
        lines.append(tabulate(waived_rows, headers=headers, disable_numparse=True))
    expired = waivers.expired
    if expired:
        lines += ["", f"Expired waivers ({len(expired)}): what they covered is reported again.", ""]
        lines.append(_waiver_table(waivers, expired, "expired on"))
    unused = waivers.unused
    if unused:
        lines += ["", f"Unused waivers ({len(unused)}): no finding in this run matched them.", ""]
        lines.append(_waiver_table(waivers, unused, "expires"))
    return lines


def _waiver_table(waivers: AppliedWaivers, listed: list[Waiver], date_heading: str) -> str:
    rows = [
        [
            waiver.id,
            textwrap.fill(waiver.scope, 45),
            waiver.expires.isoformat(),
            waiver.approved_by,
            textwrap.fill(waiver.reason, 45),
            waivers.matched[waiver.id],
            waiver.source,
        ]
        for waiver in listed
    ]
    headers = [
        "waiver",
        "covers",
        date_heading,
        "approved by",
        "reason",
        "findings covered",
        "written at",
    ]
    return tabulate(rows, headers=headers, disable_numparse=True)


def as_json(result: RunResult) -> str:
    waivers = result.waivers
    findings: list[dict[str, Any]] = []
    waived: list[dict[str, Any]] = []
    for finding in result.findings:
        decision = waivers.decide(finding)
        (waived if decision.waived else findings).append(finding_record(finding, decision))
    document = {
        "summary": summary_dict(result.summary),
        "findings": findings,
        "waivers": {
            "waived": waived,
            "expired": [
                waiver_record(w, {"findings_reported_again": waivers.reported_again(w)})
                for w in waivers.expired
            ],
            "unused": [waiver_record(w) for w in waivers.unused],
        },
        "fact_errors": [{"source": d.location, "reason": d.message} for d in result.fact_errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_jsonl(result: RunResult) -> Iterator[str]:
    """One finding per line, waived ones included: `waiver` is null, or the waiver with its
    `status` ("waived", or "expired" for a finding reported again)."""
    for finding in result.findings:
        record = finding_record(finding, result.waivers.decide(finding))
        yield json.dumps(record, ensure_ascii=False) + "\n"


def as_csv(result: RunResult) -> Iterator[str]:
    """One row per finding, waived ones included; the waiver columns are empty when no waiver
    names the finding, else `waiver_status` is "waived" or "expired" (reported again)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + WAIVER_CSV_COLUMNS)
    for finding in result.findings:
        row = finding.to_dict()
        row["evidence"] = "; ".join(f"{e['fact_id']} ({e['source']})" for e in row["evidence"])
        cells = [str(row[column]) for column in CSV_COLUMNS]
        cells += result.waivers.decide(finding).csv_cells()
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def spreadsheet_safe(cell: str) -> str:
    """Neutralise cells a spreadsheet would run as a formula (=, +, -, @, tab, CR)."""
    if cell and cell[0] in "=+-@\t\r":
        return "'" + cell
    return cell


Formatter = Callable[[RunResult], str | Iterable[str]]
"""A report as one text, or as pieces written one after another (large outputs stream)."""

FORMATTERS: dict[str, Formatter] = {
    "table": as_table,
    "json": as_json,
    "jsonl": as_jsonl,
    "csv": as_csv,
}


def write_report(report: str | Iterable[str], stream: TextIO) -> None:
    if isinstance(report, str):
        stream.write(report)
    else:
        stream.writelines(report)


def write_atomically(path: str, report: str | Iterable[str]) -> None:
    """Write a report to `path` so readers see the old file or the whole new one, never a part."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".contract-checker-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            write_report(report, stream)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
