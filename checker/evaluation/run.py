"""One run end to end: rule files and fact files in, sorted findings and counts out."""

from __future__ import annotations

import logging
import os
import resource
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from checker.common.diagnostics import Diagnostic, InputError
from checker.common.progress import Progress
from checker.dates.timeutil import horizon_end as horizon_end_of
from checker.evaluation.routing import RoutingIndex
from checker.evaluation.workers import Job, default_workers, evaluate_in_workers
from checker.facts.completeness import Completeness, tonight
from checker.facts.ingest import read_into
from checker.facts.inputs import input_files
from checker.facts.mapping import FactMapping
from checker.facts.model import FactCounts
from checker.facts.store import FactStore
from checker.findings.model import Finding
from checker.findings.spool import FindingSpool
from checker.findings.tracking import RunHistory
from checker.rulebook.agreement import Agreement
from checker.rulebook.applying_waivers import AppliedWaivers
from checker.rulebook.feeds_manifest import declared_feeds
from checker.rulebook.loading import Rulebook, load_rulebook
from checker.rulebook.term import TermClause
from checker.rulebook.waivers import load_waivers, waiver_files

if TYPE_CHECKING:
    from checker.alerts.snoozes import Snoozes

log = logging.getLogger(__name__)


class RuleFilesInvalid(Exception):
    """Rule files (or waivers files, whose problems are added to the rulebook's) had errors."""

    def __init__(self, rulebook: Rulebook) -> None:
        super().__init__(f"{len(rulebook.errors)} problem(s) in rule files")
        self.rulebook = rulebook


@dataclass(slots=True)
class RunSummary:
    as_of: int
    horizon_days: int
    agreements: int = 0
    clauses: int = 0
    counts: FactCounts = field(default_factory=FactCounts)
    irrelevant: int = 0  # accepted, but no clause of any agreement reads them
    findings_by_kind: Counter[str] = field(default_factory=Counter)  # waived findings left out
    waived: int = 0  # findings set apart by an active waiver
    clause_reads: list[ClauseReads] = field(default_factory=list)  # in agreement, clause order
    facts_by_type: dict[str, int] = field(default_factory=dict)  # accepted, up to the as-of
    # Each feed the clauses read: the last instant its data is complete tonight (None: no data).
    feeds: dict[str, int | None] = field(default_factory=dict)
    feed_of_type: dict[str, str] = field(default_factory=dict)  # each type the clauses read

    def feed_without_data(self, fact_type: str) -> str | None:
        """The feed of `fact_type` when it had no facts tonight (None: it had, or is not read)."""
        feed = self.feed_of_type.get(fact_type)
        return feed if feed is not None and self.feeds.get(feed, 0) is None else None

    def feeds_without_data(self) -> list[str]:
        """Feeds the clauses read that had no facts tonight: what rests on them is unknown."""
        return sorted(feed for feed, through in self.feeds.items() if through is None)

    def clauses_without_data(self) -> dict[tuple[str, str], list[str]]:
        """By (agreement, clause), the feeds it reads that had no facts tonight, for each clause
        with one (a clause that finds nothing on them was not checked, which is not compliant)."""
        missing = set(self.feeds_without_data())
        found: dict[tuple[str, str], list[str]] = {}
        for reads in self.clause_reads:
            feeds = [feed for feed in reads.feeds if feed in missing]
            if feeds:
                found[reads.agreement, reads.clause] = feeds
        return found

    def unread(self) -> list[ClauseReads]:
        """Clauses that read no fact although facts of their types were read: most likely the
        facts name a party (or field) the agreement or the catalogue does not expect."""
        return [
            reads
            for reads in self.clause_reads
            if reads.facts_read == 0 and any(self.facts_by_type.get(t) for t in reads.fact_types)
        ]


@dataclass(frozen=True, slots=True)
class ClauseReads:
    """How many facts one clause read, and the fact types it reads."""

    agreement: str
    clause: str
    facts_read: int
    fact_types: tuple[str, ...]
    feeds: tuple[str, ...] = ()  # the feeds its fact types come from


