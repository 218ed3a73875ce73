"""The JUnit XML report for CI dashboards: one test suite per agreement, one test case per clause.

A clause with breaches fails (a `failure` listing them); a clause that could not be checked is an
`error` (listing the errors, and any breaches too); a clause with unknown findings (the data that
would decide them is not there) and no breach or error is `skipped` (listing them: not checked,
so neither passed nor failed), and so is one that found nothing while a feed it reads had no
facts tonight; any other clause passes, its rights triggered, deadlines and waived findings
listed in `system-out` (with unknown findings of a clause that fails or errs). With --notify,
`system-out` also lists the clause's findings snoozed in chat (kind, date, subject and the snooze): a snooze
keeps a finding out of chat only, so a snoozed breach still fails. A last suite, "fact input",
has one case that is an error when fact lines were rejected. Counts (tests, failures, errors)
are on every suite and on the root, as Jenkins, GitLab and GitHub dashboards read them; skipped
cases are counted on each suite (`skipped`).

Memory: a first pass counts outcomes per clause; the second holds one agreement's findings at a
time (as evaluation itself does), never the whole run.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from checker.dates.timeutil import iso_of_epoch
from checker.evaluation.run import AgreementOutline, RunResult
from checker.findings.model import Finding, FindingKind
from checker.report.reading import (
    KIND_LABELS,
    WHOLE_AGREEMENT,
    as_of_words,
    evidence_words,
    outlines_by_agreement,
    plural,
    printable,
    snooze_of,
)
from checker.rulebook.applying_waivers import WaiverDecision
from checker.rulebook.waivers import TERM_CLAUSE

FACT_INPUT_SUITE = "fact input"
MAX_LISTED_FACT_ERRORS = 100
MAX_MESSAGE_CHARS = 300
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def text(value: str) -> str:
    """Element text: escaped, and stripped of characters XML cannot hold."""
    return escape(printable(value))


def attribute(value: object) -> str:
    """A double-quoted attribute value (line breaks kept as character references)."""
    return '"' + escape(printable(str(value)), _ATTRIBUTE_ENTITIES) + '"'


@dataclass(slots=True)
class _Clause:
    """What one clause's test case reports."""

    clause: str
    title: str
    failing: list[Finding] = field(default_factory=list)  # breaches, not waived
    errors: list[Finding] = field(default_factory=list)
    unknown: list[Finding] = field(default_factory=list)  # not waived
    notes: list[str] = field(default_factory=list)  # triggers, deadlines, waived findings
    snoozed: list[str] = field(default_factory=list)  # findings kept out of chat (--notify)
    no_data: list[str] = field(default_factory=list)  # feeds it reads that had no facts tonight

    @property
    def outcome(self) -> str:
        if self.errors:
            return "error"
        if self.failing:
            return "failure"
        return "skipped" if self.unknown or self.no_data else "passed"


# A clause's outcome is the most serious its findings give: an error, a breach (failure), an
# unknown finding (skipped: it could not be checked), else it passed.
_OUTCOME_RANK = {"passed": 0, "skipped": 1, "failure": 2, "error": 3}


@dataclass(slots=True)
class _Totals:
    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0

    def add(self, outcome: str) -> None:
        self.tests += 1
        self.failures += outcome == "failure"
        self.errors += outcome == "error"
        self.skipped += outcome == "skipped"


def as_junit(result: RunResult) -> Iterator[str]:
    no_data = result.summary.clauses_without_data()
    totals, suites = _count(result, no_data)
    stamp = iso_of_epoch(result.summary.as_of).removesuffix("Z")
    name = f"contract-checker as of {as_of_words(result.summary.as_of)}"
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        f"<testsuites name={attribute(name)} tests={attribute(totals.tests)} "
        f'failures={attribute(totals.failures)} errors={attribute(totals.errors)} time="0">\n'
    )
    outlines = outlines_by_agreement(result)
    for agreement, findings in _by_agreement(result, sorted(suites)):
        outline = outlines.get(agreement)
        clauses = _clauses(result, outline, findings, no_data)
        yield from _suite(agreement, clauses, suites[agreement], stamp, outline)
    yield from _fact_input_suite(result, stamp)
    yield "</testsuites>\n"


