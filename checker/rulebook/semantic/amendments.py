"""Checks that the agreement's amendments can apply: in date order, while the agreement is in
force, adding clauses under new ids and removing or changing clauses in force then."""

from __future__ import annotations

from datetime import date
from typing import Any

from checker.rulebook.semantic.reporter import SemanticReporter
from checker.rulebook.semantic.walk import as_date
from checker.rulebook.yaml_source import Location


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
