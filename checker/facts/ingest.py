"""Read fact files into a FactStore: one file after another, or several at once in forked reader
processes that each fill a shard of the store, which the main store then absorbs."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from checker.common.diagnostics import Diagnostic, InputError
from checker.common.progress import Progress
from checker.facts.inputs import InputFile, input_files
from checker.facts.mapping import FactMapping
from checker.facts.model import Fact, FactCounts
from checker.facts.reading import FactInput, read_inputs
from checker.facts.store import FactStore

# Below this many bytes of input, forking readers costs more than it saves.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024
# How often reading in this process reports progress, in accepted facts.
PROGRESS_EVERY = 50_000


def read_into(
    store: FactStore,
    paths: Sequence[str],
    mapping: FactMapping | None,
    workers: int,
    progress: Progress | None = None,
) -> FactInput:
    """Read every fact of `paths` into `store` (before `store.finish`), using up to `workers`
    processes when there are several files; stdin is always read in this process."""
    numbered = list(enumerate(input_files(paths)))
    sizes = [_size(file) for _, file in numbered]
    parallel = (
        workers > 1
        and len(numbered) > 1
        and all(real is not None for _, (_, real, _) in numbered)
        and sum(sizes) >= PARALLEL_MIN_BYTES
    )
    progress = progress or Progress.off()
    if not parallel:
        return read_inputs(numbered, _counting(store.add, progress), mapping, store.begin_file)
    shares = _share_out(numbered, sizes, workers)
    context = multiprocessing.get_context("fork")
    running: list[tuple[BaseProcess, Connection, str]] = []
    for number, share in enumerate(shares):
        shard_path = os.path.join(store.directory, f"shard-{number}.sqlite")
        receiver, sender = context.Pipe(duplex=False)
        process: BaseProcess = context.Process(
            target=_read_shard, args=(store, shard_path, share, mapping, sender), daemon=True
        )
        process.start()
        sender.close()
        running.append((process, receiver, shard_path))
    counts = FactCounts()
    rejects: list[Diagnostic] = []
    problems: list[Diagnostic] = []
    for process, receiver, shard_path in running:
        try:
            outcome: FactInput | list[Diagnostic] = receiver.recv()
        except EOFError:
            process.join()
            raise RuntimeError(
                f"a fact reader process ended without a result (exit {process.exitcode})"
            ) from None
        process.join()
        if isinstance(outcome, list):
            problems.extend(outcome)
            continue
        counts.read += outcome.counts.read
        counts.rejected += outcome.counts.rejected
        progress.facts_read(counts.read)
        rejects.extend(outcome.rejects)
        store.absorb(shard_path)
        os.remove(shard_path)
    if problems:
        raise InputError(sorted(problems))
    return FactInput([], rejects, counts)


def _counting(sink: Callable[[Fact], None], progress: Progress) -> Callable[[Fact], None]:
    """`sink`, reporting progress every PROGRESS_EVERY facts when there is progress to show."""
    if not progress.enabled:
        return sink
    seen = 0

    def add(fact: Fact) -> None:
        nonlocal seen
        sink(fact)
        seen += 1
        if seen % PROGRESS_EVERY == 0:
            progress.facts_read(seen)

    return add


def _read_shard(
    store: FactStore,
    shard_path: str,
    share: list[tuple[int, InputFile]],
    mapping: FactMapping | None,
    sender: Connection,
) -> None:
    shard = FactStore(store.router, store.as_of, path=shard_path, known_as_of=store.known_as_of)
    try:
        result = read_inputs(share, shard.add, mapping, shard.begin_file)
        shard.save()
    except InputError as error:
        sender.send(error.diagnostics)
        return
    finally:
        shard.close()
    sender.send(result)


def _share_out(
    numbered: list[tuple[int, InputFile]], sizes: list[int], workers: int
) -> list[list[tuple[int, InputFile]]]:
    """Files dealt to readers, largest first to the least loaded: deterministic and balanced."""
    shares: list[list[tuple[int, InputFile]]] = [[] for _ in range(min(workers, len(numbered)))]
    loads = [0] * len(shares)
    for position in sorted(range(len(numbered)), key=lambda i: (-sizes[i], i)):
        lightest = loads.index(min(loads))
        shares[lightest].append(numbered[position])
        loads[lightest] += sizes[position]
    return [sorted(share) for share in shares]


def _size(file: InputFile) -> int:
    real = file[1]
    try:
        return os.path.getsize(real) if real is not None else 0
    except OSError:
        return 0