def _count(
    result: RunResult, no_data: Mapping[tuple[str, str], list[str]]
) -> tuple[_Totals, dict[str, _Totals]]:
    """Pass one: the counts of each suite (memory: one set of clause outcomes per agreement)."""
    outcomes: dict[tuple[str, str], str] = {}
    for outline in result.outlines:
        for clause, _ in outline.clauses:
            # A clause whose feeds had no facts tonight was not checked: never "passed".
            key = (outline.agreement, clause)
            outcomes[key] = "skipped" if key in no_data else "passed"
    for finding in result.findings:
        key = (finding.agreement, finding.clause)
        current = outcomes.get(key, "passed")
        outcome = "passed"
        if finding.kind is FindingKind.ERROR:
            outcome = "error"
        elif (
            finding.kind in (FindingKind.BREACH, FindingKind.UNKNOWN)
            and not result.waivers.decide(finding).waived
        ):
            outcome = "failure" if finding.kind is FindingKind.BREACH else "skipped"
        outcomes[key] = max(current, outcome, key=_OUTCOME_RANK.__getitem__)
    suites: dict[str, _Totals] = {}
    for (agreement, _), outcome in outcomes.items():
        suites.setdefault(agreement, _Totals()).add(outcome)
    totals = _Totals()
    for suite in suites.values():
        totals.tests += suite.tests
        totals.failures += suite.failures
        totals.errors += suite.errors
        totals.skipped += suite.skipped
    totals.add("error" if result.fact_errors else "passed")  # the fact input suite's one case
    return totals, suites


def _by_agreement(
    result: RunResult, agreements: list[str]
) -> Iterator[tuple[str, list[tuple[Finding, WaiverDecision]]]]:
    """Each agreement (sorted like the findings) with its findings, one agreement at a time."""
    grouped = itertools.groupby(result.findings, key=lambda finding: finding.agreement)
    pending = next(grouped, None)
    for agreement in agreements:
        findings: list[tuple[Finding, WaiverDecision]] = []
        if pending is not None and pending[0] == agreement:
            findings = [(f, result.waivers.decide(f)) for f in pending[1]]
            pending = next(grouped, None)
        yield agreement, findings
    if pending is not None:  # never expected: the spool sorts agreements as Python does
        raise RuntimeError(f"findings of {pending[0]} came out of order; report not written")


def _clauses(
    result: RunResult,
    outline: AgreementOutline | None,
    findings: Iterable[tuple[Finding, WaiverDecision]],
    no_data: Mapping[tuple[str, str], list[str]],
) -> list[_Clause]:
    """The agreement's clauses in rule-file order, then any other clause a finding names."""
    clauses: dict[str, _Clause] = {}
    if outline is not None:
        clauses = {
            cid: _Clause(cid, title, no_data=no_data.get((outline.agreement, cid), []))
            for cid, title in outline.clauses
        }
    for finding, decision in findings:
        case = clauses.setdefault(finding.clause, _Clause(finding.clause, finding.clause_title))
        snooze = snooze_of(result, finding)
        if snooze is not None:
            case.snoozed.append(
                f"{KIND_LABELS[finding.kind]} {finding.date} ({finding.subject}): "
                f"{snooze.describe()}"
            )
        if decision.waived and decision.waiver is not None:
            waiver = decision.waiver
            case.notes.append(
                f"waived by {waiver.id} until {waiver.expires}: {finding.date} {finding.message}"
            )
        elif finding.kind is FindingKind.ERROR:
            case.errors.append(finding)
        elif finding.kind is FindingKind.BREACH:
            case.failing.append(finding)
        elif finding.kind is FindingKind.UNKNOWN:
            case.unknown.append(finding)
        else:
            case.notes.append(f"{KIND_LABELS[finding.kind]} {finding.date}: {finding.message}")
    return list(clauses.values())


def _suite(
    agreement: str,
    clauses: list[_Clause],
    totals: _Totals,
    stamp: str,
    outline: AgreementOutline | None,
) -> Iterator[str]:
    yield (
        f"  <testsuite name={attribute(agreement)} tests={attribute(totals.tests)} "
        f"failures={attribute(totals.failures)} errors={attribute(totals.errors)} "
        f'skipped={attribute(totals.skipped)} time="0" timestamp={attribute(stamp)}>\n'
    )
    if outline is not None:
        yield "    <properties>\n"
        yield f'      <property name="title" value={attribute(outline.title)}/>\n'
        yield f'      <property name="owner" value={attribute(outline.owner)}/>\n'
        yield "    </properties>\n"
    for case in clauses:
        yield from _case(agreement, case)
    yield "  </testsuite>\n"


