"""A right (or an obligation, or an end) on another obligation's material breaches only:
`breach_of: "4", material: true` ("if a payment is more than 45 days late, we may suspend
supply"). Found by a new user who had to write the payment twice to get at its material breach.
Expectations are worked out by hand from the dates below."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tests.helpers import agreement_between, evaluate, fact, summary

PAYMENT = {
    "id": "4",
    "title": "Invoices paid within 30 days",
    "kind": "obligation",
    "by": "partner",
    "when": {"fact": "invoice.issued"},
    "do": {"fact": "payment.received", "match_on": ["invoice"]},
    "within": "30d",
    "material_breach_after": "15d",
}
SUSPENSION = {
    "id": "4.s",
    "title": "Right to suspend supply on a payment materially late",
    "kind": "right",
    "holder": "us",
    "arises": {"breach_of": "4", "material": True},
    "open_for": "30d",
}


def _subject(*clauses: dict[str, Any]) -> Any:
    return agreement_between(
        "zenith",
        "orbit",
        *clauses,
        effective="2026-01-01",
        expires="2026-12-31",
    )


def test_a_right_arises_on_each_material_breach_and_not_on_a_late_payment() -> None:
    facts = [
        # i1 on 03-01: due by the end of 03-31, material after 04-15; paid 04-10: late only.
        fact("i1", "invoice.issued", "2026-03-01T09:00:00Z", "orbit", invoice="I-1"),
        fact("p1", "payment.received", "2026-04-10T09:00:00Z", "orbit", invoice="I-1"),
        # i2 on 03-05: due 04-04, still unpaid at the end of 04-19: material; the right arises
        # then (dated 04-19) and stays open 30 days, to the end of 05-19.
        fact("i2", "invoice.issued", "2026-03-05T09:00:00Z", "orbit", invoice="I-2"),
    ]
    found = summary(evaluate(_subject(PAYMENT, SUSPENSION), facts, "2026-05-01"))
    assert found == [
        ("obligation.breached", "breach", "i1", "2026-03-31"),
        ("obligation.breached", "breach", "i2", "2026-04-04"),
        ("obligation.material_breach", "trigger", "i2", "2026-04-19"),
        ("right.arisen", "trigger", "4:i2", "2026-04-19"),
        ("right.closing", "deadline", "4:i2", "2026-05-19"),
    ]


def test_a_material_trigger_needs_an_obligation_with_a_material_breach() -> None:
    plain = {key: value for key, value in PAYMENT.items() if key != "material_breach_after"}
    with pytest.raises(ValidationError, match="reacts to material breaches of '4', which has"):
        _subject(plain, SUSPENSION)
    with pytest.raises(ValidationError, match="without 'in_a_row' or 'count'"):
        _subject(PAYMENT, {**SUSPENSION, "arises": {"breach_of": "4", "material": True,
                                                    "in_a_row": 2}})  # fmt: skip
