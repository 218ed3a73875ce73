"""Oracle of the `data_sharing` kind: the first rule each transfer breaks, and monthly totals."""

from __future__ import annotations

from datetime import date
from typing import Any

from checker.dates.timeutil import date_of_epoch, epoch_of_date
from checker.facts.model import Fact
from tests.oracle.common import Found, fixed_term, in_term, is_one_of, matches, number, terms_at


def first_violation(terms: dict[str, Any], fact: Fact) -> str | None:
    """The code of the most severe rule the transfer breaks, or None."""
    category = fact.get("category")
    if terms.get("never_categories") and is_one_of(category, terms["never_categories"]):
        return "data_sharing.never_category"
    if terms.get("allowed_categories") and not is_one_of(category, terms["allowed_categories"]):
        return "data_sharing.category_not_allowed"
    for rule in terms.get("conditional", []):
        if not is_one_of(category, rule["category"]):
            continue
        purposes = rule.get("purposes")
        if purposes is not None and not is_one_of(fact.get("purpose"), purposes):
            return "data_sharing.conditional_violation"
        if rule.get("requires_consent") and fact.get("consent") is not True:
            return "data_sharing.conditional_violation"
    for name in ("recipient", "region", "purpose"):
        allowed = terms.get(f"allowed_{name}s")
        if allowed and not is_one_of(fact.get(name), allowed):
            return f"data_sharing.{name}_not_allowed"
    return None


def oracle_data_sharing(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of_epoch: int,
    horizon_end_epoch: int,
) -> Found:
    found: Found = set()
    month_totals: dict[tuple[int, int], float] = {}
    for fact in facts:
        if fact.partner != agreement["partner"] or not in_term(fact, agreement):
            continue
        terms = terms_at(clause, fact.at)
        if not matches(terms.get("transfer", {"fact": "data.transfer"}), fact):
            continue
        day = fact.day.isoformat()
        code = first_violation(terms, fact)
        if code is not None:
            found.add((code, "breach", fact.id, day))
        cap = terms.get("monthly_cap")
        if cap is None:
            continue
        value = number(fact.get(cap["field"]))
        if value is None:
            found.add(("data_sharing.unreadable_volume", "error", fact.id, day))
            continue
        key = (fact.day.year, fact.day.month)
        month_totals[key] = month_totals.get(key, 0.0) + value
    term_start, _ = fixed_term(agreement)
    for (year, month), total in month_totals.items():
        counted_from = max(epoch_of_date(date(year, month, 1)), term_start)
        cap = terms_at(clause, counted_from).get("monthly_cap")
        if cap is not None and total > cap["max"]:
            label = f"{year}-{month:02d}"
            found.add(
                (
                    "data_sharing.monthly_cap_exceeded",
                    "breach",
                    label,
                    date_of_epoch(counted_from).isoformat(),
                )
            )
    return found
