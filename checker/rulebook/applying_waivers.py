"""Waivers applied to the findings of one run: which waiver decides each finding, what each waiver
covered, and the waiver fields of the JSON and CSV reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.common.diagnostics import Diagnostic, Level
from checker.dates.timeutil import date_of_epoch
from checker.findings.model import Finding
from checker.rulebook.waivers import Waiver

# Columns a CSV report adds after the finding's own, one row per finding.
CSV_COLUMNS = (
    "waiver_status",
    "waiver",
    "waiver_reason",
    "waiver_approved_by",
    "waiver_approved_on",
    "waiver_expires",
)
# A waiver's status on a finding: it sets the finding apart, or it has expired and no longer does.
WAIVED = "waived"
EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class WaiverDecision:
    """What the waivers say about one finding: waived, back because its waiver expired, or
    nothing (`waiver` None)."""

    waiver: Waiver | None = None
    status: str = ""  # WAIVED, EXPIRED or ""

    @property
    def waived(self) -> bool:
        return self.status == WAIVED

    def record(self) -> dict[str, Any] | None:
        """The waiver as a finding record's ``waiver`` field: None, or its fields and status."""
        if self.waiver is None:
            return None
        return {"status": self.status, **self.waiver.to_dict()}

    def csv_cells(self) -> list[str]:
        """The cells of `CSV_COLUMNS`, empty when no waiver applies."""
        if self.waiver is None:
            return [""] * len(CSV_COLUMNS)
        waiver = self.waiver
        return [
            self.status,
            waiver.id,
            waiver.reason,
            waiver.approved_by,
            waiver.approved_on.isoformat() if waiver.approved_on else "",
            waiver.expires.isoformat(),
        ]


NO_WAIVER = WaiverDecision()


class AppliedWaivers:
    """The waivers of one run, as of its as-of instant: decides each finding and keeps count."""

    def __init__(self, waivers: Sequence[Waiver] = (), as_of: int = 0) -> None:
        self.waivers = tuple(waivers)
        self.as_of = as_of
        self._by_clause: dict[tuple[str, str], list[Waiver]] = {}
        for waiver in sorted(self.waivers, key=lambda w: -w.specificity):  # stable: load order
            self._by_clause.setdefault((waiver.agreement, waiver.clause), []).append(waiver)
        self.waived_by_kind: Counter[str] = Counter()
        self.matched: Counter[str] = Counter()  # waiver id -> findings it covered in the run

    def decide(self, finding: Finding) -> WaiverDecision:
        """Waived by the most specific active waiver covering it; else marked with the expired
        waiver that would have covered it; else nothing."""
        expired: Waiver | None = None
        for waiver in self._by_clause.get((finding.agreement, finding.clause), ()):
            if not waiver.covers(finding):
                continue
            if waiver.is_active(self.as_of):
                return WaiverDecision(waiver, WAIVED)
            expired = expired or waiver
        return WaiverDecision(expired, EXPIRED) if expired else NO_WAIVER

    def tally(self, findings: Iterable[Finding]) -> Counter[str]:
        """Go through the run's findings once: count the waived ones and what each waiver
        covered, and return the findings that are not waived, by kind (what the exit code reads)."""
        not_waived: Counter[str] = Counter()
        for finding in findings:
            covering = self._by_clause.get((finding.agreement, finding.clause), ())
            for waiver in covering:
                if waiver.covers(finding):
                    self.matched[waiver.id] += 1
            if self.decide(finding).waived:
                self.waived_by_kind[finding.kind.value] += 1
            else:
                not_waived[finding.kind.value] += 1
        return not_waived

    @property
    def waived(self) -> int:
        return sum(self.waived_by_kind.values())

    @property
    def expired(self) -> list[Waiver]:
        """Waivers whose expiry day is before the as-of date, whether or not they covered any."""
        return [waiver for waiver in self.waivers if not waiver.is_active(self.as_of)]

    @property
    def unused(self) -> list[Waiver]:
        """Active waivers that covered no finding of the run."""
        return [
            waiver
            for waiver in self.waivers
            if waiver.is_active(self.as_of) and not self.matched[waiver.id]
        ]

    def reported_again(self, waiver: Waiver) -> int:
        """How many findings an expired waiver covered (they are reported as usual)."""
        return self.matched[waiver.id]

    def warnings(self) -> list[Diagnostic]:
        """A positioned warning for each expired and each unused waiver."""
        as_of_day = date_of_epoch(self.as_of)
        found: list[Diagnostic] = []
        for waiver in self.expired:
            count = self.reported_again(waiver)
            back = (
                f"{_findings(count)} it covered {'is' if count == 1 else 'are'} reported again"
                if count
                else "it covers no finding of this run"
            )
            found.append(
                _warning(
                    waiver,
                    f"waiver {waiver.id} ({waiver.scope}) expired on {waiver.expires}, before "
                    f"the as-of date {as_of_day}; {back}",
                    "if the exception still stands, have it approved again and set a new "
                    "'expires' date; otherwise remove the waiver",
                )
            )
        for waiver in self.unused:
            found.append(
                _warning(
                    waiver,
                    f"waiver {waiver.id} ({waiver.scope}) matched no finding in this run",
                    "check the clause, subject and code against the report; remove the waiver "
                    "if the finding it was for is gone",
                )
            )
        return found


def finding_record(finding: Finding, decision: WaiverDecision) -> dict[str, Any]:
    """A finding's JSON record with its ``waiver`` field (None when no waiver names it)."""
    return {**finding.to_dict(), "waiver": decision.record()}


def waiver_record(waiver: Waiver, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A waiver's JSON record, with `extra` fields after its own."""
    return {**waiver.to_dict(), **(extra or {})}


def _findings(count: int) -> str:
    return f"{count} finding" + ("" if count == 1 else "s")


def _warning(waiver: Waiver, message: str, help_text: str) -> Diagnostic:
    return Diagnostic(
        waiver.path,
        waiver.line,
        waiver.column,
        message,
        help=help_text,
        level=Level.WARNING,
        snippet=waiver.snippet,
    )
