"""Parties: who an agreement binds, the ids the exports use for each, and whose act a fact records.

An agreement has `us` (our company) and one or more counterparties, each with the identifiers the
exports use for it (aliases). Which field of a fact names the party that acted, and which names
the other side, is a property of the export, declared per fact type in the fact-type catalogue
(`actor:` and `counterparty:`); by default the actor is the fact's `partner` field, and a fact
that names no actor records an act of ours.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.facts.model import Fact

PARTY_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"
PartyId = Annotated[
    str, Field(pattern=PARTY_ID_PATTERN, description="A party id as exports name it")
]

# Words a norm may use for the parties it binds, besides a party's id.
US = "us"
PARTNER = "partner"
EACH = "each"
PARTNERS = "partners"
# A prohibition may protect a scope from acts by anyone (an exclusivity: our direct sales and
# other resellers alike), not only the parties: `by: anyone`.
ANYONE = "anyone"
OTHER = "other"  # in a pattern: "the other party" than the one who acted
DEFAULT_ACTOR_FIELD = "partner"


class PartySpec(BaseModel):
    """One party: the id the agreement calls it by, and every other id the exports use for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: PartyId = Field(
        description="The party's id, as the exports name it", examples=["northwind"]
    )
    aliases: list[PartyId] = Field(
        default_factory=list,
        description="Other ids the exports use for this party",
        examples=[["northwind-gmbh", "NW"]],
    )
    name: str | None = Field(
        default=None,
        description="The party's name as in the contract",
        examples=["Northwind Analytics GmbH"],
    )

    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


def _spec(party: PartySpec | str) -> PartySpec:
    return PartySpec(id=party) if isinstance(party, str) else party


class PartiesSpec(BaseModel):
    """The parties of an agreement as a rule file writes them: each an id, or {id, aliases}."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    us: PartyId | PartySpec = Field(
        description="Our company: an id, or {id, aliases}", examples=["northwind"]
    )
    partner: PartyId | PartySpec | None = Field(
        default=None,
        description="The counterparty of a two-party agreement: an id, or {id, aliases}",
        examples=["acme", {"id": "acme", "aliases": ["acme-inc"]}],
    )
    partners: list[PartyId | PartySpec] = Field(
        default_factory=list,
        description="The counterparties of an agreement with several (instead of 'partner')",
        examples=[["acme", {"id": "initech", "aliases": ["initech-uk"]}]],
    )

    @model_validator(mode="after")
    def _one_way_to_name_counterparties(self) -> PartiesSpec:
        if (self.partner is None) == (not self.partners):
            raise ValueError("give either 'partner' (one counterparty) or 'partners' (several)")
        seen: dict[str, str] = {}
        for party in (self.us_spec, *self.counterparties):
            for name in party.ids():
                if name in seen and seen[name] != party.id:
                    raise ValueError(f"'{name}' names both {seen[name]} and {party.id}")
                seen[name] = party.id
        return self

    @property
    def us_spec(self) -> PartySpec:
        return _spec(self.us)

    @property
    def counterparties(self) -> list[PartySpec]:
        named = [self.partner] if self.partner is not None else list(self.partners)
        return [_spec(party) for party in named]


@dataclass(frozen=True, slots=True)
class Parties:
    """An agreement's parties, resolved: every alias maps to its party's id."""

    us: str
    counterparties: tuple[str, ...]
    _by_alias: Mapping[str, str] = field(repr=False)

    @classmethod
    def of(cls, spec: PartiesSpec) -> Parties:
        by_alias = {
            name: party.id for party in (spec.us_spec, *spec.counterparties) for name in party.ids()
        }
        return cls(spec.us_spec.id, tuple(p.id for p in spec.counterparties), by_alias)

    @classmethod
    def simple(cls, us: str, partner: str) -> Parties:
        return cls(us, (partner,), {us: us, partner: partner})

    @property
    def all(self) -> tuple[str, ...]:
        return (self.us, *self.counterparties)

    def names(self) -> frozenset[str]:
        """Every id and alias of every party."""
        return frozenset(self._by_alias)

    def party_of(self, name: object) -> str | None:
        """The party an id or alias names, or None when it names none of ours."""
        return self._by_alias.get(name) if isinstance(name, str) else None

    def aliases_of(self, party: str) -> list[str]:
        return sorted(name for name, owner in self._by_alias.items() if owner == party)

    def others(self, party: str) -> tuple[str, ...]:
        """The parties other than `party`: for us, the counterparties; for a counterparty, us."""
        if party == self.us:
            return self.counterparties
        return (self.us,)

    def resolve(self, who: str) -> tuple[str, ...]:
        """The parties a norm's `by` names: `us`, `partner`, `partners` (every counterparty),
        `each` (every party) or a party id or alias."""
        if who == US:
            return (self.us,)
        if who == PARTNER:
            if len(self.counterparties) != 1:
                raise ValueError(
                    "'partner' is ambiguous in an agreement with several counterparties; name one "
                    f"of {', '.join(self.counterparties)}"
                )
            return self.counterparties
        if who == EACH:
            return self.all
        if who == PARTNERS:
            return self.counterparties
        party = self.party_of(who)
        if party is None:
            raise ValueError(f"'{who}' is not a party of this agreement ({', '.join(self.all)})")
        return (party,)


@dataclass(frozen=True, slots=True)
class PartyFields:
    """Which fields of a fact type name the acting party and the counterparty."""

    actor: str | None = DEFAULT_ACTOR_FIELD  # None: facts of this type are always our acts
    counterparty: str | None = None


@dataclass(frozen=True, slots=True)
class FactParties:
    """Party fields per fact type, as the catalogue declares them (default: actor in `partner`)."""

    by_type: Mapping[str, PartyFields] = field(default_factory=dict)

    def fields_of(self, fact_type: str) -> PartyFields:
        return self.by_type.get(fact_type, PartyFields())

    def actor(self, fact: Fact, parties: Parties) -> str | None:
        """The party of this agreement that acted; us when the fact names no actor; None when it
        names someone who is not a party (another partner of ours)."""
        fields = self.fields_of(fact.type)
        named = None if fields.actor is None else fact.get(fields.actor)
        if named is None or named == "":
            return parties.us
        return parties.party_of(named)

    def other_side(self, fact: Fact, parties: Parties) -> tuple[bool, str | None]:
        """Whether the fact names the other side of the act, and which party of this agreement
        that is (None: someone outside it, such as another partner of ours)."""
        fields = self.fields_of(fact.type)
        named = None if fields.counterparty is None else fact.get(fields.counterparty)
        if named is None or named == "":
            return False, None
        return True, parties.party_of(named)

    def named(self, fact: Fact) -> Iterator[str]:
        """Every party id or alias the fact names in its party fields (an absent actor is us)."""
        fields = self.fields_of(fact.type)
        for name in (fields.actor, fields.counterparty):
            if name is not None:
                value = fact.get(name)
                if isinstance(value, str) and value:
                    yield value
