"""The HTML report: one self-contained page for a legal team.

Order: a summary (counts by kind and severity, as-of, agreements, facts), new breaches (when the
run keeps history), the other breaches and rights triggered per agreement, deadlines as a
timeline grouped by week (or by month for long horizons), what could not be checked (the errors,
then the unknown findings: the data that would decide them is not there), waived
findings with their waivers, what was resolved or went stale since the last run, and rejected
fact lines. Each finding shows its evidence: fact id, type, time and source file:line; a finding
snoozed in chat (--notify) carries a note saying until when, by whom and why.

The page has inline CSS only, no scripts, and a content security policy that forbids loading
anything; every value is HTML-escaped. It reads on a 390 px phone: every table sits in a box of
its own that scrolls sideways when needed (html_template.table_open), long values wrap anywhere,
and a card's heading is one level below the heading it is listed under (no level skipped; see
tests/test_html_layout.py). Findings are read from disk one at a time, one pass per
section, so memory holds counts per agreement, never the findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.evaluation.run import RunResult
from checker.findings.model import FindingKind, Severity
from checker.findings.tracking import Gone, Status
from checker.report.html_finding_card import finding_card
from checker.report.html_template import TABLE_CLOSE, escape, page_foot, page_head, table_open
from checker.report.reading import (
    ERROR_WARNING,
    KIND_HEADINGS,
    KIND_NONE,
    UNKNOWN_WARNING,
    Tally,
    as_of_words,
    days_until,
    expired_waiver_words,
    horizon_end,
    outlines_by_agreement,
    period_heading,
    plural,
    reported,
    snooze_of,
    tally,
    tracked,
    waived,
    weekly_timeline,
)

MAX_LISTED_FACT_ERRORS = 200


def as_html(result: RunResult) -> Iterator[str]:
    counts = tally(result)
    yield from page_head(result)
    yield from _summary(result, counts)
    if result.history is not None:
        yield from _new_breaches(result, counts)
    yield from _by_agreement(result)
    yield from _timeline(result)
    yield from _errors(result, counts)
    yield from _waived(result)
    if result.history is not None:
        yield from _gone(
            "resolved",
            "Resolved since the last run",
            "Reported before, no longer found, and the agreement was checked completely tonight.",
            result.history.resolved,
        )
        yield from _gone(
            "stale",
            "Stale: not known to be resolved",
            "Reported before and not found tonight, but tonight's run cannot tell (the agreement "
            "could not be checked, the data to decide it is missing, an input was missing, or "
            "the clause was removed).",
            result.history.stale,
        )
    yield from _fact_errors(result)
    yield from page_foot()


def _summary(result: RunResult, counts: Tally) -> Iterator[str]:
    summary = result.summary
    history = result.history
    links = [("summary", "Summary")]
    if history is not None:
        links.append(("new-breaches", "New breaches"))
    links += [
        ("agreements", "Breaches and rights by agreement"),
        ("deadlines", "Deadlines"),
        ("errors", "Could not be checked"),
        ("waived", "Waived"),
    ]
    if history is not None:
        links += [("resolved", "Resolved"), ("stale", "Stale")]
    if result.fact_errors:
        links.append(("fact-errors", "Rejected fact lines"))
    yield (
        f'<p class="lead">Deadlines up to {escape(horizon_end(result))} '
        f"({summary.horizon_days} days) · {plural(summary.agreements, 'agreement')} · "
        f"{plural(summary.clauses, 'clause')}</p>\n<nav>"
    )
    yield "".join(f'<a href="#{anchor}">{escape(text)}</a>' for anchor, text in links)
    yield '</nav>\n<section id="summary">\n<h2>Summary</h2>\n<div class="cards">\n'
    for kind in FindingKind:
        yield (
            f'<div class="card {kind.value}"><span class="n">{counts.of_kind(kind)}</span>'
            f"{escape(KIND_HEADINGS[kind])}</div>\n"
        )
    yield (
        f'<div class="card waived"><span class="n">{summary.waived}</span>Waived (listed apart)'
        "</div>\n</div>\n"
    )
    errors = counts.of_kind(FindingKind.ERROR)
    if errors:
        yield (
            f'<p class="alert">{plural(errors, "rule")} could not be checked. '
            f'{escape(ERROR_WARNING)} <a href="#errors">See below.</a></p>\n'
        )
    unknown = counts.of_kind(FindingKind.UNKNOWN)
    if unknown:
        yield (
            f'<p class="alert">{plural(unknown, "finding")} unknown (data missing). '
            f'{escape(UNKNOWN_WARNING)} <a href="#unknown">See below.</a></p>\n'
        )
    facts = summary.counts
    if facts.rejected:
        yield (
            f'<p class="alert">{plural(facts.rejected, "fact line")} could not be read: the '
            'findings rest on incomplete input. <a href="#fact-errors">See the list.</a></p>\n'
        )
    if history is not None and counts.new_breaches:
        yield (
            f'<p class="alert breach">{plural(counts.new_breaches, "new breach", "new breaches")}'
            ' since the last run. <a href="#new-breaches">See them first.</a></p>\n'
        )
    yield table_open("The run", "facts") + "\n"
    yield f"<tr><th>As of</th><td>{escape(as_of_words(summary.as_of))}</td></tr>\n"
    yield (
        f"<tr><th>Agreements</th><td>{summary.agreements} agreements, "
        f"{summary.clauses} clauses</td></tr>\n"
    )
    yield (
        f"<tr><th>Facts</th><td>{facts.read} read, {facts.accepted} accepted, "
        f"{_marked(facts.rejected, 'rejected')}, {facts.duplicates} duplicates, "
        f"{facts.after_as_of} after the as-of date (ignored), {summary.irrelevant} read by no "
        "clause</td></tr>\n"
    )
    if history is None:
        since = "Not tracked: run with --state to see what is new, open and resolved."
    else:
        previous = history.previous_as_of
        against = f"the run as of {previous}" if previous else "no earlier run (first run)"
        since = (
            f"Compared with {against}: {counts.by_status[Status.NEW]} new, "
            f"{counts.by_status[Status.OPEN]} still open, {len(history.resolved)} resolved, "
            f"{len(history.stale)} stale."
        )
    yield f"<tr><th>Since the last run</th><td>{escape(since)}</td></tr>\n{TABLE_CLOSE}\n"
    yield from _severity_table(counts)
    yield from _agreement_table(result, counts)
    yield "</section>\n"


def _marked(count: int, what: str) -> str:
    """ "3 rejected" in bold when there are any: they deserve a look."""
    return f"<strong>{count} {what}</strong>" if count else f"{count} {what}"


def _severity_table(counts: Tally) -> Iterator[str]:
    yield f"<h3>Findings by severity</h3>\n{table_open('Findings by severity')}\n<tr><th>Kind</th>"
    yield "".join(f'<th class="n">{s.value}</th>' for s in Severity)
    yield '<th class="n">total</th></tr>\n'
    for kind in FindingKind:
        cells = "".join(
            f'<td class="n">{counts.by_kind_and_severity[kind, s]}</td>' for s in Severity
        )
        yield (
            f"<tr><td>{escape(KIND_HEADINGS[kind])}</td>{cells}"
            f'<td class="n"><strong>{counts.of_kind(kind)}</strong></td></tr>\n'
        )
    yield TABLE_CLOSE + "\n"


def _agreement_table(result: RunResult, counts: Tally) -> Iterator[str]:
    if not result.outlines:
        return
    yield f"<h3>Agreements</h3>\n{table_open('Agreements', 'wide')}\n<tr><th>Agreement</th><th>Owner</th>"
    yield "".join(f'<th class="n">{escape(KIND_HEADINGS[kind])}</th>' for kind in FindingKind)
    yield "</tr>\n"
    for outline in result.outlines:
        cells = "".join(
            f'<td class="n">{counts.by_agreement_and_kind[outline.agreement, kind]}</td>'
            for kind in FindingKind
        )
        yield (
            f"<tr><td><strong>{escape(outline.agreement)}</strong><br>{escape(outline.title)}"
            f"</td><td>{escape(outline.owner)}</td>{cells}</tr>\n"
        )
    yield TABLE_CLOSE + "\n"


def _new_breaches(result: RunResult, counts: Tally) -> Iterator[str]:
    yield '<section id="new-breaches">\n<h2>New breaches since the last run</h2>\n'
    shown = 0
    for finding, decision in reported(result, FindingKind.BREACH):
        history = tracked(result, finding)
        if history is not None and history.status is Status.NEW:
            shown += 1
            yield finding_card(
                finding,
                history,
                expired_waiver_words(decision),
                with_agreement=True,
                snooze=snooze_of(result, finding),
                level=3,
            )
    if not shown:
        yield '<p class="empty">No new breaches.</p>\n'
    yield "</section>\n"


def _by_agreement(result: RunResult) -> Iterator[str]:
    """Breaches (except new ones, listed above) and rights triggered, agreement by agreement."""
    outlines = outlines_by_agreement(result)
    new_first = result.history is not None
    yield '<section id="agreements">\n<h2>Breaches and rights triggered, by agreement</h2>\n'
    if new_first:
        yield '<p class="lead">New breaches are listed above and not repeated here.</p>\n'
    current = None
    shown = 0
    for finding, decision in reported(result, FindingKind.BREACH, FindingKind.TRIGGER):
        history = tracked(result, finding)
        is_new = history is not None and history.status is Status.NEW
        if new_first and is_new and finding.kind is FindingKind.BREACH:
            continue
        if finding.agreement != current:
            current = finding.agreement
            yield f"<h3>{escape(finding.agreement)}</h3>\n"
            outline = outlines.get(finding.agreement)
            if outline is not None:
                yield (
                    f'<p class="agreement-meta">{escape(outline.title)} · owner '
                    f"{escape(outline.owner)}</p>\n"
                )
        shown += 1
        yield finding_card(
            finding,
            history,
            expired_waiver_words(decision),
            with_agreement=False,
            snooze=snooze_of(result, finding),
        )
    if not shown:
        yield f'<p class="empty">{escape(KIND_NONE[FindingKind.BREACH])} '
        yield f"{escape(KIND_NONE[FindingKind.TRIGGER])}</p>\n"
    yield "</section>\n"


def _timeline(result: RunResult) -> Iterator[str]:
    as_of = result.summary.as_of
    weekly = weekly_timeline(result)
    yield '<section id="deadlines">\n<h2>Deadlines coming up</h2>\n'
    yield (
        f'<p class="lead">Up to {escape(horizon_end(result))}, by date, grouped by '
        f"{'week' if weekly else 'month'}.</p>\n"
    )
    period = None
    day = None
    for finding, decision in reported(result, FindingKind.DEADLINE, by_date=True):
        heading = period_heading(finding.date, weekly)
        if heading != period or finding.date != day:
            if day is not None:
                yield "</div></li>\n"
            if heading != period:
                if period is not None:
                    yield "</ol>\n"
                period = heading
                yield f'<h3>{escape(heading)}</h3>\n<ol class="timeline">\n'
            day = finding.date
            yield (
                f'<li><div class="when"><strong>{day:%a %d %b}</strong>'
                f'<span>{escape(days_until(day, as_of))}</span></div><div class="cards-of-day">\n'
            )
        yield finding_card(
            finding,
            tracked(result, finding),
            expired_waiver_words(decision),
            with_agreement=True,
            snooze=snooze_of(result, finding),
        )
    if period is None:
        yield f'<p class="empty">{escape(KIND_NONE[FindingKind.DEADLINE])}</p>\n'
    else:
        yield "</div></li>\n</ol>\n"
    yield "</section>\n"


def _errors(result: RunResult, counts: Tally) -> Iterator[str]:
    """Errors, then (when there are any) the unknown findings under a heading of their own."""
    yield '<section id="errors">\n<h2>Could not be checked</h2>\n'
    if not counts.of_kind(FindingKind.ERROR):
        yield f'<p class="empty">{escape(KIND_NONE[FindingKind.ERROR])}</p>\n'
    else:
        yield f'<p class="alert">{escape(ERROR_WARNING)}</p>\n'
        yield from _cards(result, FindingKind.ERROR, 3)
    if counts.of_kind(FindingKind.UNKNOWN):
        yield f'<h3 id="unknown">{escape(KIND_HEADINGS[FindingKind.UNKNOWN])}</h3>\n'
        yield f'<p class="alert">{escape(UNKNOWN_WARNING)}</p>\n'
        yield from _cards(result, FindingKind.UNKNOWN, 4)
    yield "</section>\n"


def _cards(result: RunResult, kind: FindingKind, level: int) -> Iterator[str]:
    for finding, decision in reported(result, kind):
        yield finding_card(
            finding,
            tracked(result, finding),
            expired_waiver_words(decision),
            with_agreement=True,
            snooze=snooze_of(result, finding),
            level=level,
        )


def _waived(result: RunResult) -> Iterator[str]:
    waivers = result.waivers
    yield '<section id="waived">\n<h2>Waived findings</h2>\n'
    yield (
        '<p class="lead">Set apart by an approved waiver until it expires; not counted above and '
        "not failing the run.</p>\n"
    )
    shown = 0
    for finding, waiver in waived(result):
        shown += 1
        yield finding_card(
            finding,
            tracked(result, finding),
            "",
            with_agreement=True,
            waiver=waiver,
            snooze=snooze_of(result, finding),
            level=3,
        )
    if not shown:
        yield '<p class="empty">No finding is waived.</p>\n'
    for title, listed, date_heading in (
        ("Expired waivers: what they covered is reported again", waivers.expired, "Expired on"),
        ("Unused waivers: no finding of this run matched them", waivers.unused, "Expires"),
    ):
        if not listed:
            continue
        yield f"<h3>{escape(title)}</h3>\n{table_open(title, 'wide')}\n<tr><th>Waiver</th><th>Covers</th>"
        yield f"<th>{date_heading}</th><th>Approved by</th><th>Reason</th>"
        yield '<th class="n">Findings covered</th><th>Written at</th></tr>\n'
        for item in listed:
            yield (
                f'<tr><td class="nowrap">{escape(item.id)}</td><td>{escape(item.scope)}</td>'
                f'<td class="nowrap">{escape(item.expires)}</td><td>{escape(item.approved_by)}</td>'
                f"<td>{escape(item.reason)}</td>"
                f'<td class="n">{waivers.matched[item.id]}</td><td>{escape(item.source)}</td></tr>\n'
            )
        yield TABLE_CLOSE + "\n"
    yield "</section>\n"


def _gone(anchor: str, title: str, explanation: str, gone: list[Gone]) -> Iterator[str]:
    yield f'<section id="{anchor}">\n<h2>{escape(title)}</h2>\n'
    yield f'<p class="lead">{escape(explanation)}</p>\n'
    if not gone:
        yield '<p class="empty">None.</p>\n'
    for item in gone:
        note = f"Why: {item.reason}" if item.reason else ""
        yield finding_card(
            item.finding, item.tracked, note, with_agreement=True, css="gone", level=3
        )
    yield "</section>\n"


def _fact_errors(result: RunResult) -> Iterator[str]:
    errors = result.fact_errors
    if not errors:
        return
    yield '<section id="fact-errors">\n<h2>Fact lines that could not be read</h2>\n'
    yield f"{table_open('Fact lines that could not be read')}\n<tr><th>Where</th><th>Why</th></tr>\n"
    for diagnostic in errors[:MAX_LISTED_FACT_ERRORS]:
        yield (
            f"<tr><td>{escape(diagnostic.location)}</td><td>{escape(diagnostic.message)}</td>"
            "</tr>\n"
        )
    yield TABLE_CLOSE + "\n"
    hidden = len(errors) - MAX_LISTED_FACT_ERRORS
    if hidden > 0:
        yield f"<p>... and {hidden} more (all are listed with --format json).</p>\n"
    yield "</section>\n"
