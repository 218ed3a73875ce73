"""Obligation (a norm): a party must bring something about by a due date. For clauses no kind
covers; see docs/norms.md.

Example::

    - id: "9.3"
      title: Incident notice
      kind: obligation
      by: us
      to: partner
      when: {fact: incident.detected}
      do: {fact: notice.sent, match_on: [incident]}
      within: 72h

Each trigger (a fact, the end of each period, the start or end of the agreement, a date, a breach
of another clause, a right's exercise) creates an instance, due `within` a duration after it or
on a `due` date. The first fact of the bound party matching `do` at or after the trigger fulfils
it; with `amount`, matching facts must add up to the amount. A breach is dated at the due date
whether the fulfilment came late or never, so the late fulfilment updates the same finding.
"""

from __future__ import annotations

from typing import Literal

from checker.clauses._norms import NormClause
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.model import ObligationTerms


class ObligationClause(NormClause, ObligationTerms):
    kind_summary = "A party must bring something about by a due date (a norm written directly)."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "obligation.breached",
            FindingKind.BREACH,
            "It was not done (or not paid in full) by its due date; a late fulfilment is the "
            "same breach, saying when it came.",
        ),
        FindingCode("obligation.due", FindingKind.DEADLINE, "It falls due within the horizon."),
        FindingCode(
            "obligation.unknown",
            FindingKind.UNKNOWN,
            "Past its due date and not done as far as the facts go, but the feed of the facts "
            "that fulfil it does not reach the due date tonight: it cannot be told.",
        ),
        FindingCode(
            "obligation.material_breach",
            FindingKind.TRIGGER,
            "Still not done `material_breach_after` its due date: a material breach, dated at the "
            "last day of that grace, whether it was done later or never.",
        ),
        FindingCode(
            "obligation.becomes_material",
            FindingKind.DEADLINE,
            "Not yet done, it becomes a material breach within the horizon.",
        ),
        FindingCode(
            "obligation.cure_ends",
            FindingKind.DEADLINE,
            "Breached and not yet done, the cure period a default notice started (`cure`) ends "
            "within the horizon.",
        ),
        FindingCode(
            "obligation.uncured",
            FindingKind.TRIGGER,
            "Not done by the end of the cure period: a right to terminate arose, dated the day "
            "after, whether it was done later or never.",
        ),
        FindingCode(
            "obligation.undecided",
            FindingKind.ERROR,
            "A fact that creates it could not be checked: a field it tests holds something that cannot "
            "be compared as the clause asks; the other facts are still checked.",
        ),
        FindingCode(
            "obligation.ended", FindingKind.TRIGGER, "It stopped applying (ends_when or a right)."
        ),
        FindingCode(
            "obligation.suspended",
            FindingKind.TRIGGER,
            "A right's exercise suspended it (effect: {suspends: ...}), dated at the first "
            "day suspended: no instance arises then, and one pending when it starts falls "
            "due later by its length.",
        ),
    )

    kind: Literal["obligation"]
