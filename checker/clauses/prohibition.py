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

from collections.abc import Sequence
from typing import Literal

from checker.clauses._norms import explain_norm, rules_of
from checker.clauses.base import Clause, ExplainContext, Explanation
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart, compile_norms, routing_patterns, sentence
from checker.norms.context import ClauseContext
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import ProhibitionTerms


class ProhibitionClause(Clause, ProhibitionTerms):
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
    )

    kind: Literal["prohibition"]

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        return routing_patterns(self)

    def norms(self) -> list[NormPart]:
        return [NormPart(self.id, self)]

    def compile(self, context: ClauseContext) -> None:
        compile_norms(context)

    def describe(self) -> str:
        return sentence(self)

    def explain(self, context: ExplainContext) -> Explanation:
        said = Explanation((sentence(self, context.parties), *rules_of(self, context)))
        return said.plus(dates=explain_norm(self, context))
