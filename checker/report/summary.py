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
            "superseded": counts.superseded,
            "recorded_later": counts.recorded_later,
            "irrelevant": summary.irrelevant,
        },
        "findings": {
            kind.value: summary.findings_by_kind.get(kind.value, 0) for kind in FindingKind
        },
        "waived": summary.waived,
        "facts_read_by_clause": [
            {"agreement": r.agreement, "clause": r.clause, "facts_read": r.facts_read}
            for r in summary.clause_reads
        ],
        "clauses_reading_nothing": [
            {
                "agreement": r.agreement,
                "clause": r.clause,
                "facts_of_its_types": {t: summary.facts_by_type.get(t, 0) for t in r.fact_types},
            }
            for r in summary.unread()
        ],
        "feeds": {
            feed: None if through is None else iso_of_epoch(through)
            for feed, through in summary.feeds.items()
        },
        "feeds_without_data": summary.feeds_without_data(),
    }


def unread_warning(agreement: str, clause: str, types: dict[str, int]) -> str:
    """Why a clause that read nothing is worth a look, in one line."""
    present = ", ".join(f"{n} {t}" for t, n in types.items() if n)
    return (
        f"clause {clause} of {agreement} read no facts, though the input holds {present}: "
        "check that they name a party of the agreement (its ids and aliases) in the field the "
        "fact-type catalogue gives as actor or counterparty"
    )


def data_warnings(summary: dict[str, Any]) -> list[str]:
    """ "Warning: ..." lines about the data a run read: a clause that read nothing although facts
    of its types were there, a feed with no facts tonight. The table report lists them; a run
    writing no table to standard output prints them on standard error."""
    lines = [
        "Warning: "
        + unread_warning(unread["agreement"], unread["clause"], unread["facts_of_its_types"])
        + "."
        for unread in summary["clauses_reading_nothing"]
    ]
    lines += [
        f"Warning: the {feed} feed has no facts tonight (its export missing or empty?): what "
        "rests on its absence is reported as unknown, neither a breach nor compliant."
        for feed in summary["feeds_without_data"]
    ]
    return lines
