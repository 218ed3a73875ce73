"""Every report format by name: `FORMATTERS` maps a format's name to its formatter."""

from __future__ import annotations

from checker.common.text_output import write_atomically, write_report
from checker.report.csv_format import CSV_COLUMNS, as_csv
from checker.report.html_page import as_html
from checker.report.ics import as_ics
from checker.report.json_formats import as_json, as_jsonl
from checker.report.junit import as_junit
from checker.report.markdown import as_markdown
from checker.report.spreadsheet import spreadsheet_safe
from checker.report.summary import summary_dict
from checker.report.table import as_table
from checker.report.targets import Formatter

FORMATTERS: dict[str, Formatter] = {
    "table": as_table,
    "json": as_json,
    "jsonl": as_jsonl,
    "csv": as_csv,
    "markdown": as_markdown,
    "html": as_html,
    "ics": as_ics,
    "junit": as_junit,
}

__all__ = [
    "CSV_COLUMNS",
    "FORMATTERS",
    "Formatter",
    "as_csv",
    "as_html",
    "as_ics",
    "as_json",
    "as_jsonl",
    "as_junit",
    "as_markdown",
    "as_table",
    "spreadsheet_safe",
    "summary_dict",
    "write_atomically",
    "write_report",
]
