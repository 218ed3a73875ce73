"""Worker processes: a crash in one agreement costs only that agreement, reported as an error."""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence

from checker.dates.timeutil import parse_instant
from checker.evaluation import workers as parallel
from checker.evaluation.evaluate import AgreementResult, evaluate_agreement
from checker.evaluation.routing import RoutingIndex
from checker.facts.completeness import Completeness
from checker.facts.model import Fact, FactCounts
from checker.facts.store import FactStore
from checker.findings.model import FindingKind
from checker.norms.parties import FactParties
from checker.rulebook.agreement import Agreement
from tests.helpers import agreement, fact

CLAUSE = {
    "id": "4.1",
    "title": "Exclusive territory",
    "kind": "exclusivity",
    "territory": ["DE"],
    "forbids": [{"fact": "deal.closed", "where": {"channel": "direct"}}],
}


def _portfolio(count: int) -> list[Agreement]:
    return [agreement(CLAUSE, agreement=f"a{n:02d}", partner=f"p{n:02d}") for n in range(count)]


def _run(
    agreements: Sequence[Agreement],
    facts: list[Fact],
    workers: int,
    batch: int,
    evaluate: parallel.Evaluate = evaluate_agreement,
) -> list[AgreementResult]:
    as_of = parse_instant("2026-11-22")
    with FactStore(RoutingIndex(agreements), as_of) as store:
        for item in facts:
            store.add(item)
        store.finish(FactCounts(), [])
        job = parallel.Job(store.path, as_of, as_of + 30 * 86_400)
        results = parallel.evaluate_in_workers(
            agreements, job, store.fact_counts(), workers, batch, evaluate=evaluate
        )
        return sorted(results, key=lambda result: result.agreement)


DEAL = fact("d1", "deal.closed", "2026-02-10", "us", territory="DE", channel="direct")


def test_every_agreement_gets_one_result_from_several_workers() -> None:
    agreements = _portfolio(7)
    results = _run(agreements, [DEAL], workers=2, batch=2)
    assert [r.agreement for r in results] == [f"a{n:02d}" for n in range(7)]
    # The direct deal breaches every agreement's exclusivity (facts of any partner are read).
    assert all([f.subject for f in r.findings] == ["d1"] for r in results)


def test_results_carry_the_peak_memory_of_the_worker_that_evaluated_them() -> None:
    # The run's log gives workers' peak memory from these (a worker is not the run's child, so
    # RUSAGE_CHILDREN says 0); any Python process with the engine loaded holds well over 5 MB.
    results = _run(_portfolio(3), [DEAL], workers=2, batch=1)
    assert all(r.peak_memory_kb > 5 * 1024 for r in results)


def crash_on_a03(
    subject: Agreement,
    facts: Sequence[Fact],
    as_of: int,
    horizon_end: int,
    fact_parties: FactParties,
    completeness: Completeness | None = None,
) -> AgreementResult:
    """Evaluation that dies like a segfaulting engine on agreement a03 (workers get it by name)."""
    if subject.agreement == "a03":
        os.kill(os.getpid(), signal.SIGSEGV)
    return evaluate_agreement(subject, facts, as_of, horizon_end, fact_parties, completeness)


def test_a_crashing_agreement_becomes_an_error_and_the_others_survive() -> None:
    results = _run(_portfolio(6), [DEAL], workers=2, batch=4, evaluate=crash_on_a03)
    by_agreement = {r.agreement: r for r in results}
    (crashed,) = by_agreement["a03"].findings
    assert crashed.kind is FindingKind.ERROR
    assert "SIGSEGV" in crashed.message
    for name in ("a00", "a01", "a02", "a04", "a05"):
        assert [f.kind for f in by_agreement[name].findings] == [FindingKind.BREACH]


def test_batches_respect_the_size_and_the_fact_budget() -> None:
    counts = {0: 5, 1: 5, 2: 30, 3: 1, 4: 1, 5: 1}
    assert parallel._batches(counts, 7, batch_size=3, fact_budget=12) == [
        [0, 1],  # 5 + 5 + 30 would pass 12
        [2],  # alone over the budget
        [3, 4, 5],  # batch size 3
        [6],  # no facts
    ]
