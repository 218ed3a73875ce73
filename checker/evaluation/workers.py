"""Evaluate agreements in short-lived worker processes: engine crashes stay contained, memory the
engine never gives back is returned when a worker exits, and every core is used.

Workers come from a fork server started before any results arrive, so each begins as a small
process whatever the run has collected so far; a worker receives its batch of agreements, evaluates
them against the routed facts (read from the SQLite file) and sends the results back through a pipe. A worker that dies
without answering (durable_rules can segfault) has its batch split and retried one agreement per
process, so only the agreement that crashes the engine is lost, and it is reported as an `error`
finding, never as compliant.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from checker.evaluation.evaluate import AgreementResult, error_finding, evaluate_agreement
from checker.facts.completeness import Completeness
from checker.facts.model import Fact
from checker.facts.store import RoutedFacts
from checker.norms.parties import FactParties
from checker.rulebook.agreement import Agreement

log = logging.getLogger(__name__)

# A worker process evaluates at most this many agreements, and stops taking more once their facts
# reach the budget: durable_rules keeps ~8.5 KB per stored fact until the process exits, so the
# budget bounds a worker's memory whatever the portfolio's size. Forking costs a few milliseconds.
DEFAULT_BATCH = 25
DEFAULT_FACT_BUDGET = 15_000


@dataclass(frozen=True, slots=True)
class Job:
    facts_path: str
    as_of: int
    horizon_end: int
    fact_parties: FactParties = field(default_factory=FactParties)  # the catalogue's
    completeness: Completeness | None = None  # how far each feed is complete (None: all of it)


Evaluate = Callable[
    [Agreement, Sequence[Fact], int, int, FactParties, Completeness | None], AgreementResult
]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def evaluate_in_workers(
    agreements: Sequence[Agreement],
    job: Job,
    fact_counts: dict[int, int],
    workers: int,
    batch_size: int = DEFAULT_BATCH,
    fact_budget: int = DEFAULT_FACT_BUDGET,
    evaluate: Evaluate = evaluate_agreement,
) -> Iterator[AgreementResult]:
    """One result per agreement, as workers finish (not in agreement order), whatever happened
    to the workers; the caller need not hold them all.

    `fact_counts`: routed facts per agreement number, for batching. `evaluate` must be a
    module-level function (workers receive it by name).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    pending = deque(_batches(fact_counts, len(agreements), batch_size, fact_budget))
    running: dict[Connection, tuple[BaseProcess, list[int]]] = {}
    while pending or running:
        while pending and len(running) < max(1, workers):
            batch = pending.popleft()
            receiver, sender = context.Pipe(duplex=False)
            items = [(number, agreements[number]) for number in batch]
            process: BaseProcess = context.Process(
                target=_worker, args=(items, job, sender, evaluate), daemon=True
            )
            process.start()
            sender.close()
            running[receiver] = (process, batch)
        for ready in multiprocessing.connection.wait(list(running)):
            assert isinstance(ready, Connection)
            process, batch = running.pop(ready)
            receiver = ready
            try:
                answered: list[AgreementResult] = receiver.recv()
            except (EOFError, OSError):
                answered = []
            receiver.close()
            process.join()
            if len(answered) == len(batch):
                yield from answered
            elif len(batch) > 1:
                log.warning(
                    "a worker died (exit %s); retrying its %d agreements one by one",
                    process.exitcode,
                    len(batch),
                )
                pending.extendleft([number] for number in reversed(batch))
            else:
                (number,) = batch
                agreement = agreements[number]
                reason = _death(process.exitcode)
                log.error("agreement %s crashed the engine: %s", agreement.agreement, reason)
                yield AgreementResult(
                    agreement.agreement,
                    [
                        error_finding(
                            agreement, None, f"could not be evaluated: {reason}", job.as_of
                        )
                    ],
                    errors=[reason],
                )


def _batches(
    fact_counts: dict[int, int], agreements: int, batch_size: int, fact_budget: int
) -> list[list[int]]:
    """Consecutive agreements grouped up to `batch_size` of them or `fact_budget` facts."""
    batches: list[list[int]] = []
    current: list[int] = []
    facts = 0
    for number in range(agreements):
        count = fact_counts.get(number, 0)
        if current and (len(current) >= batch_size or facts + count > fact_budget):
            batches.append(current)
            current, facts = [], 0
        current.append(number)
        facts += count
    if current:
        batches.append(current)
    return batches


def _worker(
    items: list[tuple[int, Agreement]], job: Job, sender: Connection, evaluate: Evaluate
) -> None:
    facts = RoutedFacts(job.facts_path)
    try:
        answered = [
            evaluate(
                agreement,
                facts.facts_of(number),
                job.as_of,
                job.horizon_end,
                job.fact_parties,
                job.completeness,
            )
            for number, agreement in items
        ]
    finally:
        facts.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for result in answered:
        result.peak_memory_kb = peak
    sender.send(answered)
    sender.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the rule engine crashed ({name})"
    return f"the evaluating process ended with exit code {exitcode}"
