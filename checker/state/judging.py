"""Whether a finding seen before but not tonight is resolved, or why it is stale.

Statuses, night after night (the contract is in checker/findings/tracking.py): a finding seen before but
not tonight is `resolved` only when all of this holds tonight, else it is `stale` with the first
reason that fails, never resolved:

1. its agreement is still in the rules, and its clause too (`term` and the whole-agreement
   clause `*` exist while the agreement does);
2. its agreement was evaluated completely: no `evaluation.failed` finding for the agreement,
   whether for the whole agreement or any of its clauses (clauses feed each other: a
   termination ends the term that other clauses' deadlines depend on);
3. it is not unknown tonight: no `unknown` finding tonight has its agreement, clause and
   subject (the data that would decide it is not there, so its absence says nothing: a breach
   that becomes unknown is not resolved). An unknown finding has a fingerprint of its own;
4. its input is present: every fact file its evidence cites (the path before `:line` in each
   evidence source) is among tonight's inputs, and tonight had no rejected line in it. Paths are
   compared in canonical form (absolute, symbolic links resolved: `recording.canonical_path`),
   so `facts/crm.csv` one night and `/srv/checker/facts/crm.csv` the next are the same file; a
   relative path from an earlier night is taken from the directory tonight's run started in (a fact that moved onto a broken line is not a fact that went away). A file that
   cannot be read at all stops the run before anything is recorded. Findings without evidence
   (a missed due date, a period total) rest on the agreement's evaluation alone;
5. its data is there: no fact it cites comes from a feed that had no facts tonight (an export
   present but empty: a 0-byte file is no sign the facts went away).

An unknown finding that is no longer reported is judged by the same rules: resolved once a
night can decide it (whatever that night finds), stale when it cannot tell.

A stale finding is checked again every night: it can become resolved, or open again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

# The clause ids every agreement has besides its rule file's: the term (checker/rulebook/term.py) and the
# whole agreement (`*`, the clause of an error finding when the agreement could not be evaluated).
AGREEMENT_CLAUSES = frozenset({"term", "*"})


class Judge:
    """Decides whether a finding that is no longer reported is resolved, or why it is stale."""

    def __init__(
        self,
        clauses: Mapping[str, set[str]],
        failed_agreements: set[str],
        inputs: Mapping[str, int],
        named: Mapping[str, str],
        feed_without_data: Callable[[str], str | None],
    ) -> None:
        self.clauses = clauses  # agreement -> its clause ids tonight
        self.failed_agreements = failed_agreements
        self.inputs = inputs  # fact input path, canonical -> rejected lines tonight
        self.named = named  # fact input path as tonight's evidence names it -> canonical
        self.feed_without_data = feed_without_data  # fact type -> its feed if it had no facts

    def why_stale(
        self,
        agreement: str,
        clause: str,
        finding: Mapping[str, Any],
        unknown_tonight: str | None = None,
    ) -> str:
        """The reason tonight cannot tell the finding is gone, or "" when it is resolved.

        `unknown_tonight` is the message of tonight's `unknown` finding with the same agreement,
        clause and subject, or None when there is none."""
        if agreement not in self.clauses:
            return f"agreement {agreement} is no longer in the rules"
        if clause not in self.clauses[agreement]:
            return f"clause {clause} is no longer in agreement {agreement}"
        if agreement in self.failed_agreements:
            return f"agreement {agreement} could not be evaluated completely tonight"
        if unknown_tonight is not None:
            return f"it is unknown tonight: {unknown_tonight}"
        for source in sorted({_evidence_file(e["source"]) for e in finding["evidence"]}):
            canonical = self._canonical(source)
            if canonical not in self.inputs:
                return f"its evidence file {source} was not among tonight's inputs"
            rejected = self.inputs[canonical]
            if rejected:
                lines = "line" if rejected == 1 else "lines"
                return f"its evidence file {source} had {rejected} rejected {lines} tonight"
        for fact_type in sorted({e["type"] for e in finding["evidence"]}):
            feed = self.feed_without_data(fact_type)
            if feed is not None:
                return f"the {feed} feed its evidence comes from had no facts tonight"
        return ""

    def _canonical(self, source: str) -> str:
        """An evidence file's path in the form the inputs are keyed by."""
        if source in self.named:
            return self.named[source]
        if source in self.inputs:  # stdin, or a file named in canonical form already
            return source
        return os.path.realpath(source)


def _evidence_file(source: str) -> str:
    """ "exports/crm.csv:12" -> "exports/crm.csv" (a source is the path, a colon, the line)."""
    path, colon, line = source.rpartition(":")
    return path if colon and line.isdigit() else source