@dataclass(frozen=True, slots=True)
class AgreementOutline:
    """An agreement as reports list it, including clauses that have no finding: id, title, owner
    and its clauses as (id, title) in rule-file order, ending with its term (checked for all)."""

    agreement: str
    title: str
    owner: str
    clauses: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementOutline:
        term = TermClause.model_fields["title"].default
        clauses = tuple((clause.id, clause.title) for clause in agreement.all_clauses)
        return cls(
            agreement.agreement, agreement.title, agreement.owner, (*clauses, ("term", term))
        )


@dataclass(frozen=True, slots=True)
class RunSources:
    """The files a run read, so that it can be recorded (checker/state/): agreements' rule
    files, waivers files, and fact inputs as (path as evidence sources name it, real path or None
    for stdin)."""

    rule_files: tuple[str, ...] = ()
    waiver_files: tuple[str, ...] = ()
    fact_files: tuple[tuple[str, str | None], ...] = ()


@dataclass(slots=True)
class RunResult:
    """A finished run. Its findings live on disk until `close` (or the end of a `with` block)."""

    findings: FindingSpool
    fact_errors: list[Diagnostic]
    summary: RunSummary
    waivers: AppliedWaivers = field(default_factory=AppliedWaivers)
    rule_warnings: list[Diagnostic] = field(default_factory=list)  # the run went on despite them
    history: RunHistory | None = None  # with --state: new/open/resolved/stale across runs
    outlines: list[AgreementOutline] = field(default_factory=list)  # every agreement evaluated
    sources: RunSources = field(default_factory=RunSources)
    snoozes: Snoozes | None = None  # with --notify: findings kept out of chat, marked in reports

    def __enter__(self) -> RunResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.findings.close()


def run(
    rule_paths: Sequence[str],
    fact_paths: Sequence[str],
    as_of: int,
    horizon_days: int = 30,
    mapping: FactMapping | None = None,
    workers: int | None = None,
    waiver_paths: Sequence[str] | None = None,
    progress: Progress | None = None,
    complete_through: Mapping[str, int] | None = None,
    known_as_of: int | None = None,
) -> RunResult:
    """Evaluate every agreement in `rule_paths` against the facts in `fact_paths`.

    Waivers come from `waiver_paths`, or when it is None from the waivers file of each directory
    in `rule_paths` (see checker.rulebook.waivers); pass [] for none. `complete_through` declares
    how far a feed's data is complete (feed -> instant); other feeds are complete through their
    latest fact tonight (checker.facts.completeness). `known_as_of` replays what was known then:
    fact lines recorded after it (`recorded_at`) are ignored, as if not yet exported (None: all).

    Raises RuleFilesInvalid when any rule file or waivers file has errors (nothing is evaluated on
    a partial rulebook) and InputError when a fact path or a feeds manifest beside the facts
    (checker.rulebook.feeds_manifest) cannot be read.
    """
    started = time.perf_counter()
    rulebook = load_rulebook(rule_paths)
    waivers_read = waiver_files(rule_paths, waiver_paths)
    loaded_waivers = load_waivers(waivers_read, None if rulebook.errors else rulebook.agreements)
    rulebook.diagnostics.extend(loaded_waivers.diagnostics)
    if rulebook.errors:
        raise RuleFilesInvalid(rulebook)
    agreements = rulebook.agreements
    log.info("loaded %d agreements in %.1f s", len(agreements), time.perf_counter() - started)
    declared = declared_feeds(fact_paths, complete_through or {}, _known_feeds(rulebook))
    rulebook.diagnostics.extend(declared.warnings)
    horizon_end = horizon_end_of(as_of, horizon_days)
    summary = RunSummary(as_of, horizon_days, len(agreements))
    summary.clauses = sum(len(a.all_clauses) for a in agreements)
    # The same walk as the reading's (checker.facts.ingest): evidence sources name files this way.
    fact_files = tuple((shown, real) for shown, real, _csv in input_files(fact_paths))
    findings = FindingSpool()
    try:
        fact_errors = _evaluate(
            rulebook,
            fact_paths,
            as_of,
            horizon_end,
            mapping,
            workers,
            summary,
            findings,
            progress or Progress.off(),
            declared.through,
            known_as_of,
        )
        waivers = AppliedWaivers(loaded_waivers.waivers, as_of)
        summary.findings_by_kind = waivers.tally(findings)
    except BaseException:
        findings.close()
        raise
    summary.waived = waivers.waived
    log.info("collected %d findings (peak memory %d MB)", len(findings), _peak_mb())
    outlines = [AgreementOutline.of(agreement) for agreement in agreements]
    sources = RunSources(
        tuple(sorted(set(rulebook.sources.values()))),
        tuple(waivers_read),
        fact_files,
    )
    return RunResult(
        findings,
        fact_errors,
        summary,
        waivers,
        rulebook.warnings,
        outlines=outlines,
        sources=sources,
    )


