"""The table report: findings as a plain-text table, then waivers and the run summary."""

from __future__ import annotations

import textwrap
from typing import Any

from tabulate import tabulate

from checker.common.terminal import TERMINAL_CONTROLS, terminal_safe
from checker.evaluation.run import RunResult
from checker.report.history import history_sections, history_summary, status_cell
from checker.report.reading import snooze_of
from checker.report.summary import data_warnings, summary_dict
from checker.rulebook.applying_waivers import AppliedWaivers
from checker.rulebook.waivers import Waiver

# Fact values reach the table in messages and evidence: their control characters are written as
# escapes. Cells are escaped before tabulate measures them, then the whole text once more.
_CONTROLS_BUT_NEWLINE = {code: text for code, text in TERMINAL_CONTROLS.items() if code != 0x0A}


def as_table(result: RunResult) -> str:
    waivers = result.waivers
    rows = []
    for f in result.findings:
        decision = waivers.decide(f)
        if decision.waived:
            continue
        message = textwrap.fill(terminal_safe(f.message), 70)
        if decision.waiver is not None:  # reported again: its waiver has expired
            message += f"\n(waiver {decision.waiver.id} expired on {decision.waiver.expires})"
        snooze = snooze_of(result, f)
        if snooze is not None:  # with --notify: kept out of chat, still reported
            message += "\n(" + textwrap.fill(snooze.describe(), 70) + ")"
        rows.append(
            [
                f.agreement,
                f.date.isoformat(),
                terminal_safe(f.clause),
                f.kind.value,
                f.severity.value,
                message,
                "\n".join(terminal_safe(f"{e.fact_id} ({e.source})") for e in f.evidence),
            ]
        )
        if result.history is not None:  # with --state: new, or open since its first night
            rows[-1].insert(5, status_cell(result.history, f))
    headers = ["agreement", "date", "clause", "kind", "severity", "message", "evidence"]
    if result.history is not None:
        headers.insert(5, "status")
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
        *(history_sections(result.history) if result.history is not None else []),
        "",
        f"As of {s['as_of']}, horizon {s['horizon_days']} days: "
        f"{s['agreements']} agreements, {s['clauses']} clauses.",
        f"Facts: {facts['read']} read, {facts['accepted']} accepted, {facts['rejected']} rejected, "
        f"{facts['duplicates']} duplicates, {facts['after_as_of']} after as-of (ignored), "
        f"{facts['irrelevant']} read by no clause" + _corrections_note(facts) + ".",
        f"Findings: {findings}.",
        *_clause_read_lines(s),
    ]
    if result.history is not None:
        lines.append(history_summary(result.history))
    if waivers.waivers:
        lines.append(
            f"Waivers: {waivers.waived} findings waived; of {len(waivers.waivers)} waivers, "
            f"{len(waivers.expired)} expired and {len(waivers.unused)} unused."
        )
    return ("\n".join(lines) + "\n").translate(_CONTROLS_BUT_NEWLINE)


# Up to this many clauses, the table lists each clause's facts read; beyond, only the count.
_LISTED_CLAUSES = 40


def _clause_read_lines(summary: dict[str, Any]) -> list[str]:
    """Facts read per clause (each listed for small runs), and a warning per clause that read
    none although facts of its types were read."""
    reads = summary["facts_read_by_clause"]
    lines: list[str] = []
    if reads and len(reads) <= _LISTED_CLAUSES:
        by_agreement: dict[str, list[str]] = {}
        for read in reads:
            by_agreement.setdefault(read["agreement"], []).append(
                f"{read['clause']}: {read['facts_read']}"
            )
        lines.append("Facts read per clause:")
        lines += [f"  {agreement}: {', '.join(items)}" for agreement, items in by_agreement.items()]
    return lines + data_warnings(summary)


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
                    textwrap.fill(terminal_safe(finding.message), 50),
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


def _corrections_note(facts: dict[str, int]) -> str:
    """Superseded versions and lines recorded after --known-as-of, when there are any."""
    parts = []
    if facts["superseded"]:
        parts.append(f"{facts['superseded']} superseded by a correction")
    if facts["recorded_later"]:
        parts.append(f"{facts['recorded_later']} recorded after --known-as-of (ignored)")
    return "".join(f", {part}" for part in parts)
