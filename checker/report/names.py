"""The report formats by name, and `--report FORMAT:PATH` read into a `ReportTarget`.

The command line needs these while it parses its options, before anything has run; they live
apart from `checker.report` so that parsing does not import every formatter (HTML, calendars,
JUnit...). `checker.report.FORMATTERS` maps the same names to the formatters (a test keeps the
two in step).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

REPORT_FORMATS = ("table", "json", "jsonl", "csv", "markdown", "html", "ics", "junit")


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """One report: a format, and the file to write it to (None: standard output)."""

    format: str
    path: str | None = None

    @property
    def where(self) -> str:
        return self.path if self.path is not None else "standard output"


def parse_target(text: str, formats: Iterable[str]) -> ReportTarget:
    """`html:out/report.html` -> ReportTarget("html", "out/report.html").

    Raises ValueError with a message naming the problem and the formats there are.
    """
    known = sorted(formats)
    name, colon, path = text.partition(":")
    if not colon or not name or not path:
        raise ValueError(
            f"--report takes FORMAT:PATH, got '{text}'; e.g. --report html:out/report.html "
            f"(formats: {', '.join(known)})"
        )
    if name not in known:
        raise ValueError(
            f"--report '{text}': unknown format '{name}'; the formats are {', '.join(known)}"
        )
    return ReportTarget(name, path)
