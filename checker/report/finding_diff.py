"""What changes between two runs on the same facts and as-of (`contract-checker diff`): the
findings added, removed and changed, matched by fingerprint, as a table, JSON or Markdown (for a
pull-request comment).

A fingerprint is a finding's identity (agreement, clause, kind, code, subject), so a finding
whose kind changes is one removed and one added. A finding is *changed* when both runs report it
but something else about it differs: its severity, date, message, clause title, owner, calendar,
the facts it rests on, or the waiver that names it (waived, or expired and reported again).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tabulate import tabulate

from checker.dates.timeutil import iso_of_epoch
from checker.evaluation.run import RunResult
from checker.findings.model import Finding
from checker.report.markdown import markdown_text

DIFF_FORMATS = ("table", "json", "markdown")
# The fields compared for a finding both runs report, in the order changes are listed.
COMPARED_FIELDS = (
    "severity",
    "date",
    "message",
    "clause_title",
    "owner",
    "calendar",
    "evidence",
    "waiver",
)


@dataclass(frozen=True, slots=True)
class Reported:
    """A finding as one run reported it, with the waiver that names it: "waived by W-1",
    "waiver W-1 expired" (it is reported again), or "" for none."""

    finding: Finding
    waiver: str = ""

    def fields(self) -> dict[str, str]:
        """The compared fields as text."""
        finding = self.finding
        return {
            "severity": finding.severity.value,
            "date": finding.date.isoformat(),
            "message": finding.message,
            "clause_title": finding.clause_title,
            "owner": finding.owner,
            "calendar": finding.calendar,
            "evidence": ", ".join(evidence.fact_id for evidence in finding.evidence),
            "waiver": self.waiver,
        }

    def record(self) -> dict[str, Any]:
        return {**self.finding.to_dict(), "waiver": self.waiver or None}


@dataclass(frozen=True, slots=True)
class Change:
    """One compared field of a finding both runs report, before (base) and after (head)."""

    field: str
    base: str
    head: str


@dataclass(frozen=True, slots=True)
class Changed:
    base: Reported
    head: Reported
    changes: tuple[Change, ...]


@dataclass(slots=True)
class FindingDiff:
    """Two runs' findings compared; each list in report order (agreement, date, clause...)."""

    base_label: str
    head_label: str
    as_of: int
    horizon_days: int
    added: list[Reported] = field(default_factory=list)
    removed: list[Reported] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    unchanged: int = 0

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
        }


def reported_findings(result: RunResult) -> dict[str, Reported]:
    """Every finding of a run (waived ones included) by fingerprint."""
    reported: dict[str, Reported] = {}
    for finding in result.findings:
        decision = result.waivers.decide(finding)
        waiver = ""
        if decision.waiver is not None:
            waiver = (
                f"waived by {decision.waiver.id}"
                if decision.waived
                else f"waiver {decision.waiver.id} expired"
            )
        reported[finding.fingerprint] = Reported(finding, waiver)
    return reported


def compare(
    base: dict[str, Reported],
    head: dict[str, Reported],
    base_label: str,
    head_label: str,
    as_of: int,
    horizon_days: int,
) -> FindingDiff:
    diff = FindingDiff(base_label, head_label, as_of, horizon_days)
    for fingerprint, before in base.items():
        after = head.get(fingerprint)
        if after is None:
            diff.removed.append(before)
            continue
        old, new = before.fields(), after.fields()
        changes = tuple(
            Change(name, old[name], new[name]) for name in COMPARED_FIELDS if old[name] != new[name]
        )
        if changes:
            diff.changed.append(Changed(before, after, changes))
        else:
            diff.unchanged += 1
    diff.added = [after for fingerprint, after in head.items() if fingerprint not in base]
    diff.added.sort(key=_order)
    diff.removed.sort(key=_order)
    diff.changed.sort(key=lambda changed: _order(changed.head))
    return diff


def _order(reported: Reported) -> tuple[Any, ...]:
    return reported.finding.sort_key()


def render_diff(diff: FindingDiff, format_name: str) -> str:
    if format_name == "json":
        return diff_json(diff)
    if format_name == "markdown":
        return "".join(diff_markdown(diff))
    return diff_table(diff)


def _headline(diff: FindingDiff) -> str:
    counts = diff.counts()
    return (
        f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed, "
        f"{counts['unchanged']} unchanged"
    )


# JSON ------------------------------------------------------------------------------------------


