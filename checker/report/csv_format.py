"""The csv report: one row per finding, written as it is read from the spool."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from checker.evaluation.run import RunResult
from checker.findings.model import Finding
from checker.report.reading import snooze_of
from checker.report.spreadsheet import spreadsheet_safe
from checker.rulebook.applying_waivers import CSV_COLUMNS as WAIVER_CSV_COLUMNS

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
# With --notify, after the waiver columns: the snooze keeping the finding out of chat (empty
# when none does). Without --notify there are no snoozes and no such columns, as in the json.
SNOOZE_CSV_COLUMNS = (
    "snooze",
    "snooze_author",
    "snooze_comment",
    "snooze_expires",
    "snooze_source",
)


def as_csv(result: RunResult) -> Iterator[str]:
    """One row per finding, waived ones included; the waiver columns are empty when no waiver
    names the finding, else `waiver_status` is "waived" or "expired" (reported again). With
    --notify, the snooze columns say which snooze keeps a finding out of chat (it is still
    reported and counted).

    Rows end in CRLF (RFC 4180, as spreadsheets write them): with that terminator the writer
    also quotes any cell holding a carriage return, which a bare LF terminator would leave
    unquoted and so split the row. Every cell goes through `spreadsheet_safe`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    with_snoozes = result.snoozes is not None
    writer.writerow(CSV_COLUMNS + WAIVER_CSV_COLUMNS + (SNOOZE_CSV_COLUMNS if with_snoozes else ()))
    for finding in result.findings:
        row = finding.to_dict()
        row["evidence"] = "; ".join(f"{e['fact_id']} ({e['source']})" for e in row["evidence"])
        cells = [str(row[column]) for column in CSV_COLUMNS]
        cells += result.waivers.decide(finding).csv_cells()
        if with_snoozes:
            cells += _snooze_cells(result, finding)
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _snooze_cells(result: RunResult, finding: Finding) -> list[str]:
    snooze = snooze_of(result, finding)
    if snooze is None:
        return [""] * len(SNOOZE_CSV_COLUMNS)
    record = snooze.to_dict()
    return [record["scope"], snooze.author, snooze.comment, record["expires"], record["source"]]


def as_csv_with_bom(result: RunResult) -> Iterator[str]:
    """The csv report after a UTF-8 byte-order mark (`run --csv-bom`): Excel on Windows reads a
    CSV file as UTF-8 only when it starts with one, and garbles accented names otherwise."""
    yield "\ufeff"
    yield from as_csv(result)
