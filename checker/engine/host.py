"""The only module that talks to durable_rules: checks a Program against the engine's limits and runs it.

The stock `durable.lang` host runs background threads that steal or lose actions, so this module
drives the C extension `durable_rules_engine` directly, on the calling thread: one ruleset and one
session (sid) per agreement, every message asserted in `Tier` order with sequential integer ids, all
pending actions drained after each assertion, then the ruleset deleted. Engine timers are never
used: time reaches the engine as values relative to the as-of instant, compared with literals.
See ../shared/ENGINE.md and docs/engine-notes.md.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checker.common.installation import ENGINE_BUILT_WITHOUT_THE_FLAG, EngineNotLoadable
from checker.engine.program import Condition, EngineRule, Match, Program

try:
    import durable_rules_engine
except ImportError as error:
    if "PyEval_CallObject" not in str(error):
        raise
    # Not a bug of ours: durable_rules was built without the flag Python 3.13 needs.
    raise EngineNotLoadable(ENGINE_BUILT_WITHOUT_THE_FLAG) from error

# Hard limits of durable_rules 2.0.28 (ENGINE.md), each with the margin we keep below it.
MAX_RULES = 4_000  # error 106 at 4,096 rules per ruleset
MAX_SLOTS_PER_RULE = 15  # error 304, then a segfault, at 16 messages per join
MAX_EVENT_SLOTS_PER_RULE = 1  # 2+ consumed events per match read out of bounds, then segfault
MAX_LITERALS_PER_PROPERTY = 480  # 512 sibling literal tests on one property hang every post
MAX_IDENTICAL_SLOTS = 200  # exactly 256 slots ending on one alpha test segfault
MAX_ALPHA_TESTS_PER_MESSAGE = 60  # error 303 past ~64 alpha tests matched by one message
MAX_MESSAGE_PROPERTIES = 200  # error 302 at ~251 properties per message

_RESULT_OK, _RESULT_NOT_HANDLED, _RESULT_OBSERVED = 0, 1, 2
_ruleset_serial = itertools.count()


class EngineLimitError(ValueError):
    """A program that would cross one of durable_rules' crash-or-hang limits; never run."""


class EngineError(RuntimeError):
    """durable_rules refused a ruleset or a message while evaluating an agreement."""


@dataclass(frozen=True, slots=True)
class EngineRun:
    """What one evaluation produced: rule firings in engine order, and message counts."""

    matches: list[Match]
    facts_asserted: int
    events_posted: int
    events_unhandled: int


def ruleset_definition(program: Program) -> dict[str, Any]:
    """The durable_rules JSON ruleset for `program` (also what golden files record)."""
    definition: dict[str, Any] = {}
    for rule in program.rules:
        slots: list[dict[str, Condition]] = []
        for slot in rule.slots:
            key = f"{slot.alias}$not" if slot.negated else slot.alias
            slots.append({key: slot.condition})
        definition[rule.name] = {"all": slots, "pri": rule.priority}
    return definition


def check_limits(program: Program) -> list[str]:
    """Every way `program` would cross a durable_rules limit, as sentences; empty when safe."""
    problems: list[str] = []
    if len(program.rules) > MAX_RULES:
        problems.append(
            f"{len(program.rules)} engine rules; the engine fails past 4,096 "
            f"(limit kept: {MAX_RULES}). Split the agreement into several files."
        )
    event_tags = {message.payload["t"] for message in program.messages if message.event}
    identical: Counter[str] = Counter()
    literals: dict[str, set[str]] = {}
    alpha_by_group: dict[tuple[Any, Any], set[str]] = {}
    names = Counter(rule.name for rule in program.rules)
    problems.extend(f"rule name '{name}' used twice" for name, n in names.items() if n > 1)
    for rule in program.rules:
        if len(rule.slots) > MAX_SLOTS_PER_RULE:
            problems.append(
                f"rule '{rule.name}' joins {len(rule.slots)} messages; the engine crashes at 16"
            )
        event_slots = sum(
            1 for slot in rule.slots if not slot.negated and _tag(slot.condition) in event_tags
        )
        if event_slots > MAX_EVENT_SLOTS_PER_RULE:
            problems.append(
                f"rule '{rule.name}' would consume {event_slots} events in one match; "
                "the engine reads out of bounds past one"
            )
        for slot in rule.slots:
            if _has_empty_connective(slot.condition):
                problems.append(
                    f"rule '{rule.name}' slot '{slot.alias}' has an empty $and/$or, which the "
                    "engine treats as matching everything"
                )
            if _tag(slot.condition) is None:
                problems.append(f"rule '{rule.name}' slot '{slot.alias}' does not test a type tag")
            canonical = json.dumps(slot.condition, sort_keys=True)
            identical[canonical] += 1
            group = (_tag(slot.condition), _clause(slot.condition))
            alpha_by_group.setdefault(group, set()).add(canonical)
            for name, value in _literal_tests(slot.condition):
                literals.setdefault(name, set()).add(json.dumps(value))
    for canonical, count in identical.items():
        if count > MAX_IDENTICAL_SLOTS:
            problems.append(
                f"{count} rule slots share the test {canonical}; the engine crashes at 256"
            )
    for name, values in literals.items():
        if len(values) > MAX_LITERALS_PER_PROPERTY:
            problems.append(
                f"{len(values)} different values are tested on '{name}'; the engine hangs at 512. "
                "Shorten the list or split the clause."
            )
    for (tag, clause), conditions in alpha_by_group.items():
        if len(conditions) > MAX_ALPHA_TESTS_PER_MESSAGE:
            problems.append(
                f"{len(conditions)} different tests apply to one '{tag}' message of clause {clause};"
                f" the engine fails past about 64. Split the clause."
            )
    for message in program.messages:
        if len(message.payload) > MAX_MESSAGE_PROPERTIES:
            problems.append(
                f"a '{message.payload['t']}' message has {len(message.payload)} fields;"
                " the engine fails at about 251"
            )
            break
    return problems


