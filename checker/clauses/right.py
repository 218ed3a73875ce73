"""Right (a norm): a party may do something, for a while, with an effect. For clauses no kind
covers; see docs/norms.md.

Example::

    - id: "14.3"
      title: Termination after a change of control
      kind: right
      holder: us
      arises: {fact: change_of_control.notified, by: partner}
      open_for: 90d
      exercised_by: {fact: notice.termination}

A right arises on a fact, on breaches of another clause (each one, K in a row or K in any N), at
the start, on a date, or before each anniversary of the start (`{each: anniversary, opens_before:
120d, closes_before: 60d}`), and stays open `open_for` (or until the term ends). A right arising
on a day known in advance is announced when that day comes within the horizon. The holder exercises
it with a fact matching `exercised_by`; an `effect` ends other clauses from then (or `after` a
notice period), or with `ends: agreement` the agreement itself: its first exercise ends the term
at the end of the day `after` later. `starts` names clauses that apply only from the day after
the exercise takes effect (new terms; with `ends`, a change of terms), and `suspends` clauses
that judge nothing from that day, `for` a time or `until` a resuming fact. It is reported when
it arises, while open, and after: exercised, or lapsed.
"""

from __future__ import annotations

from typing import Literal

from checker.clauses._norms import NormClause
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.model import RightTerms


class RightClause(NormClause, RightTerms):
    kind_summary = (
        "A party may do something, for a while, with an effect (a norm written directly)."
    )
    default_severity = Severity.MEDIUM
    finding_codes = (
        FindingCode(
            "right.arisen",
            FindingKind.TRIGGER,
            "The right arose; the message says whether it is open, was exercised or lapsed.",
        ),
        FindingCode(
            "right.arising",
            FindingKind.DEADLINE,
            "It arises within the horizon on a day known in advance (the start, a date, a window"
            " before an anniversary).",
        ),
        FindingCode(
            "right.closing", FindingKind.DEADLINE, "An open right lapses within the horizon."
        ),
        FindingCode(
            "right.ends_agreement",
            FindingKind.DEADLINE,
            "Its exercise ends the agreement (effect: {ends: agreement}), and the last day the"
            " agreement is in force falls within the horizon.",
        ),
        FindingCode(
            "right.ended_agreement",
            FindingKind.TRIGGER,
            "Its exercise ended the agreement, on the day the finding is dated (reported from"
            " the day after, when the end is no longer a deadline).",
        ),
        FindingCode(
            "right.extended_agreement",
            FindingKind.TRIGGER,
            "Its exercise extended the agreement's fixed term (effect: {extends: agreement, by:"
            " ...}), dated on the exercise; the message says to when.",
        ),
        FindingCode(
            "right.undecided",
            FindingKind.ERROR,
            "A fact that makes it arise could not be checked: a field it tests holds something that cannot "
            "be compared as the clause asks; the other facts are still checked.",
        ),
        FindingCode(
            "right.ended", FindingKind.TRIGGER, "It stopped applying (ends_when or a right)."
        ),
        FindingCode(
            "right.suspended",
            FindingKind.TRIGGER,
            "A right's exercise suspended it (effect: {suspends: ...}), dated at the first "
            "day suspended: it neither arises nor is exercised then.",
        ),
    )

    kind: Literal["right"]
