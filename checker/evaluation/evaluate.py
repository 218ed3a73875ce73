"""Evaluate one agreement: pick its facts per clause, compute its term, compile, run the engine,
and turn rule firings into findings. Anything that cannot be evaluated becomes an `error` finding."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from checker.clauses.base import Clause
from checker.dates.timeutil import date_of_epoch
from checker.engine import host as engine
from checker.engine.program import Program
from checker.facts.completeness import Completeness
from checker.facts.model import Fact
from checker.findings.model import Finding, FindingKind, Severity
from checker.norms.clause_support import NormPart, in_force_only
from checker.norms.compile import NORM_WORDING
from checker.norms.context import AgreementTerm, ClauseContext, ClauseTerms
from checker.norms.instances import work_out
from checker.norms.model import NormTerms
from checker.norms.outcomes import NormError, NormInputs, Outcome
from checker.norms.parties import FactParties
from checker.rulebook.agreement import Agreement
from checker.rulebook.term import agreement_term

log = logging.getLogger(__name__)

NO_CATALOGUE = FactParties()


@dataclass(slots=True)
class AgreementResult:
    agreement: str
    findings: list[Finding]
    facts_read: dict[str, int] = field(default_factory=dict)  # clause id -> facts it read
    engine_messages: int = 0
    rule_firings: int = 0
    errors: list[str] = field(default_factory=list)
    peak_memory_kb: int = 0  # the peak resident memory of the process that evaluated it


@dataclass(slots=True)
class CompiledAgreement:
    """An agreement's engine program for one as-of instant, before the engine runs it."""

    program: Program
    contexts: list[ClauseContext]  # one per clause, then the term clause; they collect findings
    errors: list[Finding]  # clauses that could not be compiled (fail closed)


def compile_agreement(
    agreement: Agreement,
    facts: Sequence[Fact],
    as_of: int,
    horizon_end: int,
    fact_parties: FactParties = NO_CATALOGUE,
    completeness: Completeness | None = None,
) -> CompiledAgreement:
    """Compute the term, then compile every clause into one program; `facts` sorted by (at, id)."""
    program = Program(agreement.agreement)
    unknown_term = AgreementTerm(0, 0, "")  # set by agreement_term before anything compiles
    contexts = [
        _context(
            agreement,
            clause,
            index,
            unknown_term,
            as_of,
            horizon_end,
            program,
        )
        for index, clause in enumerate(agreement.all_clauses)
    ]
    term, term_clause = agreement_term(agreement, contexts, facts, as_of, fact_parties)
    contexts.append(
        _context(agreement, term_clause, len(contexts), term, as_of, horizon_end, program)
    )
    _work_out_norms(agreement, contexts, term, facts, fact_parties, completeness)
    errors: list[Finding] = []
    for context in contexts:
        # A clause an amendment added or removed sees only the part of the term it is in force.
        context.term = context.clause.in_force.clip(term)
        rules_before, messages_before = len(program.rules), len(program.messages)
        try:
            context.clause.compile(context)
        except (ValueError, TypeError, KeyError, ArithmeticError) as error:
            # Fail closed: drop what the clause half-added and report it as not evaluated.
            del program.rules[rules_before:]
            del program.messages[messages_before:]
            errors.append(
                error_finding(agreement, context.clause, f"could not be compiled: {error}", as_of)
            )
    return CompiledAgreement(program, contexts, errors)


def _work_out_norms(
    agreement: Agreement,
    contexts: Sequence[ClauseContext],
    term: AgreementTerm,
    facts: Sequence[Fact],
    fact_parties: FactParties,
    completeness: Completeness | None = None,
) -> None:
    """Work out the norms of every clause together (they may react to each other), and give
    each clause's context the outcomes of its own."""
    parts: list[tuple[ClauseContext, list[NormPart] | None]] = []
    for context in contexts:
        try:
            parts.append((context, context.clause.norms()))
        except (ValueError, TypeError, KeyError) as error:
            # Fail closed: a clause whose norms cannot be made is an error finding.
            context.norm_outcomes = [
                (NormError(f"its norms could not be made: {error}"), NORM_WORDING)
            ]
            parts.append((context, None))
    norms: dict[str, NormTerms] = {
        part.key: in_force_only(part.terms, context.clause.in_force)
        for context, found in parts
        if found
        for part in found
    }
    if not norms:
        return
    first = contexts[0]
    inputs = NormInputs(
        parties=agreement.resolved_parties,
        fact_parties=fact_parties,
        values=agreement.values,
        term=term,  # the term as it ends, terminations included
        as_of=first.as_of,
        horizon_end=first.horizon_end,
        facts=facts,
        calendar=first.calendar,
        completeness=completeness,
        agreement=agreement.agreement,
    )
    outcomes = work_out(norms, inputs)
    for context, found in parts:
        if found:
            context.norm_outcomes = [(outcomes[part.key], part.wording) for part in found]