def run(program: Program) -> EngineRun:
    """Evaluate `program` in a fresh ruleset and session; return its rule firings in order.

    Raises EngineLimitError before touching the engine if the program is unsafe, EngineError if
    durable_rules rejects something. Nothing of the run stays in the engine afterwards.
    """
    problems = check_limits(program)
    if problems:
        raise EngineLimitError("; ".join(problems))
    if not program.rules:
        # A ruleset without rules crashes durable_rules (free(): invalid pointer); nothing can fire.
        events = sum(1 for message in program.messages if message.event)
        return EngineRun([], len(program.messages) - events, events, events)
    rules_by_name = {rule.name: rule for rule in program.rules}
    name = f"{program.name}#{next(_ruleset_serial)}"
    sid = "1"
    try:
        handle = durable_rules_engine.create_ruleset(name, json.dumps(ruleset_definition(program)))
    except durable_rules_engine.error as error:
        raise EngineError(
            f"durable_rules refused the ruleset of {program.name}: {error}"
        ) from error
    matches: list[Match] = []
    subjects: dict[str, Any] = {}
    facts_asserted = events_posted = events_unhandled = 0
    # A message no rule tests can only come back unhandled; durable_rules sometimes crashes on
    # an unhandled fact (seen in programs with only forbid and limit rules), so skip them.
    tested_tags = {_tag(slot.condition) for rule in program.rules for slot in rule.slots}
    try:
        for number, message in enumerate(program.ordered_messages()):
            if message.payload["t"] not in tested_tags:
                facts_asserted += not message.event
                events_posted += message.event
                events_unhandled += message.event
                continue
            engine_id = str(number)
            subjects[engine_id] = message.subject
            body = dict(message.payload)
            body["sid"] = sid
            body["id"] = engine_id
            text = json.dumps(body, separators=(",", ":"))
            if message.event:
                events_posted += 1
                result = durable_rules_engine.assert_event(handle, text)
            else:
                facts_asserted += 1
                result = durable_rules_engine.assert_fact(handle, text)
            if result[0] == _RESULT_OK:
                matches.extend(_drain(handle, result[1], rules_by_name, subjects))
            elif result[0] == _RESULT_NOT_HANDLED:
                events_unhandled += message.event
            elif result[0] == _RESULT_OBSERVED:
                raise EngineError(f"engine saw message id {engine_id} twice in {program.name}")
        matches.extend(_drain_all(handle, rules_by_name, subjects))
    except durable_rules_engine.error as error:
        raise EngineError(f"durable_rules failed on {program.name}: {error}") from error
    finally:
        # The ruleset holds this one session only; deleting the ruleset releases it. Calling
        # delete_state first aborted the process on a synthetic portfolio (munmap_chunk(): invalid
        # pointer), so the session is left to the ruleset's deletion.
        durable_rules_engine.delete_ruleset(handle)
    return EngineRun(matches, facts_asserted, events_posted, events_unhandled)


def _drain(
    handle: int, state_handle: int, rules: dict[str, EngineRule], subjects: dict[str, Any]
) -> Iterator[Match]:
    """Run every action pending for the session, one at a time, until none is left."""
    started = durable_rules_engine.start_action_for_state(handle, state_handle)
    action: str | None = started[1] if started else None
    while action:
        yield _to_match(action, rules, subjects)
        action = durable_rules_engine.complete_and_start_action(handle, state_handle)


def _drain_all(
    handle: int, rules: dict[str, EngineRule], subjects: dict[str, Any]
) -> Iterator[Match]:
    """Safety net: actions queued for any session of the ruleset (there should be none)."""
    started = durable_rules_engine.start_action(handle)
    while started:
        state_handle = started[2]
        action: str | None = started[1]
        while action:
            yield _to_match(action, rules, subjects)
            action = durable_rules_engine.complete_and_start_action(handle, state_handle)
        started = durable_rules_engine.start_action(handle)


def _to_match(text: str, rules: dict[str, EngineRule], subjects: dict[str, Any]) -> Match:
    fired: dict[str, dict[str, dict[str, Any]]] = json.loads(text)
    ((rule_name, bound),) = fired.items()
    return Match(rules[rule_name], {alias: subjects[msg["id"]] for alias, msg in bound.items()})


def _tag(condition: Condition) -> Any:
    return _top_level_value(condition, "t")


def _clause(condition: Condition) -> Any:
    return _top_level_value(condition, "c")


def _top_level_value(condition: Condition, name: str) -> Any:
    if name in condition:
        return condition[name]
    for part in condition.get("$and", []):
        if name in part:
            return part[name]
    return None


def _has_empty_connective(condition: Any) -> bool:
    if isinstance(condition, list):
        return any(_has_empty_connective(part) for part in condition)
    if not isinstance(condition, dict):
        return False
    for key, value in condition.items():
        if key in ("$and", "$or") and not value:
            return True
        if _has_empty_connective(value):
            return True
    return False


def _literal_tests(condition: Any) -> Iterator[tuple[str, Any]]:
    """(property, literal) pairs of every equality test in a condition, however nested."""
    if not isinstance(condition, dict):
        return
    for key, value in condition.items():
        if key in ("$and", "$or"):
            for part in value:
                yield from _literal_tests(part)
        elif key.startswith("$"):
            yield from _literal_tests(value)
        elif not isinstance(value, dict):
            yield key, value
