"""The Markdown report: a summary, then breaches, rights triggered, deadlines (by date) and what
could not be checked, each as a table; then waived findings, waivers, history and rejected lines.
What could not be checked holds the errors and, when there are any, a table of the unknown
findings (the data that would decide them is not there), headed as such: never as compliant.
A finding snoozed in chat (--notify) says so after its message, with who snoozed it and why.

Every value from rules or facts goes through `markdown_text`, so it shows as written and can
neither break a table nor become a link, an image, a mention or HTML (checked with GitHub's
renderer in the tests). Findings are read from disk one at a time, one pass per section.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator

from checker.evaluation.run import RunResult
from checker.findings.model import Finding, FindingKind, Severity
from checker.findings.tracking import Gone, Status
from checker.report.reading import (
    ERROR_WARNING,
    KIND_HEADINGS,
    KIND_NONE,
    UNKNOWN_WARNING,
    as_of_words,
    clause_words,
    evidence_words,
    expired_waiver_words,
    horizon_end,
    plural,
    printable,
    reported,
    snooze_of,
    snooze_words,
    status_words,
    tally,
    tracked,
    waived,
    waiver_words,
)

MAX_LISTED_FACT_ERRORS = 100
# Markdown punctuation that can start emphasis, code, links, HTML, tables, strikethrough, math,
# entities or issue references: shown as written after a backslash.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$&#])")
# Autolinks: "https://", "ftp://" (any scheme before "//") and "www." become links unless broken.
_SCHEME = re.compile(r":(?=/)")
_WWW = re.compile(r"(?i)(www)\.")
_BLANKS = re.compile(r"\s+")
# The kinds with a section of their own, in order; unknown findings are listed inside the
# "could not be checked" section (the errors').
_SECTIONS = (FindingKind.BREACH, FindingKind.TRIGGER, FindingKind.DEADLINE, FindingKind.ERROR)


def markdown_text(value: str) -> str:
    """`value` as literal Markdown text on one line: it renders as written, no more.

    An "@" goes in a code span: GitHub turns "name@example.com" into a mail link and "@name" into
    a mention even after a backslash.
    """
    text = _BLANKS.sub(" ", printable(value)).strip()
    text = _SPECIAL.sub(r"\\\1", text)
    text = _SCHEME.sub(r"\\:", text)
    text = _WWW.sub(r"\1\\.", text)
    return text.replace("@", "`@`")


def as_markdown(result: RunResult) -> Iterator[str]:
    yield from _summary(result)
    for kind in _SECTIONS:
        yield from _kind_section(result, kind)
    yield from _waived_section(result)
    yield from _waiver_lists(result)
    if result.history is not None:
        yield from _gone_section(
            "Resolved since the last run", result.history.resolved, with_reason=False
        )
        yield from _gone_section(
            "Stale: not seen tonight, but not known to be resolved",
            result.history.stale,
            with_reason=True,
        )
    yield from _fact_errors(result)


def _summary(result: RunResult) -> Iterator[str]:
    summary = result.summary
    counts = tally(result)
    facts = summary.counts
    yield f"# Contract check as of {as_of_words(summary.as_of)}\n\n"
    yield (
        f"**{plural(counts.of_kind(FindingKind.BREACH), 'breach', 'breaches')}, "
        f"{plural(counts.of_kind(FindingKind.TRIGGER), 'right')} triggered, "
        f"{plural(counts.of_kind(FindingKind.DEADLINE), 'deadline')} coming up, "
        f"{plural(counts.of_kind(FindingKind.ERROR), 'rule')} that could not be checked"
        f"{_unknown_words(counts.of_kind(FindingKind.UNKNOWN))}**; "
        f"{plural(summary.waived, 'finding')} waived.\n\n"
    )
    if counts.of_kind(FindingKind.ERROR):
        yield f"> **Warning:** {ERROR_WARNING}\n\n"
    if counts.of_kind(FindingKind.UNKNOWN):
        yield f"> **Warning:** {UNKNOWN_WARNING}\n\n"
    if facts.rejected:
        yield (
            f"> **Warning:** {plural(facts.rejected, 'fact line')} could not be read: "
            "the findings rest on incomplete input (see the end of this report).\n\n"
        )
    yield "| | |\n|---|---|\n"
    yield (
        f"| As of | {as_of_words(summary.as_of)}; deadlines up to {horizon_end(result)} "
        f"({summary.horizon_days} days) |\n"
    )
    yield f"| Agreements | {summary.agreements} ({summary.clauses} clauses) |\n"
    yield (
        f"| Facts | {facts.read} read, {facts.accepted} accepted, {facts.rejected} rejected, "
        f"{facts.duplicates} duplicates, {facts.after_as_of} after the as-of date (ignored), "
        f"{summary.irrelevant} read by no clause |\n"
    )
    history = result.history
    if history is None:
        yield "| Since the last run | not tracked (run with --state to see what is new) |\n"
    else:
        previous = history.previous_as_of
        since = f"the run as of {previous}" if previous else "no earlier run"
        yield (
            f"| Since the last run | compared with {since}: "
            f"{counts.by_status[Status.NEW]} new, {counts.by_status[Status.OPEN]} still open, "
            f"{len(history.resolved)} resolved, {len(history.stale)} stale |\n"
        )
    yield "\n| Findings | " + " | ".join(s.value for s in Severity) + " | total |\n"
    yield "|---|" + "---:|" * (len(Severity) + 1) + "\n"
    for kind in FindingKind:
        cells = [str(counts.by_kind_and_severity[kind, severity]) for severity in Severity]
        yield f"| {KIND_HEADINGS[kind]} | " + " | ".join(cells)
        yield f" | {counts.of_kind(kind)} |\n"
    yield "\n"


def _unknown_words(unknown: int) -> str:
    """ ", 3 findings unknown (data missing)" in the summary line; nothing when there are none."""
    return f", {plural(unknown, 'finding')} unknown (data missing)" if unknown else ""


def _kind_section(result: RunResult, kind: FindingKind) -> Iterator[str]:
    by_date = kind is FindingKind.DEADLINE
    yield f"## {KIND_HEADINGS[kind]}\n\n"
    if kind is FindingKind.ERROR:
        yield f"{ERROR_WARNING}\n\n"
    rows = yield from _table(result, kind, by_date=by_date)
    yield "\n" if rows else f"{KIND_NONE[kind]}\n\n"
    if kind is FindingKind.ERROR:
        intro = f"### {KIND_HEADINGS[FindingKind.UNKNOWN]}\n\n{UNKNOWN_WARNING}\n\n"
        if (yield from _table(result, FindingKind.UNKNOWN, before=intro)):
            yield "\n"


def _table(
    result: RunResult, kind: FindingKind, *, by_date: bool = False, before: str = ""
) -> Generator[str, None, int]:
    """The reported findings of one kind as a table, `before` written ahead of it; nothing at all
    when there are none. Returns the number of rows."""
    history = result.history is not None
    header = ["Date", "Agreement", "Clause", "Severity", *(["Status"] if history else [])]
    header += ["Finding", "Evidence"]
    rows = 0
    for finding, decision in reported(result, kind, by_date=by_date):
        if not rows:
            yield before + _row(header) + _row(["---"] * len(header))
        rows += 1
        notes = [expired_waiver_words(decision), _snooze_note(result, finding)]
        cells = [
            finding.date.isoformat(),
            finding.agreement,
            clause_words(finding),
            finding.severity.value,
            *([status_words(tracked(result, finding))] if history else []),
            " ".join(filter(None, [finding.message, *notes])),
        ]
        yield _row([*map(markdown_text, cells), _evidence(finding)])
    return rows


def _waived_section(result: RunResult) -> Iterator[str]:
    rows = 0
    for finding, waiver in waived(result):
        if not rows:
            yield "## Waived findings\n\nSet apart by an approved waiver; not counted above.\n\n"
            header = ["Date", "Agreement", "Clause", "Kind", "Finding", "Waiver", "Evidence"]
            yield _row(header) + _row(["---"] * len(header))
        rows += 1
        cells = [
            finding.date.isoformat(),
            finding.agreement,
            clause_words(finding),
            finding.kind.value,
            " ".join(filter(None, [finding.message, _snooze_note(result, finding)])),
            waiver_words(waiver),
        ]
        yield _row([*map(markdown_text, cells), _evidence(finding)])
    if rows:
        yield "\n"


def _waiver_lists(result: RunResult) -> Iterator[str]:
    waivers = result.waivers
    for title, listed in (
        ("Expired waivers: what they covered is reported again", waivers.expired),
        ("Unused waivers: no finding of this run matched them", waivers.unused),
    ):
        if listed:
            yield f"## {title}\n\n"
            for waiver in listed:
                covered = plural(waivers.matched[waiver.id], "finding")
                yield (
                    f"- {markdown_text(waiver_words(waiver))}; covers "
                    f"{markdown_text(waiver.scope)} ({covered} in this run)\n"
                )
            yield "\n"


def _gone_section(title: str, gone: list[Gone], with_reason: bool) -> Iterator[str]:
    yield f"## {title}\n\n"
    if not gone:
        yield "None.\n\n"
        return
    header = ["Date", "Agreement", "Clause", "Kind", "Finding", "First seen", "Last seen"]
    header += ["Why"] if with_reason else []
    yield _row(header) + _row(["---"] * len(header))
    for item in gone:
        finding = item.finding
        cells = [
            finding.date.isoformat(),
            finding.agreement,
            clause_words(finding),
            finding.kind.value,
            finding.message,
            item.tracked.first_seen.isoformat(),
            item.tracked.last_seen.isoformat(),
            *([item.reason] if with_reason else []),
        ]
        yield _row([markdown_text(cell) for cell in cells])
    yield "\n"


def _fact_errors(result: RunResult) -> Iterator[str]:
    errors = result.fact_errors
    if not errors:
        return
    yield "## Fact lines that could not be read\n\n"
    yield _row(["Where", "Why"]) + _row(["---", "---"])
    for diagnostic in errors[:MAX_LISTED_FACT_ERRORS]:
        yield _row([markdown_text(diagnostic.location), markdown_text(diagnostic.message)])
    hidden = len(errors) - MAX_LISTED_FACT_ERRORS
    if hidden > 0:
        yield f"\n... and {hidden} more (all are listed with --format json).\n"
    yield "\n"


def _snooze_note(result: RunResult, finding: Finding) -> str:
    """ "(Snoozed in chat until 2026-12-31 by Maria Weber: comment)", or "" (see --notify)."""
    words = snooze_words(snooze_of(result, finding))
    return f"({words})" if words else ""


def _evidence(finding: Finding) -> str:
    return "<br>".join(markdown_text(evidence_words(e)) for e in finding.evidence)


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"