def evaluate_agreement(
    agreement: Agreement,
    facts: Sequence[Fact],
    as_of: int,
    horizon_end: int,
    fact_parties: FactParties = NO_CATALOGUE,
    completeness: Completeness | None = None,
) -> AgreementResult:
    """Findings of one agreement on the as-of instant; `facts` sorted by (at, id); `fact_parties`
    says whose act each fact records (the fact-type catalogue's, by default `partner`);
    `completeness` how far each feed's data reaches (None: every feed is complete)."""
    compiled = compile_agreement(agreement, facts, as_of, horizon_end, fact_parties, completeness)
    clause_ids = {clause.id for clause in agreement.all_clauses}
    try:
        result = engine.run(compiled.program)
    except (engine.EngineLimitError, engine.EngineError) as error:
        log.error("agreement %s not evaluated: %s", agreement.agreement, error)
        failure = error_finding(agreement, None, f"could not be evaluated: {error}", as_of)
        return AgreementResult(agreement.agreement, [failure], errors=[str(error)])
    for match in result.matches:
        match.rule.on_match(match)
    findings = list(compiled.errors)
    for context in compiled.contexts:
        findings.extend(_once_each(context.findings) if context.norm_outcomes else context.findings)
    return AgreementResult(
        agreement.agreement,
        findings,
        facts_read={
            context.clause.id: _facts_read(context)
            for context in compiled.contexts
            if context.clause.id in clause_ids
        },
        engine_messages=len(compiled.program.messages),
        rule_firings=len(result.matches),
    )


def _once_each(findings: Sequence[Finding]) -> list[Finding]:
    """A clause's findings, the first of each fingerprint: a fact two norms of one clause both
    forbid (two activity patterns of a kind) is one breach of the clause."""
    seen: set[str] = set()
    kept: list[Finding] = []
    for finding in findings:
        if finding.fingerprint not in seen:
            seen.add(finding.fingerprint)
            kept.append(finding)
    return kept


def _facts_read(context: ClauseContext) -> int:
    """The facts a clause read: those of its bound parties its norms' patterns matched (a kind's
    versions read the same facts: each counts once); none when its norms could not be made."""
    read: set[str] = set()
    for outcome, _ in context.norm_outcomes:
        if isinstance(outcome, Outcome):
            read |= outcome.read
    return len(read)


def _context(
    agreement: Agreement,
    clause: Clause,
    index: int,
    term: AgreementTerm,
    as_of: int,
    horizon_end: int,
    program: Program,
) -> ClauseContext:
    return ClauseContext(
        agreement_id=agreement.agreement,
        partner=agreement.counterparty,
        owner=agreement.owner,
        clause=clause,
        index=index,
        term=term,
        as_of=as_of,
        horizon_end=horizon_end,
        program=program,
        calendar=agreement.business_calendar,
    )


def error_finding(
    agreement: Agreement, clause: ClauseTerms | None, reason: str, as_of: int
) -> Finding:
    return Finding(
        agreement=agreement.agreement,
        clause=clause.id if clause else "*",
        clause_title=clause.title if clause else agreement.title,
        kind=FindingKind.ERROR,
        code="evaluation.failed",
        severity=Severity.CRITICAL,
        date=date_of_epoch(as_of),
        subject=clause.id if clause else agreement.agreement,
        message=f"{'Clause ' + clause.id if clause else 'Agreement'} {reason}",
        owner=agreement.owner,
    )
