"""A warning for a fact trigger that does not say whose facts count, in an agreement of more than
two parties: a trigger is any party's act unless its pattern says `by`, so "Contoso notifies a
change of its control" written `when: {fact: control.changed}` obliges Contoso on every party's
change of control. With two parties that is usually meant (the other side's invoice starts our
duty to pay); with three or more it is a likely false breach."""

from __future__ import annotations

from typing import Any

from checker.common.diagnostics import Level
from checker.rulebook.semantic.reporter import SemanticReporter


def check_triggers_say_whose(reporter: SemanticReporter, data: dict[str, Any]) -> None:
    parties = data.get("parties")
    partners = parties.get("partners") if isinstance(parties, dict) else None
    clauses = data.get("clauses")
    if not isinstance(partners, list) or len(partners) < 2 or not isinstance(clauses, list):
        return
    for index, clause in enumerate(clauses):
        if not isinstance(clause, dict) or clause.get("kind") != "obligation":
            continue
        when = clause.get("when")
        if not isinstance(when, dict) or "fact" not in when or "by" in when:
            continue
        reporter.report(
            ("clauses", index, "when"),
            f"clause {clause.get('id')}'s trigger counts {when['fact']} facts of any of the"
            f" agreement's {len(partners) + 1} parties",
            f"if only one party's {when['fact']} should create the duty, say whose: 'by:"
            " <party id>' (or 'by: each' to keep any party's and silence this warning)",
            Level.WARNING,
        )
