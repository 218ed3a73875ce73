"""The run summary as plain data, shared by every report format."""

from __future__ import annotations

from typing import Any

from checker.dates.timeutil import iso_of_epoch
from checker.evaluation.run import RunSummary
from checker.findings.model import FindingKind


def summary_dict(summary: RunSummary) -> dict[str, Any]:
    counts = summary.counts
    return {
        "as_of": iso_of_epoch(summary.as_of),
        "horizon_days": summary.horizon_days,
        "agreements": summary.agreements,
        "clauses": summary.clauses,
        "facts": {
            "read": counts.read,
            "accepted": counts.accepted,
            "rejected": counts.rejected,
            "duplicates": counts.duplicates,
            "after_as_of": counts.after_as_of,
            "irrelevant": summary.irrelevant,
        },
        "findings": {
            kind.value: summary.findings_by_kind.get(kind.value, 0) for kind in FindingKind
        },
        "waived": summary.waived,
    }
