"""Checks that a rule file counting durations in business days says whose holidays to skip."""

from __future__ import annotations

from typing import Any

from checker.rulebook.semantic.reporter import SemanticReporter
from checker.rulebook.semantic.walk import Found


def check_business_days_have_a_calendar(
    reporter: SemanticReporter, data: dict[str, Any], found: Found
) -> None:
    if "calendar" in data:
        return
    counted = [(path, d) for path, d in found.durations if d.in_business_days]
    for path, duration in counted:
        reporter.report(
            path,
            f"'{duration}' is counted in business days, but the agreement has no 'calendar' "
            "saying whose public holidays to skip",
            "add a top-level 'calendar:', e.g. 'calendar: {country: DE}' or "
            "'calendar: {country: DE, subdivision: BY}'; or write the duration in days",
        )
    if counted and ("expires" in data) != ("term" in data):
        # The model's own check says the same at the top of the file; with exactly one of
        # `expires`/`term` it is the only thing the model reports there.
        reporter.superseded.add(())
