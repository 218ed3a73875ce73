"""Checks on what the norms of a rule file name: parties, the agreement's values and other clauses.

A norm (`kind: obligation | prohibition | measure | right`) names parties (`by`, `holder`, a
pattern's `by`), fixed values (`{value: seat_price}`) and other clauses (`breach_of`,
`exercise_of`, `fulfilment_of`, a percentage `of` a measure, a right's `effect`). Each must name
something the agreement has, of the right sort: a clause's exercise can only be a right's. A
mistake here used to pass `validate` and then fail the run (an error finding), or never fire at
all. Each is reported at the value that names it, every one in one run.

The checks read each version of each norm (`norm_versions`): as written, then as each of its own
amendments (`amended`) and the agreement's amendments (`changes`) leave it, so a name written in
an amendment is checked where it is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from checker.clauses.base import Clause
from checker.common.suggest import did_you_mean
from checker.norms.dependencies import clause_of
from checker.norms.model import (
    MeasureTerms,
    NormTerms,
    ObligationTerms,
    ProhibitionTerms,
    RightTerms,
)
from checker.norms.parties import ANYONE, EACH, PARTNER, PARTNERS, US, Parties, PartiesSpec
from checker.rulebook.finding_codes import article
from checker.rulebook.semantic.amendments import (
    FIXED_KEYS,
    changes_by_clause,
    clause_changes,
    written_clauses,
)
from checker.rulebook.semantic.reporter import ReportOnce, SemanticReporter
from checker.rulebook.semantic.walk import pattern_tests
from checker.rulebook.yaml_source import Location

NORM_KINDS = ("obligation", "prohibition", "measure", "right")
_PARTY_WORDS = (US, PARTNER, PARTNERS, EACH)
# Comparisons whose operand may be a fixed value or another fact's field.
_OPERANDS = ("at_least", "at_most", "above", "below")


@dataclass(frozen=True, slots=True)
class NormVersion:
    """One version of a norm clause: its terms as raw data, with where each key is written."""

    clause: Location  # the clause's own path
    clause_id: str
    kind: str
    data: dict[str, Any]
    paths: dict[str, Location] = field(default_factory=dict)  # key -> where it is written

    def at(self, key: str) -> Location:
        return self.paths.get(key, (*self.clause, key))

    @property
    def bound_key(self) -> str:
        return "holder" if self.kind == "right" else "by"

    def patterns(self) -> Iterator[tuple[dict[str, Any], Location, bool]]:
        """Each fact pattern of the version, with its path and whether the norm's bound party is
        its default (`do`, `of`, `exercised_by`) rather than any party (a trigger)."""
        places: dict[str, tuple[tuple[str, ...], bool]] = {
            "when": ((), False),
            "arises": ((), False),
            "do": ((), True),
            "of": ((), True),
            "exercised_by": ((), True),
            "cure": (("notice",), False),
            "effect": (("until",), False),
        }
        for key, (inside, bound) in places.items():
            value: Any = self.data.get(key)
            for part in inside:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, dict) and isinstance(value.get("fact"), str):
                yield value, (*self.at(key), *inside), bound


def norm_versions(data: dict[str, Any]) -> list[NormVersion]:
    """Every version of every norm clause of the file (those `amendments` add included)."""
    changes = changes_by_clause(data)
    found: list[NormVersion] = []
    for path, clause in written_clauses(data):
        if not isinstance(clause, dict) or clause.get("kind") not in NORM_KINDS:
            continue
        clause_id = clause.get("id")
        if not isinstance(clause_id, str):
            continue
        terms = {key: value for key, value in clause.items() if key != "amended"}
        paths: dict[str, Location] = {key: (*path, key) for key in terms}
        found.append(NormVersion(path, clause_id, clause["kind"], terms, paths))
        for where, entry, own_keys in clause_changes(path, clause, changes):
            if not isinstance(entry, dict):
                continue
            # A key no amendment can change is reported by the amendments' checks.
            changed = {k: v for k, v in entry.items() if k not in own_keys | FIXED_KEYS}
            terms = {**terms, **changed}
            paths = {**paths, **{key: (*where, key) for key in changed}}
            found.append(NormVersion(path, clause_id, clause["kind"], terms, paths))
    return found


def parties_of(data: dict[str, Any]) -> Parties | None:
    """The agreement's parties, when `parties` is well formed (else the schema reports it)."""
    try:
        return Parties.of(PartiesSpec.model_validate(data.get("parties")))
    except ValidationError:
        return None


def check_norms(
    reporter: SemanticReporter,
    data: dict[str, Any],
    versions: list[NormVersion],
    clause_kinds: Mapping[Location, type[Clause]],
    parties: Parties | None,
) -> None:
    """Parties (when `parties`, the agreement's, are well formed), values and clauses each
    version of each norm names."""
    report = ReportOnce(reporter)

    clauses = _clauses(data, clause_kinds)
    values = data.get("values", {})
    for version in versions:
        if parties is not None:
            _check_parties(report, version, parties)
        if isinstance(values, dict):
            _check_values(report, version, values)
        _check_references(report, version, clauses)


