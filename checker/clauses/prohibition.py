"""Prohibition (a norm): a party must not bring something about. For clauses no kind covers;
see docs/norms.md.

Example::

    - id: "12.1"
      title: No confidential data to competitors
      kind: prohibition
      by: partner
      do:
        fact: data.transfer
        where: {classification: confidential, recipient: [rival-corp, othercorp]}
      until: {after_end: 2y}

Every fact of the bound party matching `do` while the prohibition applies (the term, or from
`from` until `until`, which may be a tail after the end) is a breach, dated at that fact. `by:
each` binds every party ("neither party shall...").
"""

from __future__ import annotations

from typing import Literal

from checker.clauses._norms import NormClause
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.model import ProhibitionTerms


class ProhibitionClause(NormClause, ProhibitionTerms):
    kind_summary = "A party must not bring something about (a norm written directly)."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "prohibition.breached", FindingKind.BREACH, "The bound party did what is forbidden."
        ),
        FindingCode(
            "prohibition.undecided",
            FindingKind.ERROR,
            "A fact could not be checked: a field it tests holds something that cannot "
            "be compared as the clause asks; the other facts are still checked.",
        ),
        FindingCode(
            "prohibition.ended", FindingKind.TRIGGER, "It stopped applying (ends_when or a right)."
        ),
        FindingCode(
            "prohibition.suspended",
            FindingKind.TRIGGER,
            "A right's exercise suspended it (effect: {suspends: ...}), dated at the first "
            "day suspended: a fact while suspended is no breach.",
        ),
    )

    kind: Literal["prohibition"]
