"""Where a run's reports go: `--format/--output` and any number of `--report FORMAT:PATH`.

Targets are checked before the run starts (a known format, an existing directory, no file named
twice), so a long nightly run does not end on a typo; each file is then written atomically, and
a file that cannot be written is reported without stopping the others. (A target is read from
the command line by `checker.report.names.parse_target`, which imports no report module.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

from checker.common.text_output import write_atomically, write_report
from checker.evaluation.run import RunResult
from checker.report.names import ReportTarget

Formatter = Callable[[RunResult], str | Iterable[str]]
"""A report as one text, or as pieces written one after another (large outputs stream)."""


def target_problems(targets: Iterable[ReportTarget]) -> list[str]:
    """What would stop a target from being written, found before the run: each problem with a
    help line."""
    problems: list[str] = []
    seen: dict[str, ReportTarget] = {}
    for target in targets:
        if target.path is None:
            continue
        real = os.path.realpath(target.path)
        directory = os.path.dirname(os.path.abspath(target.path))
        if real in seen:
            problems.append(
                f"error: {target.path} is named for two reports ({seen[real].format} and "
                f"{target.format})\n  help: give each report its own file"
            )
        seen.setdefault(real, target)
        if not os.path.isdir(directory):
            problems.append(
                f"error: cannot write the {target.format} report to {target.path}: the directory "
                f"{directory} does not exist\n  help: create it first (mkdir -p {directory})"
            )
        elif os.path.isdir(target.path):
            problems.append(
                f"error: cannot write the {target.format} report to {target.path}: it is a "
                "directory\n  help: name a file, e.g. "
                f"{os.path.join(target.path, 'report.' + target.format)}"
            )
    return problems


def write_targets(
    result: RunResult,
    targets: Iterable[ReportTarget],
    formatters: Mapping[str, Formatter],
    stdout: TextIO,
) -> list[str]:
    """Write every report; return a message for each that could not be written (the others
    are written all the same, and a file that failed keeps its previous content)."""
    failures: list[str] = []
    for target in targets:
        report = formatters[target.format](result)
        if target.path is None:
            write_report(report, stdout)
            continue
        try:
            write_atomically(target.path, report)
        except OSError as error:
            failures.append(
                f"error: the {target.format} report was not written to {target.path}: "
                f"{error.strerror or error}\n  help: check that the directory exists and can "
                "be written to; the previous file, if any, is unchanged"
            )
    return failures