# --- parties ----------------------------------------------------------------------------------


def _check_parties(report: ReportOnce, version: NormVersion, parties: Parties) -> None:
    named: list[tuple[Any, Location]] = [
        (version.data.get(version.bound_key), version.at(version.bound_key))
    ]
    named += [(pattern.get("by"), (*path, "by")) for pattern, path, _ in version.patterns()]
    for word, path in named:
        if not isinstance(word, str) or not word or word == ANYONE:
            continue  # a missing or empty one is the schema's; 'anyone' the norm's own check
        try:
            parties.resolve(word)
        except ValueError as error:
            options = [*_PARTY_WORDS, *sorted(parties.names())]
            report(
                path,
                str(error),
                did_you_mean(word, options)
                or f"name a party by one of its ids ({', '.join(sorted(parties.names()))}), or "
                "write us, partner (the only counterparty), partners or each",
            )


# --- values -----------------------------------------------------------------------------------


def _check_values(report: ReportOnce, version: NormVersion, values: dict[str, Any]) -> None:
    numbers: list[tuple[Any, Location]] = []
    if version.kind == "measure":
        numbers += [(version.data.get(key), version.at(key)) for key in ("at_least", "at_most")]
    amount = version.data.get("amount")
    if version.kind == "obligation" and isinstance(amount, dict):
        numbers.append((amount.get("at_least"), (*version.at("amount"), "at_least")))
    for operand, path in numbers:
        if _value_name(operand) is not None:
            _check_value(report, _value_name(operand), (*path, "value"), values, number=True)
    for pattern, path, _ in version.patterns():
        for name, where in _compared_values(pattern, path):
            _check_value(report, name, where, values, number=False)


def _value_name(operand: Any) -> Any:
    if (
        isinstance(operand, dict)
        and set(operand) == {"value"}
        and isinstance(operand["value"], str)
    ):
        return operand["value"]
    return None


def _compared_values(tested: dict[str, Any], path: Location) -> Iterator[tuple[str, Location]]:
    """Each `{value: name}` a pattern compares a field with, in its tests, its carve-outs, the
    facts that must come first and the latest facts it reads (`of_latest`)."""
    for tests, tests_path in pattern_tests(tested, path):
        for name, test in tests.items():
            for key in _OPERANDS if isinstance(test, dict) else ():
                operand = test.get(key)
                if _value_name(operand) is not None:
                    yield operand["value"], (*tests_path, name, key, "value")
                elif isinstance(operand, dict) and isinstance(operand.get("of_latest"), dict):
                    latest = (*tests_path, name, key, "of_latest")
                    yield from _compared_values(operand["of_latest"], latest)
    for key in ("after", "unless_after", "before"):
        if isinstance(tested.get(key), dict):
            yield from _compared_values(tested[key], (*path, key))


def _check_value(
    report: ReportOnce, name: str, path: Location, values: dict[str, Any], number: bool
) -> None:
    if name not in values:
        declared = sorted(values)
        report(
            path,
            f"'{name}' is not one of the agreement's values",
            did_you_mean(name, declared)
            or (
                f"its values are: {', '.join(declared)}; add '{name}' to 'values' if the "
                "contract fixes it"
                if declared
                else f"the agreement declares no values: add 'values: {{{name}: <figure>}}' at "
                "the top of the file"
            ),
        )
    elif number and (isinstance(values[name], bool) or not isinstance(values[name], int | float)):
        report(
            path,
            f"'{name}' is {values[name]!r}, not a number, and a bound or an amount is a number",
            f"give '{name}' a number in 'values', or compare with a number here",
        )


# --- references to other clauses ----------------------------------------------------------------


_NOUNS = {
    ObligationTerms: "an obligation",
    ProhibitionTerms: "a prohibition",
    MeasureTerms: "a measure",
    RightTerms: "a right",
}


@dataclass(frozen=True, slots=True)
class _Named:
    """A clause another may refer to: its kind and, when it can be told, its norms' terms."""

    kind: str
    terms: tuple[NormTerms, ...] | None  # None: the clause is malformed (the schema says why)

    def has(self, wanted: tuple[type[BaseModel], ...]) -> bool | None:
        if self.terms is None:
            return None
        return any(isinstance(terms, wanted) for terms in self.terms)

    def said(self, clause_id: str) -> str:
        """The clause as the subject of a sentence: `clause 1 is a measure, which`."""
        if self.kind in NORM_KINDS:
            return f"clause {clause_id} is {article(self.kind)} {self.kind}, which"
        return f"clause {clause_id} ({self.kind})"


