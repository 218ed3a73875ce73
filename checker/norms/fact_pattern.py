"""Fact patterns: the scope-match building block ("a deal.closed where channel is direct, unless
the customer is a reserved account"), tested in Python and compiled to engine conditions alike."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from checker.engine import conditions as cond
from checker.facts.model import Fact

FACT_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
FIELD_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"

Scalar = str | int | float | bool
Accepted = Scalar | list[Scalar]
"""One value, or a list meaning "any of these"."""

FactType = Annotated[
    str, Field(pattern=FACT_TYPE_PATTERN, description="A dotted fact type, e.g. deal.closed")
]


def _check_field_names(condition: dict[str, Accepted]) -> dict[str, Accepted]:
    for name, accepted in condition.items():
        if not re.match(FIELD_NAME_PATTERN, name):
            raise ValueError(f"'{name}' is not a field name (letters, digits and _ only)")
        if isinstance(accepted, list) and not accepted:
            raise ValueError(f"the list of values for '{name}' is empty")
    return condition


class FactPattern(BaseModel):
    """Which facts a clause looks at: a type, conditions they must meet, and carve-outs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: FactType = Field(description="Fact type, e.g. deal.closed", examples=["deal.closed"])
    where: dict[str, Accepted] = Field(
        default_factory=dict,
        description="Every field must have this value (or one of these values)",
        examples=[{"channel": "direct"}, {"territory": ["DE", "AT"], "channel": "direct"}],
    )
    unless: list[dict[str, Accepted]] = Field(
        default_factory=list,
        description="Carve-outs: one set of conditions or a list of them; a fact meeting every "
        "condition of any one set is exempt",
        examples=[
            {"customer": ["siemens-ag", "bosch"]},
            [{"partner": "globex"}, {"channel": "marketplace", "territory": "CH"}],
        ],
    )

    @field_validator("where")
    @classmethod
    def _valid_where(cls, value: dict[str, Accepted]) -> dict[str, Accepted]:
        return _check_field_names(value)

    @field_validator("unless", mode="before")
    @classmethod
    def _single_carve_out(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("unless")
    @classmethod
    def _valid_unless(cls, value: list[dict[str, Accepted]]) -> list[dict[str, Accepted]]:
        for entry in value:
            _check_field_names(entry)
        return value

    def matches(self, fact: Fact) -> bool:
        """Python evaluation of the pattern, for precomputation outside the engine."""
        if fact.type != self.fact:
            return False
        where, carve_outs = self._encoded_tests
        if not _meets(fact, where):
            return False
        return not any(_meets(fact, entry) for entry in carve_outs)

    @cached_property
    def _encoded_tests(self) -> tuple[_Tests, tuple[_Tests, ...]]:
        """Each condition as (field, engine-encoded accepted values): one set lookup per field."""
        return _encoded(self.where), tuple(_encoded(entry) for entry in self.unless)

    def as_norm(self, **more: Any) -> dict[str, Any]:
        """This pattern as a norm's pattern (`fact`, `where`, `unless`), with `more` keys such as
        `by` or `match_on`: how a clause kind writes its patterns into the norms it expands to."""
        return {"fact": self.fact, "where": dict(self.where), "unless": list(self.unless), **more}

    def describe(self) -> str:
        """Plain English: "deal.closed where channel is direct, unless customer is bosch"."""
        text = self.fact
        if self.where:
            text += " where " + _describe(self.where)
        if self.unless:
            text += " (except when " + " or ".join(_describe(entry) for entry in self.unless) + ")"
        return text


def _scalar(value: Any) -> Scalar | None:
    if isinstance(value, list):
        # A list-valued attribute is compared as its text; patterns test scalar fields.
        return ",".join(str(item) for item in value)
    return value  # type: ignore[no-any-return]


def _accepted_values(accepted: Accepted) -> list[Scalar]:
    return list(accepted) if isinstance(accepted, list) else [accepted]


_Tests = tuple[tuple[str, frozenset[str | int | float]], ...]


def _encoded(condition: dict[str, Accepted]) -> _Tests:
    return tuple(
        (name, frozenset(cond.encode(value) for value in _accepted_values(accepted)))
        for name, accepted in condition.items()
    )


def _meets(fact: Fact, tests: _Tests) -> bool:
    """Equality as the engine sees it: 7 == 7.0, but "7" != 7 and True != 1."""
    return all(cond.encode(_scalar(fact.get(name))) in accepted for name, accepted in tests)


def _describe(condition: dict[str, Accepted]) -> str:
    parts = []
    for name, accepted in condition.items():
        values = _accepted_values(accepted)
        if len(values) == 1:
            parts.append(f"{name} is {values[0]}")
        else:
            parts.append(f"{name} is one of {', '.join(str(v) for v in values)}")
    return " and ".join(parts)
