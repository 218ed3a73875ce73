"""Evaluate agreements in short-lived worker processes: engine crashes stay contained, memory the
engine never gives back is returned when a worker exits, and every core is used.

Each worker is forked with the validated agreements, evaluates a batch of them against the routed
facts (read from the SQLite file) and sends the results back through a pipe. A worker that dies
without answering (durable_rules can segfault) has its batch split and retried one agreement per
process, so only the agreement that crashes the engine is lost, and it is reported as an `error`
finding, never as compliant.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from checker.agreement import Agreement
from checker.evaluate import AgreementResult, error_finding, evaluate_agreement
from checker.routing import RoutedFacts

log = logging.getLogger(__name__)

# Agreements per worker process: small enough to bound engine memory, large enough that forking
# (a few milliseconds) is noise next to evaluation.
DEFAULT_BATCH = 25


@dataclass(frozen=True, slots=True)
class Job:
    facts_path: str
    as_of: int
    horizon_end: int


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def evaluate_in_workers(
    agreements: Sequence[Agreement],
    job: Job,
    workers: int,
    batch_size: int = DEFAULT_BATCH,
) -> list[AgreementResult]:
    """Results for every agreement, in agreement order, whatever happened to the workers."""
    context = multiprocessing.get_context("fork")
    pending: deque[list[int]] = deque(
        list(range(start, min(start + batch_size, len(agreements))))
        for start in range(0, len(agreements), batch_size)
    )
    results: dict[int, AgreementResult] = {}
    running: dict[Connection, tuple[BaseProcess, list[int]]] = {}
    while pending or running:
        while pending and len(running) < max(1, workers):
            batch = pending.popleft()
            receiver, sender = context.Pipe(duplex=False)
            process: BaseProcess = context.Process(
                target=_worker, args=(agreements, batch, job, sender), daemon=True
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
                results.update(zip(batch, answered, strict=True))
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
                results[number] = AgreementResult(
                    agreement.agreement,
                    [
                        error_finding(
                            agreement, None, f"could not be evaluated: {reason}", job.as_of
                        )
                    ],
                    errors=[reason],
                )
    return [results[number] for number in range(len(agreements))]


def _worker(
    agreements: Sequence[Agreement], batch: list[int], job: Job, sender: Connection
) -> None:
    facts = RoutedFacts(job.facts_path)
    try:
        answered = [
            evaluate_agreement(
                agreements[number], facts.facts_of(number), job.as_of, job.horizon_end
            )
            for number in batch
        ]
    finally:
        facts.close()
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