def diff_json(diff: FindingDiff) -> str:
    document = {
        "base": diff.base_label,
        "head": diff.head_label,
        "as_of": iso_of_epoch(diff.as_of),
        "horizon_days": diff.horizon_days,
        "counts": diff.counts(),
        "added": [reported.record() for reported in diff.added],
        "removed": [reported.record() for reported in diff.removed],
        "changed": [
            {
                "fingerprint": changed.head.finding.fingerprint,
                "changes": {
                    change.field: {"base": change.base, "head": change.head}
                    for change in changed.changes
                },
                "base": changed.base.record(),
                "head": changed.head.record(),
            }
            for changed in diff.changed
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# Table -----------------------------------------------------------------------------------------


def diff_table(diff: FindingDiff) -> str:
    lines = [
        f"Findings of {diff.head_label} compared with {diff.base_label}, as of "
        f"{iso_of_epoch(diff.as_of)}, horizon {diff.horizon_days} days, on the same facts:",
        _headline(diff) + ".",
    ]
    if not diff.differs:
        lines.append("No finding differs.")
    for title, listed in (("Added", diff.added), ("Removed", diff.removed)):
        if listed:
            lines += ["", f"{title} ({len(listed)}):", "", _findings_table(listed)]
    if diff.changed:
        rows = [
            [
                changed.head.finding.agreement,
                changed.head.finding.clause,
                changed.head.finding.kind.value,
                textwrap.fill(changed.head.finding.subject, 24),
                "\n".join(_change_words(change, 60) for change in changed.changes),
            ]
            for changed in diff.changed
        ]
        headers = ["agreement", "clause", "kind", "subject", "what changed (base -> head)"]
        lines += [
            "",
            f"Changed ({len(diff.changed)}):",
            "",
            tabulate(rows, headers=headers, disable_numparse=True),
        ]
    return "\n".join(lines) + "\n"


def _findings_table(listed: Iterable[Reported]) -> str:
    rows = [
        [
            reported.finding.agreement,
            reported.finding.date.isoformat(),
            reported.finding.clause,
            reported.finding.kind.value,
            reported.finding.severity.value,
            textwrap.fill(reported.finding.message, 70)
            + (f"\n({reported.waiver})" if reported.waiver else ""),
        ]
        for reported in listed
    ]
    headers = ["agreement", "date", "clause", "kind", "severity", "message"]
    return tabulate(rows, headers=headers, disable_numparse=True)


def _change_words(change: Change, width: int) -> str:
    before = change.base or "(none)"
    after = change.head or "(none)"
    return textwrap.fill(f"{change.field}: {before} -> {after}", width, subsequent_indent="  ")


# Markdown --------------------------------------------------------------------------------------


def diff_markdown(diff: FindingDiff) -> Iterator[str]:
    """For a pull-request comment: a headline, then tables of what was added, removed and
    changed. Finding texts are escaped (they cannot break a table or become links)."""
    yield (
        f"### contract-checker diff: {markdown_text(diff.base_label)} → "
        f"{markdown_text(diff.head_label)}\n\n"
    )
    yield (
        f"As of {iso_of_epoch(diff.as_of)}, horizon {diff.horizon_days} days, same facts: "
        f"**{len(diff.added)} added**, **{len(diff.removed)} removed**, "
        f"**{len(diff.changed)} changed**, {diff.unchanged} unchanged.\n"
    )
    if not diff.differs:
        yield "\nNo finding differs.\n"
    for title, listed in (("Added", diff.added), ("Removed", diff.removed)):
        if not listed:
            continue
        yield f"\n#### {title} ({len(listed)})\n\n"
        header = ["Date", "Agreement", "Clause", "Kind", "Severity", "Finding"]
        yield _row(header) + _row(["---"] * len(header))
        for reported in listed:
            finding = reported.finding
            message = finding.message + (f" ({reported.waiver})" if reported.waiver else "")
            cells = [
                finding.date.isoformat(),
                finding.agreement,
                finding.clause,
                finding.kind.value,
                finding.severity.value,
                message,
            ]
            yield _row(map(markdown_text, cells))
    if diff.changed:
        yield f"\n#### Changed ({len(diff.changed)})\n\n"
        header = ["Agreement", "Clause", "Kind", "Subject", "What changed (before → after)"]
        yield _row(header) + _row(["---"] * len(header))
        for changed in diff.changed:
            finding = changed.head.finding
            words = "<br>".join(
                f"{change.field}: {markdown_text(change.base or '(none)')} → "
                f"{markdown_text(change.head or '(none)')}"
                for change in changed.changes
            )
            cells = [finding.agreement, finding.clause, finding.kind.value, finding.subject]
            yield _row([*map(markdown_text, cells), words])


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"
