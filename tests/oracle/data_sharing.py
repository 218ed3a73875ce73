"""Oracle of the `data_sharing` kind: the first rule each transfer breaks, and monthly totals
(dated at the transfer that took a month over its cap)."""

from __future__ import annotations

from typing import Any

from checker.facts.model import Fact
from tests.oracle.common import Found, in_term, is_one_of, matches, number, terms_at, versions


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
    # (first instant of the version, year, month) -> the month's transfers in that version with
    # a readable volume, each with its volume.
    months: dict[tuple[int, int, int], list[tuple[Fact, float]]] = {}
    for fact in sorted(facts, key=lambda f: (f.at, f.id)):
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
        key = (version_start(clause, fact.at), fact.day.year, fact.day.month)
        months.setdefault(key, []).append((fact, value))
    # The one time convention (docs/norms.md, issue 9): a monthly total over the cap is a breach
    # dated at the transfer that took the month's running total over the cap (earlier versions
    # of this oracle, like the kind before it became a measure, dated it on the month's first
    # day, before the transfers that caused it). Each version's cap holds the month's transfers
    # made while it is in force (an amendment that takes effect mid-month splits that month).
    for (version, year, month), transfers in months.items():
        cap = terms_at(clause, version)["monthly_cap"]
        total = sum(value for _, value in transfers)
        if total <= cap["max"]:
            continue
        running = 0.0
        for transfer, value in transfers:
            running += value
            if running > cap["max"]:
                label = f"{year}-{month:02d}"
                found.add(
                    ("data_sharing.monthly_cap_exceeded", "breach", label, transfer.day.isoformat())
                )
                break
    return found


def version_start(clause: dict[str, Any], instant: int) -> int:
    """The first instant of the version of the clause in force at `instant` (0: the first)."""
    first = 0
    for start, _end, _terms in versions(clause):
        if start is not None and start <= instant:
            first = start
    return first
