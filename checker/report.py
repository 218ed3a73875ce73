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
    }


def as_table(result: RunResult) -> str:
    rows = [
        [
            f.agreement,
            f.date.isoformat(),
            f.clause,
            f.kind.value,
            f.severity.value,
            textwrap.fill(f.message, 70),
            "\n".join(f"{e.fact_id} ({e.source})" for e in f.evidence),
        ]
        for f in result.findings
    ]
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
        "",
        f"As of {s['as_of']}, horizon {s['horizon_days']} days: "
        f"{s['agreements']} agreements, {s['clauses']} clauses.",
        f"Facts: {facts['read']} read, {facts['accepted']} accepted, {facts['rejected']} rejected, "
        f"{facts['duplicates']} duplicates, {facts['after_as_of']} after as-of (ignored), "
        f"{facts['irrelevant']} read by no clause.",
        f"Findings: {findings}.",
    ]
    return "\n".join(lines) + "\n"


def as_json(result: RunResult) -> str:
    document = {
        "summary": summary_dict(result.summary),
        "findings": [f.to_dict() for f in result.findings],
        "fact_errors": [{"source": d.location, "reason": d.message} for d in result.fact_errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_jsonl(result: RunResult) -> Iterator[str]:
    for finding in result.findings:
        yield json.dumps(finding.to_dict(), ensure_ascii=False) + "\n"


def as_csv(result: RunResult) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for finding in result.findings:
        row = finding.to_dict()
        row["evidence"] = "; ".join(f"{e['fact_id']} ({e['source']})" for e in row["evidence"])
        writer.writerow([spreadsheet_safe(str(row[column])) for column in CSV_COLUMNS])
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
