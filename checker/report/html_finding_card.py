"""One finding as a card of the HTML report: what, where, when, how severe, its status, its
evidence, and the waiver or chat snooze that applies to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.findings.model import Finding, FindingKind
from checker.findings.tracking import Status, Tracked
from checker.report.html_template import TABLE_CLOSE, escape, table_open
from checker.report.reading import KIND_LABELS, WHOLE_AGREEMENT, snooze_words, status_words
from checker.rulebook.waivers import TERM_CLAUSE, Waiver

if TYPE_CHECKING:
    from checker.alerts.snoozes import SnoozeRecord


def finding_card(
    finding: Finding,
    history: Tracked | None,
    note: str,
    *,
    with_agreement: bool,
    waiver: Waiver | None = None,
    snooze: SnoozeRecord | None = None,
    css: str = "",
    level: int = 4,
) -> str:
    """One finding as a card: what, where, when, how severe, its status and its evidence; a
    snoozed finding (--notify) says until when, by whom and why it is kept out of chat.

    `level` is the card's heading level: one below the heading it is listed under (h3 right under
    a section's h2, h4 under an agreement's or a week's h3), so that no level is skipped."""
    kind = finding.kind
    classes = " ".join(filter(None, ["finding", kind.value, "waived" if waiver else "", css]))
    tags = [
        f'<span class="tag date">{escape(finding.date)}</span>',
        f'<span class="tag sev-{finding.severity.value}">{escape(finding.severity)}</span>',
        f'<span class="tag kind-{kind.value}">{escape(KIND_LABELS[kind])}</span>',
    ]
    if history is not None:
        tags.append(
            f'<span class="tag status-{history.status.value}">{escape(status_words(history))}'
            "</span>"
        )
    if waiver is not None:
        tags.append('<span class="tag waived">waived</span>')
    if snooze is not None:
        tags.append('<span class="tag snoozed">snoozed in chat</span>')
    if finding.clause == WHOLE_AGREEMENT:
        where = "the whole agreement"
    elif finding.clause == TERM_CLAUSE:
        where = escape(finding.clause_title or "Term")
    else:
        where = f"Clause {escape(finding.clause)} · {escape(finding.clause_title)}"
    if with_agreement:
        where = f"{escape(finding.agreement)} · {where}"
    parts = [
        f'<article class="{classes}">',
        f'<div class="tags">{"".join(tags)}</div>',
        f"<h{level}>{where}</h{level}>",
        f'<p class="message">{escape(finding.message)}</p>',
    ]
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    if snooze is not None:
        parts.append(
            f'<p class="snooze">{escape(snooze_words(snooze))} '
            f'<span class="meta">({escape(snooze.path)}:{snooze.line})</span></p>'
        )
    if finding.evidence:
        parts.append(
            f"{table_open(f'Evidence of finding {finding.fingerprint}', 'evidence')}<tr><th>Fact</th><th>Type</th><th>Time</th>"
            "<th>Source (file:line)</th></tr>"
        )
        parts += [
            f"<tr><td>{escape(e.fact_id)}</td><td>{escape(e.fact_type)}</td>"
            f"<td>{escape(e.at)}</td><td>{escape(e.source)}</td></tr>"
            for e in finding.evidence
        ]
        parts.append(TABLE_CLOSE)
    elif kind is FindingKind.UNKNOWN:
        parts.append(
            '<p class="meta">No fact is cited: the data that would decide this is not there.</p>'
        )
    elif kind is not FindingKind.ERROR:
        parts.append(
            '<p class="meta">No fact is cited: this finding is about something that '
            "has not happened or falls due.</p>"
        )
    if waiver is not None:
        approved = f" on {waiver.approved_on}" if waiver.approved_on else ""
        parts.append(
            f'<div class="waiver"><strong>Waiver {escape(waiver.id)}</strong>, approved by '
            f"{escape(waiver.approved_by)}{escape(approved)}, until {escape(waiver.expires)}: "
            f'{escape(waiver.reason)} <span class="meta">({escape(waiver.source)})</span></div>'
        )
    if history is not None and history.status in (Status.RESOLVED, Status.STALE):
        seen = f"first seen {history.first_seen}, last seen {history.last_seen}"
        parts.append(f'<p class="meta">{escape(seen)}</p>')
    owner = f"owner {finding.owner} · " if finding.owner else ""
    parts.append(
        f'<p class="meta">{escape(owner)}code {escape(finding.code)} · fingerprint '
        f"{escape(finding.fingerprint)}</p></article>"
    )
    return "\n".join(parts) + "\n"