def _evaluate(
    rulebook: Rulebook,
    fact_paths: Sequence[str],
    as_of: int,
    horizon_end: int,
    mapping: FactMapping | None,
    workers: int | None,
    summary: RunSummary,
    findings: FindingSpool,
    progress: Progress,
    complete_through: Mapping[str, int],
    known_as_of: int | None = None,
) -> list[Diagnostic]:
    """Read the facts, evaluate every agreement, spool the findings; return the rejected lines."""
    agreements = rulebook.agreements
    router = RoutingIndex(agreements, rulebook.fact_parties)
    with FactStore(router, as_of, known_as_of=known_as_of) as store:
        phase = time.perf_counter()
        facts_input = read_into(store, fact_paths, mapping, workers or default_workers(), progress)
        progress.done(f"read {facts_input.counts.read:,} fact lines")
        log.info(
            "read %d fact lines in %.1f s (peak memory %d MB)",
            facts_input.counts.read,
            time.perf_counter() - phase,
            _peak_mb(),
        )
        phase = time.perf_counter()
        store.finish(facts_input.counts, facts_input.rejects)
        log.info(
            "settled repeated ids and indexed in %.1f s (peak memory %d MB)",
            time.perf_counter() - phase,
            _peak_mb(),
        )
        summary.counts = facts_input.counts
        summary.irrelevant = store.irrelevant
        summary.facts_by_type = store.type_counts()
        completeness = tonight(store.latest_by_type(), rulebook.feeds, complete_through)
        # Each type the clauses read, its feed, and how far each of those feeds is complete.
        summary.feed_of_type = {t: completeness.feed(t) for t in _types_read(agreements)}
        summary.feeds = {
            feed: completeness.through.get(feed)
            for feed in sorted(set(summary.feed_of_type.values()))
        }
        job = Job(store.path, as_of, horizon_end, rulebook.fact_parties, completeness)
        phase = time.perf_counter()
        counts = store.fact_counts()
        corrections = store.corrections()
        uncorrected = (
            _uncorrected(store, agreements, job, workers or default_workers(), corrections)
            if corrections
            else {}
        )
        evaluated = 0
        workers_peak_kb = 0
        reads: dict[str, dict[str, int]] = {}
        for result in evaluate_in_workers(agreements, job, counts, workers or default_workers()):
            findings.add(_noting_corrections(result.findings, corrections, uncorrected))
            reads[result.agreement] = result.facts_read
            workers_peak_kb = max(workers_peak_kb, result.peak_memory_kb)
            evaluated += 1
            progress.agreements_evaluated(evaluated, len(agreements))
            log.debug("%s: %d findings", result.agreement, len(result.findings))
        progress.done(f"evaluated {evaluated:,} agreements")
        summary.clause_reads = _clause_reads(agreements, reads, completeness)
        log.info(
            "evaluated %d agreements in %.1f s (a worker's peak memory %d MB)",
            len(agreements),
            time.perf_counter() - phase,
            workers_peak_kb // 1024,
        )
    return facts_input.rejects


