"""General building blocks the norms' outcomes compile to (checker.norms.compile), each into
engine rules.

- `forbid`: activity that must not happen (with scope, carve-outs and amendment periods).
- `obligations`: something due by an instant: done late, missed, or falling due soon.
- `limits`: a measured value against a maximum or minimum that can change over time.
- `windows`: a right or window open between two instants, optionally closed by exercising it.
- `occurrences`: something that happened on an instant, reported while it lies in a span.

Python decides which facts and dates are involved; the engine decides which rules fire.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from checker.dates.timeutil import date_of_epoch
from checker.engine import conditions as cond
from checker.engine.program import Condition, EngineMessage, EngineRule, Match, Slot, Tier
from checker.facts.model import Fact
from checker.findings.model import FindingKind, Severity
from checker.norms.context import ClauseContext


def _tagged(tag: str, context: ClauseContext, *rest: Condition) -> Condition:
    return cond.all_of({"t": tag}, {"c": context.index}, *rest)


# --- obligations ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: FindingKind
    code: str
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Obligation:
    """Something that must be done by `due_by` (an inclusive instant).

    `done` is the fact that fulfilled it (the first one, chosen in Python), or None.
    `material_after`: once still undone past this instant, `material` is reported as well.
    `missed` None: nothing is reported once overdue (only the due-soon deadline, e.g. a notice
    period running out). `missed_day`: the date of the missed finding when it is not the due
    date (a right that arises the day after a cure period ends).
    """

    subject: str
    what: str  # "notice of incident inc-7", used in messages
    due_by: int
    evidence: tuple[Fact, ...]
    done: Fact | None
    missed: Outcome | None
    late: Outcome | None = None
    due_soon_code: str | None = None
    material_after: int | None = None
    material: Outcome | None = None
    missed_day: date | None = None
    due_soon_text: str | None = None  # the deadline message, when "<what> is due by" misreads
    # Norms date a late fulfilment at the due date, like a missed one, so that the late answer
    # updates the same finding; `missed_text`/`late_text` replace the standard messages.
    late_on_due_date: bool = False
    missed_text: str | None = None
    late_text: str | None = None


def obligations(context: ClauseContext, items: Sequence[Obligation], name: str) -> None:
    """Classify each obligation against its completion and the as-of instant, in the engine.

    Times reach the engine relative to the as-of instant and the horizon end (known when the
    program is compiled), so every time test is a literal comparison. Joins are equality joins
    on `ref` only: durable_rules corrupts memory on some inequality joins between messages.
    """
    if not items:
        return
    tag, done_tag = f"ob:{name}", f"done:{name}"
    prefix = f"{context.rule_prefix}{name}"
    for ref, item in enumerate(items):
        payload: dict[str, int] = {"c": context.index, "ref": ref}
        payload["due_vs_now"] = item.due_by - context.as_of
        payload["due_vs_horizon"] = item.due_by - context.horizon_end
        if item.material_after is not None:
            payload["material_vs_now"] = item.material_after - context.as_of
        context.program.add_message(EngineMessage(Tier.SUBJECTS, {"t": tag, **payload}, item))
        if item.done is not None:
            done = {"t": done_tag, "c": context.index, "ref": ref}
            done["lateness"] = item.done.at - item.due_by
            context.program.add_message(EngineMessage(Tier.BLOCKERS, done, item.done))
    same = cond.same_as("ref", cond.field_of("o", "ref"))
    not_done = Slot("d", _tagged(done_tag, context, same), negated=True)
    add = context.program.add_rule

    def due_text(item: Obligation) -> str:
        return date_of_epoch(item.due_by).isoformat()

    def on_late(match: Match) -> None:
        item: Obligation = match["o"]
        done: Fact = match["d"]
        if item.late is None:
            return
        context.report(
            context.finding(
                item.late.kind,
                item.late.code,
                date_of_epoch(item.due_by) if item.late_on_due_date else done.day,
                item.subject,
                item.late_text
                or f"{item.what} was late: done {done.at_iso}, due by {due_text(item)}",
                (*item.evidence, done),
                item.late.severity,
            )
        )

    def on_missed(match: Match) -> None:
        item: Obligation = match["o"]
        if item.missed is None:
            return
        context.report(
            context.finding(
                item.missed.kind,
                item.missed.code,
                item.missed_day or date_of_epoch(item.due_by),
                item.subject,
                item.missed_text
                or f"{item.what} was due by {due_text(item)} and has not been done",
                item.evidence,
                item.missed.severity,
            )
        )

    def on_due_soon(match: Match) -> None:
        item: Obligation = match["o"]
        if item.due_soon_code is None:
            return
        context.report(
            context.finding(
                FindingKind.DEADLINE,
                item.due_soon_code,
                date_of_epoch(item.due_by),
                item.subject,
                item.due_soon_text or f"{item.what} is due by {due_text(item)}",
                item.evidence,
            )
        )

    def on_material(match: Match) -> None:
        item: Obligation = match["o"]
        assert item.material is not None
        assert item.material_after is not None
        context.report(
            context.finding(
                item.material.kind,
                item.material.code,
                date_of_epoch(item.material_after),
                item.subject,
                f"{item.what} (due {due_text(item)}) is still not done after "
                f"{date_of_epoch(item.material_after).isoformat()}: material breach",
                item.evidence,
                item.material.severity,
            )
        )

    obligation = Slot("o", _tagged(tag, context))
    late_done = Slot("d", _tagged(done_tag, context, same, cond.above("lateness", 0)))
    add(EngineRule(f"{prefix}/late", (obligation, late_done), on_late, 1))
    overdue = Slot("o", _tagged(tag, context, cond.below("due_vs_now", 0)))
    add(EngineRule(f"{prefix}/missed", (overdue, not_done), on_missed, 2))
    upcoming = Slot(
        "o",
        _tagged(tag, context, cond.at_least("due_vs_now", 0), cond.at_most("due_vs_horizon", 0)),
    )
    add(EngineRule(f"{prefix}/due-soon", (upcoming, not_done), on_due_soon, 3))
    if any(item.material_after is not None for item in items):
        past_material = Slot("o", _tagged(tag, context, cond.below("material_vs_now", 0)))
        add(EngineRule(f"{prefix}/material", (past_material, not_done), on_material, 4))


# --- limits ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measurement:
    """A measured value (a reported seat count, a month's total) at an instant."""

    subject: str
    at: int
    value: float
    day: date
    evidence: tuple[Fact, ...]
    key: str = ""  # only limits with the same key apply (a product's price, a hire's cutoff)


@dataclass(frozen=True, slots=True)
class Limit:
    """A bound in force over [start, end)."""

    start: int
    end: int
    bound: float
    key: str = ""


def limits(
    context: ClauseContext,
    name: str,
    measurements: Sequence[Measurement],
    bounds: Sequence[Limit],
    *,
    maximum: bool,
    outcome: Outcome,
    message: Callable[[Measurement, float], str],
) -> None:
    """Breach for each measurement above a maximum (or below a minimum) in force at its time.

    Python pairs each measurement with the bound in force at its instant and sends the engine
    the margin (value minus bound for a maximum, bound minus value for a minimum); the engine's
    rule fires on a positive margin. Measurements outside every bound's period are not judged.
    A measurement is only held against bounds with the same `key` (both default to "").
    """
    if not measurements or not bounds:
        return
    tag = f"measure:{name}"
    bounds_by_key: dict[str, list[Limit]] = {}
    for bound in bounds:
        bounds_by_key.setdefault(bound.key, []).append(bound)
    for measurement in measurements:
        candidates = bounds_by_key.get(measurement.key, ())
        limit = next((b for b in candidates if b.start <= measurement.at < b.end), None)
        if limit is None:
            continue
        margin = measurement.value - limit.bound if maximum else limit.bound - measurement.value
        payload = {"t": tag, "c": context.index, "margin": margin}
        subject = (measurement, limit)
        context.program.add_message(EngineMessage(Tier.SUBJECTS, payload, subject))

    def on_match(match: Match) -> None:
        measurement, limit = match["m"]
        context.report(
            context.finding(
                outcome.kind,
                outcome.code,
                measurement.day,
                measurement.subject,
                message(measurement, limit.bound),
                measurement.evidence,
                outcome.severity,
            )
        )

    beyond = Slot("m", _tagged(tag, context, cond.above("margin", 0)))
    context.program.add_rule(EngineRule(f"{context.rule_prefix}{name}", (beyond,), on_match))


# --- windows and rights ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """A right or window open from `opens` to `closes` (inclusive instants).

    `exercised`: a fact that used the right; an exercised window is not reported.
    """

    subject: str
    what: str  # "right to terminate after the change of control on 2026-03-02"
    opens: int
    closes: int
    evidence: tuple[Fact, ...]
    exercised: Fact | None = None
    announce_opening: bool = True
    # Norms keep reporting a right after its window: lapsed unexercised, or exercised.
    report_closed: bool = False
    unknown: str | None = None  # why, closed with no exercise found, it may have been exercised
    watched: bool = True  # whether an exercise would be seen (False: no fact exercises it)


def windows(
    context: ClauseContext,
    name: str,
    items: Sequence[Window],
    *,
    open_code: str,
    closing_code: str,
    opening_code: str | None = None,
    open_kind: FindingKind = FindingKind.TRIGGER,
) -> None:
    """While open: `open_kind` (and a deadline when it closes within the horizon); before: a
    deadline when it opens within the horizon. `opening_code` may be left out only when no item
    announces its opening, so that no code is declared that can never be reported."""
    if not items:
        return
    if opening_code is None and any(item.announce_opening for item in items):
        raise ValueError(f"windows '{name}' announce their opening but have no opening code")
    tag, used_tag = f"window:{name}", f"used:{name}"
    for ref, item in enumerate(items):
        payload: dict[str, int | str] = {"t": tag, "c": context.index, "ref": ref}
        payload["opens_vs_now"] = item.opens - context.as_of
        payload["closes_vs_now"] = item.closes - context.as_of
        payload["opens_vs_horizon"] = item.opens - context.horizon_end
        payload["closes_vs_horizon"] = item.closes - context.horizon_end
        payload["announce"] = 1 if item.announce_opening else 0
        if item.report_closed:
            payload["closed_report"] = 1
        context.program.add_message(EngineMessage(Tier.SUBJECTS, payload, item))
        if item.exercised is not None:
            used = {"t": used_tag, "c": context.index, "ref": ref}
            context.program.add_message(EngineMessage(Tier.BLOCKERS, used, item.exercised))
    unused = Slot(
        "x",
        _tagged(used_tag, context, cond.same_as("ref", cond.field_of("w", "ref"))),
        negated=True,
    )
    is_open = (cond.at_most("opens_vs_now", 0), cond.at_least("closes_vs_now", 0))
    prefix = f"{context.rule_prefix}{name}"

    def text(instant: int) -> str:
        return date_of_epoch(instant).isoformat()

    def on_open(match: Match) -> None:
        item: Window = match["w"]
        context.report(
            context.finding(
                open_kind,
                open_code,
                date_of_epoch(item.opens),
                item.subject,
                f"{item.what}: open from {text(item.opens)} until {text(item.closes)}",
                item.evidence,
            )
        )

    def on_closing(match: Match) -> None:
        item: Window = match["w"]
        context.report(
            context.finding(
                FindingKind.DEADLINE,
                closing_code,
                date_of_epoch(item.closes),
                item.subject,
                f"{item.what}: closes on {text(item.closes)}",
                item.evidence,
            )
        )

    def on_opening(match: Match) -> None:
        item: Window = match["w"]
        assert opening_code is not None  # checked above: only announced windows open here
        context.report(
            context.finding(
                FindingKind.DEADLINE,
                opening_code,
                date_of_epoch(item.opens),
                item.subject,
                f"{item.what}: opens on {text(item.opens)} (until {text(item.closes)})",
                item.evidence,
            )
        )

    add = context.program.add_rule
    open_now = Slot("w", _tagged(tag, context, *is_open))
    add(EngineRule(f"{prefix}/open", (open_now, unused), on_open, 1))
    closing = Slot("w", _tagged(tag, context, *is_open, cond.at_most("closes_vs_horizon", 0)))
    add(EngineRule(f"{prefix}/closing", (closing, unused), on_closing, 2))
    opening = Slot(
        "w",
        _tagged(
            tag,
            context,
            {"announce": 1},
            cond.above("opens_vs_now", 0),
            cond.at_most("opens_vs_horizon", 0),
        ),
    )
    add(EngineRule(f"{prefix}/opening", (opening, unused), on_opening, 3))
    if not any(item.report_closed for item in items):
        return

    def on_closed(match: Match) -> None:
        item: Window = match["w"]
        used = item.exercised
        if used is not None and used.at <= context.as_of:
            what = f"exercised on {used.day.isoformat()} ({used.id})"
        elif not item.watched:
            what = (
                f"closed on {text(item.closes)} (whether it was used is not checked: no fact"
                " exercises it)"
            )
        elif item.unknown is not None:
            what = (
                f"closed on {text(item.closes)}; whether it was exercised cannot be told:"
                f" {item.unknown}"
            )
        else:
            what = f"lapsed unexercised on {text(item.closes)}"
        context.report(
            context.finding(
                open_kind,
                open_code,
                date_of_epoch(item.opens),
                item.subject,
                f"{item.what}: arose on {text(item.opens)}, {what}",
                (*item.evidence, *((used,) if used is not None else ())),
            )
        )

    lapsed = Slot("w", _tagged(tag, context, {"closed_report": 1}, cond.below("closes_vs_now", 0)))
    add(EngineRule(f"{prefix}/lapsed", (lapsed, unused), on_closed, 4))
    used_slot = Slot(
        "x", _tagged(used_tag, context, cond.same_as("ref", cond.field_of("w", "ref")))
    )
    reported = Slot(
        "w", _tagged(tag, context, {"closed_report": 1}, cond.at_most("opens_vs_now", 0))
    )
    add(EngineRule(f"{prefix}/exercised", (reported, used_slot), on_closed, 5))


# --- occurrences ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Something that happened at `at`, reported when it lies in [start, end) and not after the
    as-of instant: a forbidden fact, a norm that ended."""

    subject: str
    at: int
    start: int
    end: int
    message: str
    evidence: tuple[Fact, ...]


def occurrences(
    context: ClauseContext,
    name: str,
    items: Sequence[Occurrence],
    outcome: Outcome,
) -> None:
    """One finding of `outcome` per occurrence inside its window; the engine tests the window."""
    if not items:
        return
    tag = f"occurred:{name}"
    for item in items:
        payload = {"t": tag, "c": context.index}
        payload["after_start"] = item.at - item.start
        payload["before_end"] = item.end - item.at
        payload["after_now"] = item.at - context.as_of
        context.program.add_message(EngineMessage(Tier.SUBJECTS, payload, item))

    def on_match(match: Match) -> None:
        item: Occurrence = match["o"]
        context.report(
            context.finding(
                outcome.kind,
                outcome.code,
                date_of_epoch(item.at),
                item.subject,
                item.message,
                item.evidence,
                outcome.severity,
            )
        )

    inside = Slot(
        "o",
        _tagged(
            tag,
            context,
            cond.at_least("after_start", 0),
            cond.above("before_end", 0),
            cond.at_most("after_now", 0),
        ),
    )
    context.program.add_rule(EngineRule(f"{context.rule_prefix}{name}", (inside,), on_match))
