"""The compiler refuses programs that would crash or hang durable_rules (ENGINE.md's hard limits)."""

from __future__ import annotations

import pytest

from checker.engine import conditions as cond
from checker.engine import host as engine
from checker.engine.program import EngineMessage, EngineRule, Match, Program, Slot, Tier


def _ignore(match: Match) -> None:
    del match


def _rule(name: str, *slots: Slot) -> EngineRule:
    return EngineRule(name, slots, _ignore)


def _slot(alias: str, tag: str, *rest: cond.Condition, event: bool = False) -> Slot:
    return Slot(alias, cond.all_of({"t": tag}, *rest), event=event)


def test_a_small_program_is_safe_and_runs() -> None:
    program = Program("ok")
    program.add_rule(_rule("r", _slot("e", "act", cond.equals("a_x", "y"))))
    program.add_message(EngineMessage(Tier.EVENTS, {"t": "act", "a_x": "s:y"}, "hit", event=True))
    program.add_message(EngineMessage(Tier.EVENTS, {"t": "act", "a_x": "s:z"}, "miss", event=True))
    assert engine.check_limits(program) == []
    result = engine.run(program)
    assert [match["e"] for match in result.matches] == ["hit"]
    assert result.events_unhandled == 1


def test_too_many_rules() -> None:
    program = Program("big")
    for n in range(engine.MAX_RULES + 1):
        program.add_rule(_rule(f"r{n}", _slot("e", "act", {"c": n % 400})))
    problems = engine.check_limits(program)
    assert any("4,096" in problem for problem in problems)
    with pytest.raises(engine.EngineLimitError):
        engine.run(program)


def test_sixteen_message_join() -> None:
    program = Program("join")
    slots = [_slot(f"m{n}", "fact", {"c": n}) for n in range(16)]
    program.add_rule(_rule("wide", *slots))
    assert any("joins 16 messages" in problem for problem in engine.check_limits(program))


def test_two_event_slots_in_one_rule() -> None:
    program = Program("events")
    program.add_rule(_rule("pair", _slot("a", "act", {"c": 1}), _slot("b", "act", {"c": 2})))
    program.add_message(EngineMessage(Tier.EVENTS, {"t": "act", "c": 1}, None, event=True))
    assert any("2 events" in problem for problem in engine.check_limits(program))


def test_many_literals_on_one_property() -> None:
    program = Program("literals")
    for n in range(engine.MAX_LITERALS_PER_PROPERTY + 1):
        program.add_rule(_rule(f"r{n}", _slot("e", "act", cond.equals("a_customer", f"c{n}"))))
    assert any("'a_customer'" in problem for problem in engine.check_limits(program))


def test_many_identical_slots() -> None:
    program = Program("identical")
    for n in range(engine.MAX_IDENTICAL_SLOTS + 1):
        program.add_rule(_rule(f"r{n}", _slot("e", "act", {"c": 1}), _slot("f", "x", {"c": n})))
    assert any("share the test" in problem for problem in engine.check_limits(program))


def test_many_alpha_tests_for_one_message() -> None:
    program = Program("alpha")
    for n in range(engine.MAX_ALPHA_TESTS_PER_MESSAGE + 1):
        program.add_rule(_rule(f"r{n}", _slot("e", "act", {"c": 1}, cond.above("v", n))))
    assert any("different tests apply" in problem for problem in engine.check_limits(program))


def test_wide_message() -> None:
    program = Program("wide")
    program.add_rule(_rule("r", _slot("e", "act")))
    payload = {"t": "act", **{f"a_{n}": n for n in range(engine.MAX_MESSAGE_PROPERTIES + 1)}}
    program.add_message(EngineMessage(Tier.EVENTS, payload, None, event=True))
    assert any("fields" in problem for problem in engine.check_limits(program))


def test_empty_conjunction_is_refused() -> None:
    # durable_rules lets a message through an empty $and even when sibling tests fail.
    program = Program("empty")
    program.add_rule(_rule("r", Slot("e", {"$and": [{"t": "act"}, {"$and": []}]})))
    assert any("empty $and" in problem for problem in engine.check_limits(program))


def test_slot_without_type_tag_is_refused() -> None:
    program = Program("untagged")
    program.add_rule(_rule("r", Slot("e", {"a_x": "s:y"})))
    assert any("type tag" in problem for problem in engine.check_limits(program))


def test_engine_state_does_not_leak_between_runs() -> None:
    program = Program("twice")
    program.add_rule(_rule("r", _slot("f", "fact", {"c": 1})))
    program.add_message(EngineMessage(Tier.SUBJECTS, {"t": "fact", "c": 1}, "only"))
    first = engine.run(program)
    second = engine.run(program)
    assert [m["f"] for m in first.matches] == ["only"]
    assert [m["f"] for m in second.matches] == ["only"]
