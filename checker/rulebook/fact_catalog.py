"""The fact-type catalogue: which fact types exist and which fields facts of each type carry.

A rules directory may hold a `fact-types.yaml` listing every fact type the rule files may name,
with a short description of the type and of each of its fields::

    fact_types:
      deal.closed:
        description: A sale closed with a customer (CRM export)
        fields:
          territory: Country of the customer, e.g. DE
          channel: How the deal was sold, e.g. direct or partner

The envelope fields every fact has (id, type, at, partner) need not be listed. `validate` uses the
catalogue to warn about fact types and fields a clause names that no known fact has.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from checker.facts.model import ENVELOPE_FIELDS
from checker.norms.fact_pattern import FACT_TYPE_PATTERN, FIELD_NAME_PATTERN
from checker.norms.parties import DEFAULT_ACTOR_FIELD, FactParties, PartyFields
from checker.rulebook.validation_errors import validate_document
from checker.rulebook.yaml_source import load_yaml

CATALOGUE_NAMES = ("fact-types.yaml", "fact-types.yml")

FieldName = Annotated[str, Field(pattern=FIELD_NAME_PATTERN)]
FactTypeName = Annotated[str, Field(pattern=FACT_TYPE_PATTERN)]


class FactTypeEntry(BaseModel):
    """One fact type: what it records and the fields its facts carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(
        min_length=1,
        description="What a fact of this type records, in one sentence",
        examples=["A sale closed with a customer"],
    )
    actor: FieldName | None = Field(
        default=DEFAULT_ACTOR_FIELD,
        description="The field naming the party that acted (default: partner); null when facts "
        "of this type are always our own acts. A fact whose actor field is empty is ours.",
        examples=["sender", None],
    )
    counterparty: FieldName | None = Field(
        default=None,
        description="The field naming the other side of the act, when the export has one",
        examples=["recipient"],
    )
    feed: Annotated[str, Field(min_length=1)] | None = Field(
        default=None,
        description="The export (feed) facts of this type come from, e.g. billing: fact types of "
        "one feed are complete together (default: the fact type is a feed of its own)",
        examples=["billing"],
    )
    fields: dict[FieldName, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict,
        description="Each field beyond id, type, at and partner, with what it holds",
        examples=[
            {
                "territory": "Country of the customer, e.g. DE",
                "channel": "How the deal was sold, e.g. direct or partner",
            }
        ],
    )


class CatalogueFile(BaseModel):
    """The contents of a catalogue file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact_types: dict[FactTypeName, FactTypeEntry] = Field(
        min_length=1,
        description="Fact types by name, e.g. deal.closed",
        examples=[
            {
                "deal.closed": {
                    "description": "A sale closed with a customer",
                    "fields": {"territory": "Country of the customer, e.g. DE"},
                }
            }
        ],
    )


@dataclass(frozen=True, slots=True)
class FactCatalogue:
    """Every known fact type, and the file they were read from (named in messages)."""

    path: str
    fact_types: dict[str, FactTypeEntry]

    def knows(self, fact_type: str) -> bool:
        return fact_type in self.fact_types

    def type_names(self) -> list[str]:
        return sorted(self.fact_types)

    def fields_of(self, fact_type: str) -> list[str]:
        """The fields facts of a known `fact_type` carry: the envelope's, then the listed ones."""
        listed = [name for name in self.fact_types[fact_type].fields if name not in ENVELOPE_FIELDS]
        return [*ENVELOPE_FIELDS, *sorted(listed)]

    def fact_parties(self) -> FactParties:
        """Which fields name the acting party and the other side, per fact type."""
        return FactParties(
            {
                name: PartyFields(entry.actor, entry.counterparty)
                for name, entry in self.fact_types.items()
            }
        )

    def feeds(self) -> dict[str, str]:
        """The feed each fact type comes from, where the catalogue names one."""
        return {name: entry.feed for name, entry in self.fact_types.items() if entry.feed}

    def has_field(self, fact_type: str, name: str) -> bool:
        return name in ENVELOPE_FIELDS or name in self.fact_types[fact_type].fields


def load_fact_catalogue(path: str) -> FactCatalogue:
    """Read and validate the catalogue at `path`; raises `InputError` listing every problem."""
    contents = validate_document(load_yaml(path), CatalogueFile)
    return FactCatalogue(path, dict(contents.fact_types))


def fact_catalogues(paths: Sequence[str], rule_files: Sequence[str] = ()) -> list[str]:
    """The catalogues of the rules being loaded (one is the catalogue; several, a conflict):
    `fact-types.yaml` in the first of `paths` (a directory, or the directory of a rule file) that
    has one, alone; else every distinct catalogue beside `rule_files` whose folder holds all of
    them (one describes the exports of the rule files in its folder and below, never those of a
    folder above it)."""
    for path in paths:
        found = _catalogue_in(path if os.path.isdir(path) else os.path.dirname(path))
        if found is not None:
            return [found]
    folders = {os.path.dirname(os.path.abspath(path)) for path in rule_files}
    beside = {_catalogue_in(os.path.dirname(path)) for path in rule_files}
    return sorted(
        path
        for path in beside
        if path is not None
        and all(_within(folder, os.path.dirname(os.path.abspath(path))) for folder in folders)
    )


def _within(folder: str, ancestor: str) -> bool:
    return folder == ancestor or folder.startswith(ancestor + os.sep)


def _catalogue_in(directory: str) -> str | None:
    for name in CATALOGUE_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None
