"""The registry of finding codes: every code a finding can carry, the clause kind that reports it,
the kind of finding it always is and what it means, and the check of a code an author writes in a
scenario or a waiver, so that a misspelt code is an error rather than a silent non-match.

Each clause kind declares its codes itself (`finding_codes` on its class in
checker/clauses/<kind>.py); the agreement's own term declares its codes in checker/rulebook/term.py, and
`evaluation.failed`, which any clause can carry, is declared here.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.clauses import KINDS
from checker.common.suggest import did_you_mean
from checker.findings.model import FindingCode, FindingKind
from checker.rulebook.term import TermClause

# The code of an error finding for a clause (or a whole agreement) that could not be evaluated.
# Any clause can have it, whatever its kind; this registry lists it for every kind.
EVALUATION_FAILED = FindingCode(
    "evaluation.failed",
    FindingKind.ERROR,
    "The clause (or the whole agreement) could not be evaluated; it is not known to be complied"
    " with.",
)

# The agreement's own term: its findings carry the clause id "term" and these codes.
TERM = "term"
# Codes any clause can carry, whatever its kind.
ANY_CLAUSE: tuple[FindingCode, ...] = (EVALUATION_FAILED,)
WHERE_CODES_ARE_LISTED = (
    "the codes of each kind of clause are listed in docs/clauses.md, and by"
    " 'contract-checker explain --kind <kind>'"
)


def codes_by_kind() -> dict[str, tuple[FindingCode, ...]]:
    """Each clause kind's own codes, kinds in name order, then the term's under "term"."""
    found = {name: KINDS[name].finding_codes for name in sorted(KINDS)}
    found[TERM] = TermClause.finding_codes
    return found


def codes_of(kind: str) -> tuple[FindingCode, ...]:
    """Every code a clause of `kind` (or the term, "term") can carry: its own, then those any
    clause can carry."""
    return (*codes_by_kind()[kind], *ANY_CLAUSE)


def all_codes() -> dict[str, FindingCode]:
    """Every code there is, with its declaration."""
    found = {code.code: code for codes in codes_by_kind().values() for code in codes}
    found.update((code.code, code) for code in ANY_CLAUSE)
    return found


@dataclass(frozen=True, slots=True)
class CodeProblem:
    """What is wrong with a code (or the finding kind written next to it), and how to fix it.

    `field` is the entry's field the problem is about: "code" or "kind".
    """

    field: str
    message: str
    help: str


def check_code(
    code: str,
    consequence: str,
    clause: str | None = None,
    clause_kind: str | None = None,
    suggest_errors: bool = True,
) -> CodeProblem | None:
    """A problem when no finding has `code`, or when the clause named (`clause`, of
    `clause_kind`; "term" for the term) never reports it; None when it can. Without a clause
    kind, any code that exists is accepted.

    `consequence` finishes the message: what the mistake would do, e.g. "so this waiver would
    never apply". `suggest_errors` False leaves the codes of error findings out of the help (a
    waiver cannot name them).
    """
    known = all_codes()
    possible = None if clause_kind is None else [c.code for c in codes_of(clause_kind)]
    if code in known and (possible is None or code in possible):
        return None
    candidates = [
        name
        for name in (list(known) if possible is None else possible)
        if suggest_errors or known[name].kind is not FindingKind.ERROR
    ]
    help_text = did_you_mean(code, candidates) or (
        WHERE_CODES_ARE_LISTED
        if possible is None
        else f"the codes that fit clause {clause} are: {', '.join(candidates)}"
    )
    if code not in known:
        return CodeProblem("code", f"no finding has the code '{code}', {consequence}", help_text)
    owner = _owner_words(code)
    if clause_kind == TERM:
        where = "the agreement's own term (clause term) never reports"
    else:
        assert clause_kind is not None  # `possible` is None otherwise
        where = (
            f"clause {clause} is {article(clause_kind)} {clause_kind} clause, which never reports"
        )
    return CodeProblem("code", f"{where} '{code}' (a code of {owner}), {consequence}", help_text)


def check_finding_kind(code: str, kind: FindingKind, consequence: str) -> CodeProblem | None:
    """A problem when findings with `code` are never of `kind`; None when they are, or when the
    code is unknown (`check_code` reports that)."""
    declared = all_codes().get(code)
    if declared is None or declared.kind is kind:
        return None
    always = declared.kind.value
    return CodeProblem(
        "kind",
        f"'{code}' findings are always {article(always)} {always}, never"
        f" {article(kind.value)} {kind.value}, {consequence}",
        f"write 'kind: {always}', or leave 'kind' out: the code says it already",
    )


def check_clause_finding_kind(
    kind: FindingKind, clause: str, clause_kind: str, consequence: str
) -> CodeProblem | None:
    """A problem when a clause of `clause_kind` ("term" for the term) never reports a finding of
    `kind`; None when it can."""
    possible = sorted({code.kind.value for code in codes_of(clause_kind)})
    if kind.value in possible:
        return None
    if clause_kind == TERM:
        where = "the agreement's own term (clause term) never reports"
    else:
        where = (
            f"clause {clause} is {article(clause_kind)} {clause_kind} clause, which never reports"
        )
    return CodeProblem(
        "kind",
        f"{where} {article(kind.value)} {kind.value}, {consequence}",
        f"its findings are: {', '.join(possible)}",
    )


def _owner_words(code: str) -> str:
    """Who reports `code`, in words: "cap clauses", "the agreement's own term"."""
    for kind, codes in codes_by_kind().items():
        if any(declared.code == code for declared in codes):
            return "the agreement's own term" if kind == TERM else f"{kind} clauses"
    return "any clause"


def article(word: str) -> str:
    """The indefinite article before `word` in a message: `an` obligation, `a` measure."""
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"