def _case(agreement: str, case: _Clause) -> Iterator[str]:
    if case.clause == WHOLE_AGREEMENT:
        name = "the whole agreement"
    elif case.clause == TERM_CLAUSE:
        name = case.title or "term"
    else:
        name = f"clause {case.clause}" + (f": {case.title}" if case.title else "")
    yield f'    <testcase classname={attribute(agreement)} name={attribute(name)} time="0">\n'
    if case.errors:
        listed = case.errors + case.failing
        summary = f"{plural(len(case.errors), 'rule')} could not be checked: "
        summary += case.errors[0].message
        yield f'      <error type="could not be checked" message={attribute(_short(summary))}>'
        yield text(_listing(listed)) + "</error>\n"
    elif case.failing:
        summary = f"{plural(len(case.failing), 'breach', 'breaches')}: {case.failing[0].message}"
        yield f'      <failure type="breach" message={attribute(_short(summary))}>'
        yield text(_listing(case.failing)) + "</failure>\n"
    elif case.unknown:
        summary = (
            f"{plural(len(case.unknown), 'finding')} unknown (data missing), not checked: "
            f"{case.unknown[0].message}"
        )
        yield f"      <skipped message={attribute(_short(summary))}>"
        yield text(_listing(case.unknown)) + "</skipped>\n"
    elif case.no_data:
        feeds = ", ".join(case.no_data)
        summary = (
            f"not checked: no facts tonight from the {feeds} "
            f"{'feed' if len(case.no_data) == 1 else 'feeds'} it reads (export missing or empty?)"
        )
        yield f"      <skipped message={attribute(summary)}/>\n"
    notes = case.notes
    if case.unknown and case.outcome != "skipped":  # a clause that fails or errs lists them here
        notes = [*notes, *(f"{KIND_LABELS[f.kind]} {f.date}: {f.message}" for f in case.unknown)]
    if notes or case.snoozed:
        yield "      <system-out>" + text("\n".join(notes + case.snoozed)) + "</system-out>\n"
    yield "    </testcase>\n"


def _fact_input_suite(result: RunResult, stamp: str) -> Iterator[str]:
    counts = result.summary.counts
    errors = result.fact_errors
    yield (
        f'  <testsuite name={attribute(FACT_INPUT_SUITE)} tests="1" failures="0" '
        f'errors="{1 if errors else 0}" skipped="0" time="0" timestamp={attribute(stamp)}>\n'
    )
    yield (
        f"    <testcase classname={attribute(FACT_INPUT_SUITE)} "
        f'name="every fact line could be read" time="0">\n'
    )
    if errors:
        summary = (
            f"{plural(counts.rejected, 'fact line')} of {counts.read} could not be read: the "
            "findings rest on incomplete input"
        )
        lines = [f"{d.location}: {d.message}" for d in errors[:MAX_LISTED_FACT_ERRORS]]
        if len(errors) > MAX_LISTED_FACT_ERRORS:
            lines.append(f"... and {len(errors) - MAX_LISTED_FACT_ERRORS} more")
        yield f'      <error type="rejected fact lines" message={attribute(summary)}>'
        yield text("\n".join(lines)) + "</error>\n"
    yield (
        f"      <system-out>{counts.read} read, {counts.accepted} accepted, "
        f"{counts.rejected} rejected</system-out>\n"
    )
    yield "    </testcase>\n  </testsuite>\n"


def _listing(findings: list[Finding]) -> str:
    """One paragraph per finding: date, kind, severity, message and evidence."""
    lines: list[str] = []
    for finding in findings:
        lines.append(
            f"{finding.date} {KIND_LABELS[finding.kind]} ({finding.severity.value}): "
            f"{finding.message}"
        )
        lines += [f"  evidence: {evidence_words(e)}" for e in finding.evidence]
    return "\n".join(lines)


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"