@dataclass(frozen=True, slots=True)
class _Uncorrected:
    """An agreement that read a corrected fact: its findings' fingerprints without the
    corrections (None: that evaluation failed, so it cannot tell), and its corrections' notes."""

    fingerprints: frozenset[str] | None
    notes: tuple[str, ...]


def _uncorrected(
    store: FactStore,
    agreements: Sequence[Agreement],
    job: Job,
    workers: int,
    corrections: Mapping[str, str],
) -> dict[str, _Uncorrected]:
    """Evaluate each agreement that read a corrected fact again on the facts as they were before
    the corrections, to tell which findings exist only because of a correction."""
    affected = store.corrected_by_agreement()
    numbers = sorted(affected)
    path = os.path.join(store.directory, "uncorrected.sqlite")
    store.write_uncorrected(path, numbers)
    chosen = [agreements[number] for number in numbers]
    notes = {
        agreements[number].agreement: tuple(corrections[fact_id] for fact_id in affected[number])
        for number in numbers
    }
    found: dict[str, _Uncorrected] = {}
    for result in evaluate_in_workers(chosen, replace(job, facts_path=path), {}, workers):
        fingerprints = None if result.errors else frozenset(f.fingerprint for f in result.findings)
        found[result.agreement] = _Uncorrected(fingerprints, notes[result.agreement])
    return found


def _noting_corrections(
    findings: Sequence[Finding],
    corrections: Mapping[str, str],
    uncorrected: Mapping[str, _Uncorrected],
) -> Sequence[Finding]:
    """Findings that exist only because of a correction (they are not found on the facts as
    they were before it) say so, naming it and what the fact said before; other findings whose
    evidence holds a corrected fact say that they rest on one."""
    if not corrections:
        return findings
    noted: list[Finding] = []
    for finding in findings:
        notes = dict.fromkeys(
            corrections[e.fact_id] for e in finding.evidence if e.fact_id in corrections
        )
        before = uncorrected.get(finding.agreement)
        if (
            before is not None
            and before.fingerprints is not None
            and finding.fingerprint not in before.fingerprints
        ):
            lead = "Exists only because of a correction"
            notes = notes or dict.fromkeys(before.notes)
        else:
            lead = "Rests on a correction"
        if notes:
            stop = "" if finding.message.endswith((".", "!", "?")) else "."
            message = f"{finding.message}{stop} {lead}: {'; '.join(notes)}."
            noted.append(replace(finding, message=message))
        else:
            noted.append(finding)
    return noted


def _known_feeds(rulebook: Rulebook) -> set[str]:
    """The feeds fact types come from: every type of the catalogue and every type a clause
    reads, each from its catalogue `feed` or else a feed of its own name."""
    types = set(rulebook.fact_parties.by_type) | _types_read(rulebook.agreements)
    return {rulebook.feeds.get(fact_type, fact_type) for fact_type in types}


def _types_read(agreements: Sequence[Agreement]) -> set[str]:
    return {
        pattern.fact
        for agreement in agreements
        for clause in agreement.all_clauses
        for pattern, _ in clause.fact_patterns()
    }


def _clause_reads(
    agreements: Sequence[Agreement], reads: dict[str, dict[str, int]], completeness: Completeness
) -> list[ClauseReads]:
    """Facts read per clause, in agreement and clause order (clauses of an agreement that could
    not be evaluated are left out: their error findings say so)."""
    found: list[ClauseReads] = []
    for agreement in agreements:
        read = reads.get(agreement.agreement, {})
        for clause in agreement.all_clauses:
            if clause.id in read:
                types = tuple(sorted({pattern.fact for pattern, _ in clause.fact_patterns()}))
                feeds = tuple(sorted({completeness.feed(t) for t in types}))
                found.append(
                    ClauseReads(agreement.agreement, clause.id, read[clause.id], types, feeds)
                )
    return found


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


__all__ = [
    "AgreementOutline",
    "InputError",
    "RuleFilesInvalid",
    "RunResult",
    "RunSources",
    "RunSummary",
    "run",
]