def _clauses(
    data: dict[str, Any], clause_kinds: Mapping[Location, type[Clause]]
) -> dict[str, _Named]:
    """Every clause of the agreement (those its amendments add included), by id."""
    found: dict[str, _Named] = {}
    for path, clause in written_clauses(data):
        if not isinstance(clause, dict) or not isinstance(clause.get("id"), str):
            continue
        model = clause_kinds.get(path)
        terms: tuple[NormTerms, ...] | None = None
        if model is not None:
            try:
                parts = model.model_validate(clause).norms() or []
                terms = tuple(part.terms for part in parts)
            except (ValueError, TypeError, KeyError):
                terms = None
        found.setdefault(clause["id"], _Named(str(clause.get("kind")), terms))
    return found


@dataclass(frozen=True, slots=True)
class _Sort:
    """What a reference must name: the sorts of norm it reads, and how to say so."""

    norms: tuple[type[BaseModel], ...]  # empty: any clause will do
    never: str  # what a clause of another sort "is never"
    names: str  # what names it
    one: str  # what it must name


_BREACHES = _Sort(
    (ObligationTerms, ProhibitionTerms, MeasureTerms),
    "breached",
    "'breach_of' names",
    "an obligation, a prohibition or a measure",
)
_EXERCISES = _Sort((RightTerms,), "exercised", "'exercise_of' names", "a right")
_FULFILMENTS = _Sort((ObligationTerms,), "fulfilled", "'fulfilment_of' names", "an obligation")
_MEASURES = _Sort((MeasureTerms,), "measured", "a percentage is taken of", "a measure")
_ANY = _Sort((), "", "", "")


def _references(version: NormVersion) -> Iterator[tuple[str, Location, _Sort, bool]]:
    """Each clause id the version names, where, what it must be, and whether the reference must
    be to material breaches."""
    for key in ("when", "arises", "ends_when"):
        trigger = version.data.get(key)
        if not isinstance(trigger, dict):
            continue
        path = version.at(key)
        material = trigger.get("material") is True
        breach_of = trigger.get("breach_of")
        if isinstance(breach_of, str):
            yield breach_of, (*path, "breach_of"), _BREACHES, material
        elif isinstance(breach_of, list):
            for index, ref in enumerate(breach_of):
                if isinstance(ref, str):
                    yield ref, (*path, "breach_of", index), _BREACHES, material
        if isinstance(trigger.get("exercise_of"), str):
            yield trigger["exercise_of"], (*path, "exercise_of"), _EXERCISES, False
        if isinstance(trigger.get("fulfilment_of"), str) and key != "ends_when":
            yield trigger["fulfilment_of"], (*path, "fulfilment_of"), _FULFILMENTS, False
    bounds: list[tuple[Any, Location]] = []
    if version.kind == "measure":
        bounds += [(version.data.get(key), version.at(key)) for key in ("at_least", "at_most")]
    amount = version.data.get("amount")
    periodic = isinstance(version.data.get("when"), dict) and "each" in version.data["when"]
    if version.kind == "obligation" and periodic and isinstance(amount, dict):
        bounds.append((amount.get("at_least"), (*version.at("amount"), "at_least")))
    for bound, path in bounds:
        if isinstance(bound, dict) and "percent" in bound and isinstance(bound.get("of"), str):
            yield bound["of"], (*path, "of"), _MEASURES, False
    effect = version.data.get("effect")
    if version.kind == "right" and isinstance(effect, dict):
        for key in ("ends", "starts", "suspends"):
            named = effect.get(key)
            for index, ref in enumerate(named if isinstance(named, list) else []):
                if isinstance(ref, str):
                    yield ref, (*version.at("effect"), key, index), _ANY, False


def _check_references(report: ReportOnce, version: NormVersion, clauses: dict[str, _Named]) -> None:
    for ref, path, sort, material in _references(version):
        target = clause_of(ref)
        if target == version.clause_id:
            continue  # a reference within the clause: the agreement's own check
        named = clauses.get(target)
        if named is None:
            known = sorted(clauses)
            report(
                path,
                f"'{ref}' is not a clause of this agreement",
                did_you_mean(ref, known) or f"its clauses are: {', '.join(known)}",
                supersedes=True,
            )
            continue
        if not sort.norms or "#" in ref:
            continue
        has = named.has(sort.norms)
        if has is False:
            of_sort = [cid for cid, other in clauses.items() if other.has(sort.norms)]
            report(
                path,
                f"{named.said(target)} is never {sort.never}: {sort.names} {sort.one}",
                f"clauses that are {sort.one}: {', '.join(of_sort)}"
                if of_sort
                else f"no clause of this agreement is {sort.one}",
                supersedes=sort is _MEASURES,
            )
        elif (
            has
            and material
            and named.terms is not None
            and not any(
                isinstance(terms, ObligationTerms) and terms.material_breach_after is not None
                for terms in named.terms
            )
        ):
            report(
                path,
                f"clause {target} has no material breaches: 'material: true' counts those of an "
                "obligation with 'material_breach_after'",
                f"give clause {target} 'material_breach_after' (e.g. 60d), or remove "
                "'material: true'",
                supersedes=True,
            )
