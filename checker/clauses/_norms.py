"""What the four norm kinds share as clauses: one base class (`NormClause`) that reads, works
out, compiles, describes and explains a norm written directly, with the dates it implies (when
it applies, the due dates and period ends near the as-of date)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from checker.clauses.base import Clause, ClauseVersion, numbered
from checker.clauses.explaining import ExplainContext, Explanation, explain_norms
from checker.norms.clause_support import NormPart, routing_patterns, sentence
from checker.norms.compile import NORM_WORDING, Wording
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import NormTerms, is_norm


class NormClause(Clause):
    """A clause written as a norm: each of the four norm kinds is this and its norm's terms."""

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        assert is_norm(self)
        return routing_patterns(self)

    def norms(self) -> list[NormPart]:
        """The norm; amended, one norm per version, each applying while its version does
        (`<id>`, `<id>#2`...: another norm's reference to the clause covers them all)."""
        assert is_norm(self)
        if not self.amended:
            return [NormPart(self.id, self)]
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert is_norm(terms)
            made.append((_while_in_force(terms, version), NORM_WORDING))
        return numbered(self.id, made)

    def describe(self) -> str:
        assert is_norm(self)
        return sentence(self)

    def explain(self, context: ExplainContext) -> Explanation:
        assert is_norm(self)
        # Each version's dates as it applies (an amendment's version from its effective day).
        rules, implied = explain_norms(self.norms(), context)
        said = Explanation((sentence(self, context.parties), *rules))
        amendments = self.explain_terms(context)  # its first sentence is the one above
        return said.plus(amendments.sentences[1:], (*amendments.dates, *implied))


def _while_in_force(terms: NormTerms, version: ClauseVersion) -> NormTerms:
    """A version of an amended norm, applying from its first day to the day before the next
    version (the last version keeps the norm's own end, a tail after the term included)."""
    update: dict[str, object] = {}
    if version.starts is not None and (terms.from_ is None or terms.from_ < version.starts):
        update["from_"] = version.starts
    if version.ends is not None:
        last = version.ends - timedelta(days=1)
        if not isinstance(terms.until, date) or terms.until > last:
            update["until"] = last
    return terms.model_copy(update=update) if update else terms
