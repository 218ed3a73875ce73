"""Checks that the agreement's amendments can apply: in date order, while the agreement is in
force, adding clauses under new ids and removing or changing clauses in force then; and that
what an amendment changes (a clause's `amended` entry, an entry of the agreement's `changes`) is
a field of the clause's kind with a value it takes, reported at that field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from checker.clauses.base import Clause
from checker.common.suggest import did_you_mean
from checker.rulebook.finding_codes import article
from checker.rulebook.semantic.reporter import SemanticReporter
from checker.rulebook.semantic.walk import as_date
from checker.rulebook.yaml_source import Location

# Keys of an amendment that are no change of the clause: when a clause's own `amended` entry
# applies, and which clause an entry of the agreement's `changes` changes.
CLAUSE_AMENDMENT_KEYS = frozenset({"effective"})
AGREEMENT_CHANGE_KEYS = frozenset({"id"})
# Keys no amendment can change (`check_amended_terms` reports them where they are written).
FIXED_KEYS = frozenset({"id", "kind", "amended"})
_VALIDATOR_PREFIXES = ("Value error, ", "Assertion failed, ")


def written_clauses(data: dict[str, Any]) -> list[tuple[Location, Any]]:
    """Every clause the file writes, with its path: the agreement's, then those each amendment
    `adds`, in order (each as written, whatever it is)."""
    written: list[tuple[Location, Any]] = []
    clauses = data.get("clauses")
    for index, clause in enumerate(clauses if isinstance(clauses, list) else []):
        written.append((("clauses", index), clause))
    amendments = data.get("amendments")
    for number, amendment in enumerate(amendments if isinstance(amendments, list) else []):
        adds = amendment.get("adds") if isinstance(amendment, dict) else None
        for index, clause in enumerate(adds if isinstance(adds, list) else []):
            written.append((("amendments", number, "adds", index), clause))
    return written


def changes_by_clause(data: dict[str, Any]) -> dict[str, list[tuple[Location, dict[str, Any]]]]:
    """The entries of the agreement amendments' `changes` that name a clause, by its id, each
    with its path, in the order the amendments make them."""
    changes: dict[str, list[tuple[Location, dict[str, Any]]]] = {}
    amendments = data.get("amendments")
    for number, amendment in enumerate(amendments if isinstance(amendments, list) else []):
        listed = amendment.get("changes") if isinstance(amendment, dict) else None
        for index, entry in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                changes.setdefault(entry["id"], []).append(
                    (("amendments", number, "changes", index), entry)
                )
    return changes


def clause_changes(
    path: Location,
    clause: dict[str, Any],
    changes: Mapping[str, list[tuple[Location, dict[str, Any]]]],
) -> list[tuple[Location, Any, frozenset[str]]]:
    """Each change of the clause written at `path`, in the order it applies: its own `amended`
    entries, then the agreement's `changes` of it (`changes_by_clause`); each with its path and
    the keys of it that are no change of the clause."""
    own = clause.get("amended")
    entries: list[tuple[Location, Any, frozenset[str]]] = [
        ((*path, "amended", index), entry, CLAUSE_AMENDMENT_KEYS)
        for index, entry in enumerate(own if isinstance(own, list) else [])
    ]
    clause_id = clause.get("id")
    if isinstance(clause_id, str):
        entries += [
            (where, entry, AGREEMENT_CHANGE_KEYS) for where, entry in changes.get(clause_id, [])
        ]
    return entries


def check_amendments(reporter: SemanticReporter, data: dict[str, Any]) -> None:
    amendments = data.get("amendments")
    if not isinstance(amendments, list):
        return
    clauses = data.get("clauses")
    in_force = set(_ids(clauses if isinstance(clauses, list) else []))
    used = set(in_force)
    first_day = as_date(data.get("effective"))
    last_day = as_date(data.get("expires")) if "term" not in data else None
    previous: date | None = None
    for number, amendment in enumerate(amendments):
        if not isinstance(amendment, dict):
            continue
        path = ("amendments", number)
        effective = as_date(amendment.get("effective"))
        if effective is not None:
            _when(reporter, path, effective, first_day, last_day, previous)
            previous = effective
        adds = amendment.get("adds")
        for index, clause in enumerate(adds if isinstance(adds, list) else []):
            clause_id = clause.get("id") if isinstance(clause, dict) else None
            if not isinstance(clause_id, str):
                continue
            if clause_id in used:
                reporter.report_key(
                    (*path, "adds", index, "id"),
                    f"the amendment adds clause {clause_id}, but that id is already used",
                    'give the new clause its own number from the amendment (e.g. "12.1"); '
                    "to change a clause's terms use 'changes'",
                )
                reporter.superseded.add(())
            used.add(clause_id)
            in_force.add(clause_id)
        for key in ("removes", "changes"):
            _names_clauses_in_force(reporter, (*path, key), amendment.get(key), in_force)
        removes = amendment.get("removes")
        in_force -= {item for item in (removes if isinstance(removes, list) else []) if item}
        expires = as_date(amendment.get("expires"))
        if expires is not None:
            last_day = expires
        elif amendment.get("open_ended") is True:
            last_day = None


def _when(
    reporter: SemanticReporter,
    path: Location,
    effective: date,
    first_day: date | None,
    last_day: date | None,
    previous: date | None,
) -> None:
    where = (*path, "effective")
    if first_day is not None and effective <= first_day:
        reporter.report(
            where,
            f"this amendment takes effect on {effective}, not after the agreement itself "
            f"({first_day})",
            "terms that apply from the first day belong in the clauses themselves",
        )
        reporter.superseded.add(())
    elif previous is not None and effective <= previous:
        reporter.report(
            where,
            f"this amendment takes effect on {effective}, not after the one before it ({previous})",
            "list amendments in the order they take effect",
        )
        reporter.superseded.add(())
    elif last_day is not None and effective > last_day:
        reporter.report(
            where,
            f"this amendment takes effect on {effective}, after the agreement ended on {last_day}",
            "an amendment applies to an agreement in force: check the date, or extend the term "
            "in an earlier amendment ('expires')",
        )
        reporter.superseded.add(())


def _names_clauses_in_force(
    reporter: SemanticReporter, path: Location, value: Any, in_force: set[str]
) -> None:
    for index, item in enumerate(value if isinstance(value, list) else []):
        clause_id = item.get("id") if isinstance(item, dict) else item
        if not isinstance(clause_id, str) or clause_id in in_force:
            continue
        listed = ", ".join(sorted(in_force)) or "none"
        where = (*path, index, "id") if isinstance(item, dict) else (*path, index)
        reporter.report(
            where,
            f"clause {clause_id} is not in force when this amendment takes effect",
            f"the clauses in force then are: {listed}",
        )
        reporter.superseded.add(())


def _ids(clauses: list[Any]) -> list[str]:
    return [c["id"] for c in clauses if isinstance(c, dict) and isinstance(c.get("id"), str)]


def check_amended_terms(
    reporter: SemanticReporter, data: dict[str, Any], clause_kinds: Mapping[Location, type[Clause]]
) -> None:
    """Each change an amendment makes to a clause, in order: a field of its kind (not one that
    stays fixed), and the clause as amended still valid; each problem at the change itself."""
    changes = changes_by_clause(data)
    for path, model in clause_kinds.items():
        clause = reporter.value_at(path)
        if not isinstance(clause, dict) or not isinstance(clause.get("id"), str):
            continue
        entries = clause_changes(path, clause, changes)
        if entries:
            _check_clause_changes(reporter, path, clause, model, entries)


def _check_clause_changes(
    reporter: SemanticReporter,
    path: Location,
    clause: dict[str, Any],
    model: type[Clause],
    entries: list[tuple[Location, Any, frozenset[str]]],
) -> None:
    terms = {key: value for key, value in clause.items() if key != "amended"}
    try:
        model.model_validate(terms)
    except ValidationError:
        return  # the clause as written is wrong: the schema says where
    fields = [info.alias or name for name, info in model.model_fields.items()]
    kind = clause.get("kind")
    a_kind = f"{article(str(kind))} {kind} clause"
    for where, entry, own_keys in entries:
        if not isinstance(entry, dict):
            continue
        changed = {key: value for key, value in entry.items() if key not in own_keys}
        wrong = False
        for key in changed:
            if key in FIXED_KEYS:
                reporter.report_key(
                    (*where, key),
                    f"an amendment cannot change a clause's '{key}'",
                    "to replace a clause by one of another kind, remove it ('removes') and add "
                    "the new one under a new id ('adds')"
                    if key == "kind"
                    else f"remove '{key}' from the amendment",
                )
            elif key not in fields:
                reporter.report_key(
                    (*where, key),
                    f"unknown field '{key}': {a_kind} has no such field to change",
                    did_you_mean(key, fields) or f"the fields of {a_kind}: {', '.join(fields)}",
                )
            else:
                continue
            wrong = True
        if wrong:
            _supersede(reporter, path, where)
            continue
        amended = {**terms, **changed}
        if "amended" in where and path in reporter.superseded:
            return  # an earlier check said what is wrong with the clause's amendments
        try:
            model.model_validate(amended)
        except ValidationError as error:
            said: set[Location] = set()
            for details in error.errors(include_url=False):
                loc = tuple(details["loc"])
                if loc and loc[0] not in changed:
                    continue  # a field this amendment leaves as it was: reported there
                place = loc[:1]
                if place in said:
                    continue  # one problem per field (a union's members each say theirs)
                said.add(place)
                reporter.report(
                    (*where, *place),
                    _changed_value_problem(details, model, place, amended),
                    "an amendment's fields read as the clause's own: see what "
                    f"{a_kind} takes with: contract-checker explain --kind {kind}",
                )
                _supersede(reporter, path, where)
            continue  # the next one builds on the terms before this one
        terms = amended


def _changed_value_problem(
    details: Any, model: type[Clause], place: tuple[Any, ...], amended: dict[str, Any]
) -> str:
    """What is wrong with the clause as amended: a validator's own words, or which value the
    field does not take and what it takes."""
    message = str(details["msg"])
    if details["type"] in ("value_error", "assertion_error") or not place:
        for prefix in _VALIDATOR_PREFIXES:
            message = message.removeprefix(prefix)
        return f"the clause as amended: {message}"
    key = str(place[0])
    info = next(
        (info for name, info in model.model_fields.items() if (info.alias or name) == key), None
    )
    takes = f": {info.description}" if info is not None and info.description else ""
    return f"'{key}' does not take {amended.get(key)!r}{takes}"


def _supersede(reporter: SemanticReporter, clause: Location, where: Location) -> None:
    """The model reports a wrong amendment less precisely: a clause's own at the clause, the
    agreement's at the top of the file."""
    reporter.superseded.add(clause if where[0] == clause[0] and "amended" in where else ())
