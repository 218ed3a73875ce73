"""The engine program of one agreement: rules and messages as plain data, before any engine sees them.

Clause kinds compile into these structures; `checker.engine.host` runs them on durable_rules. Keeping the
program as data means it can be checked against the engine's limits, printed as golden files and
run by another Rete engine without touching the clause kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

Condition = dict[str, Any]
"""An engine test in durable_rules' JSON ruleset syntax, built only by `checker.engine.conditions`."""


class Tier(IntEnum):
    """Order in which messages reach the engine.

    durable_rules evaluates `none(...)` when the positive side arrives and never retracts it when a
    blocker comes later, so everything that can block (completions, notices, exercised rights)
    goes first, then the things that can be blocked, then activity events.
    """

    BLOCKERS = 0
    SUBJECTS = 1
    EVENTS = 2


@dataclass(frozen=True, slots=True)
class Slot:
    """One pattern of a rule: `alias` binds a message that satisfies `condition`.

    `negated` slots are durable_rules' `none(...)`: the rule fires only when no message matches.
    `event` slots bind events (consumed when the rule fires); others bind facts.
    """

    alias: str
    condition: Condition
    negated: bool = False
    event: bool = False


@dataclass(frozen=True, slots=True)
class EngineRule:
    """A rule with a stable `name`, a priority (lower fires first) and what to do on a match."""

    name: str
    slots: tuple[Slot, ...]
    on_match: Callable[[Match], None] = field(compare=False, repr=False)
    priority: int = 10


@dataclass(frozen=True, slots=True)
class EngineMessage:
    """A fact or event for the engine. `subject` is the Python object it stands for."""

    tier: Tier
    payload: Mapping[str, Any]
    subject: Any = field(compare=False, repr=False)
    event: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """A rule firing: the rule and, for each positive alias, the subject of the message it bound."""

    rule: EngineRule
    subjects: Mapping[str, Any]

    def __getitem__(self, alias: str) -> Any:
        return self.subjects[alias]


@dataclass(slots=True)
class Program:
    """Everything the engine needs to evaluate one agreement."""

    name: str
    rules: list[EngineRule] = field(default_factory=list)
    messages: list[EngineMessage] = field(default_factory=list)

    def add_rule(self, rule: EngineRule) -> None:
        self.rules.append(rule)

    def add_message(self, message: EngineMessage) -> None:
        self.messages.append(message)

    def extend(self, rules: Sequence[EngineRule], messages: Sequence[EngineMessage]) -> None:
        self.rules.extend(rules)
        self.messages.extend(messages)

    def ordered_messages(self) -> list[EngineMessage]:
        """Messages in engine order: by tier, then in the order they were added (stable)."""
        return sorted(self.messages, key=lambda message: message.tier)
