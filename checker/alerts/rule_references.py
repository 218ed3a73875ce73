"""Warnings for the agreements, clauses and owners a notifications file names that no rule file
has, with the file's own problems: what `contract-checker validate --notifications` reports.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.alerts.notifications_loading import Notifications, load_notifications
from checker.common.diagnostics import Diagnostic, InputError, Level
from checker.common.suggest import did_you_mean
from checker.rulebook.agreement import Agreement
from checker.rulebook.yaml_source import Location


def check_notifications(path: str, agreements: Sequence[Agreement] | None) -> list[Diagnostic]:
    """Every problem in the notifications file at `path`, and warnings for what it names that
    the rule files do not have: what `contract-checker validate --notifications` reports.
    With `agreements` None (the rule files are not all known) only the file's own problems."""
    try:
        loaded = load_notifications(path)
    except InputError as error:
        return error.diagnostics
    return [] if agreements is None else rule_references(loaded, agreements)


def rule_references(
    notifications: Notifications, agreements: Sequence[Agreement]
) -> list[Diagnostic]:
    """A warning for each agreement, clause or owner the file names that no rule file has: a
    route or snooze naming one would never apply (`contract-checker validate --notifications`)."""
    document = notifications.document
    if document is None:
        return []
    by_id = {agreement.agreement: agreement for agreement in agreements}
    owners = sorted({agreement.owner for agreement in agreements})
    named: list[tuple[Location, str, list[str], str]] = []
    for index, route in enumerate(notifications.model.routes):
        for field_name, values, known, missing in (
            ("agreement", route.agreement, list(by_id), "no rule file has the agreement"),
            ("owner", route.owner, owners, "no agreement has the owner"),
        ):
            for position, value in enumerate(values or []):
                raw = document.data["routes"][index][field_name]
                where: Location = ("routes", index, field_name)
                if isinstance(raw, list):
                    where = (*where, position)
                named.append((where, value, known, f"{missing} '{value}'"))
    for index, snooze in enumerate(notifications.model.snoozes):
        if snooze.agreement is None:
            continue
        agreement = by_id.get(snooze.agreement)
        if agreement is None:
            named.append(
                (
                    ("snoozes", index, "agreement"),
                    snooze.agreement,
                    list(by_id),
                    f"no rule file has the agreement '{snooze.agreement}'",
                )
            )
        elif snooze.clause is not None:
            clauses = [clause.id for clause in agreement.all_clauses] + ["term"]
            if snooze.clause not in clauses:
                named.append(
                    (
                        ("snoozes", index, "clause"),
                        snooze.clause,
                        clauses,
                        f"agreement '{snooze.agreement}' has no clause '{snooze.clause}'",
                    )
                )
    found = [
        document.diagnostic(
            document.value_position_of(where),
            f"{message}, so this would never apply",
            did_you_mean(value, known),
            Level.WARNING,
        )
        for where, value, known, message in named
        if value not in known
    ]
    return sorted(found, key=lambda d: (d.line, d.column))
