"""Checks that every clause of a rule file has an id of its own."""

from __future__ import annotations

from typing import Any

from checker.rulebook.semantic.reporter import SemanticReporter
from checker.rulebook.yaml_source import Location


def check_unique_clause_ids(reporter: SemanticReporter, data: dict[str, Any]) -> None:
    clauses = data.get("clauses")
    if not isinstance(clauses, list):
        return
    first_line: dict[str, int] = {}
    for index, clause in enumerate(clauses):
        clause_id = clause.get("id") if isinstance(clause, dict) else None
        if not isinstance(clause_id, str) or not clause_id:
            continue
        path: Location = ("clauses", index, "id")
        line = reporter.document.position_of(path).line
        if clause_id not in first_line:
            first_line[clause_id] = line
            continue
        reporter.report_key(
            path,
            f"clause id '{clause_id}' is already used by the clause on line "
            f"{first_line[clause_id]}",
            'give every clause its own id, its number in the contract (e.g. "4.1", "4.2")',
        )
        reporter.superseded.add(("clauses",))
