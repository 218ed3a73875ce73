"""Rights whose exercise suspends other norms (`effect: {suspends: [...], for: ..., until: ...}`)
or makes new terms apply (`effect: {starts: [...]}`, with `ends` a change of terms), worked by
hand at the boundaries docs/norms.md gives: the first and last second of a suspension, a due
date inside it, a resuming fact, an exercise on the term's last day. Each case is checked
against the evaluator and the independent oracle alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from checker.common.diagnostics import Level
from checker.norms.clause_support import sentence
from checker.norms.model import Effect, RightTerms
from checker.rulebook.loading import load_rulebook
from tests.test_norms_oracle import Record, _minimal, compare

Finding = tuple[str, str, str, str, str]


def _notice(fact_id: str, at: str, **more: Any) -> Record:
    """Our notice exercising a right (topic: suspend)."""
    return {
        "id": fact_id,
        "type": "notice",
        "at": at,
        "sender": "northwind",
        "recipient": "acme",
        "topic": "suspend",
        **more,
    }


def _order(fact_id: str, at: str, **more: Any) -> Record:
    return {"id": fact_id, "type": "order", "at": at, "partner": "acme", **more}


def _right(effect: dict[str, Any], right_id: str = "8.1") -> dict[str, Any]:
    return {
        "id": right_id,
        "title": "Suspension or change on notice",
        "kind": "right",
        "holder": "us",
        "arises": "start",
        "exercised_by": {"fact": "notice", "where": {"topic": "suspend"}},
        "effect": effect,
        "reported": False,
    }


NO_ORDERS = {
    "id": "p",
    "title": "No orders",
    "kind": "prohibition",
    "by": "partner",
    "do": {"fact": "order"},
}


def _both(
    clauses: list[dict[str, Any]], records: list[Record], as_of: str, **more: Any
) -> set[Finding]:
    """The findings of evaluator and oracle, which must agree."""
    got, expected = compare(_minimal(clauses, records, as_of, **more))
    assert got == expected, (
        f"evaluator only {sorted(got - expected)}, oracle only {sorted(expected - got)}"
    )
    return got


# --- suspends ---------------------------------------------------------------------------------

# Notice n1 on 2026-03-01 at 10:00 suspends clause p for 30 days: from 2026-03-02T00:00:00Z
# through 2026-03-31T23:59:59Z (30 days after 1 March, as "within 30 days" counts).
SUSPEND_30 = _right({"suspends": ["p"], "for": "30d"})
N1 = _notice("n1", "2026-03-01T10:00:00Z")


def test_a_forbidden_fact_is_no_breach_while_suspended_to_the_second() -> None:
    orders = [
        _order("o1", "2026-03-01T23:59:59Z"),  # the exercise's own day: still in force
        _order("o2", "2026-03-02T00:00:00Z"),  # the first second suspended
        _order("o3", "2026-03-31T23:59:59Z"),  # the last second suspended
        _order("o4", "2026-04-01T00:00:00Z"),  # the first second after
    ]
    assert _both([NO_ORDERS, SUSPEND_30], [N1, *orders], "2026-04-10") == {
        ("p", "breach", "prohibition.breached", "o1", "2026-03-01"),
        ("p", "breach", "prohibition.breached", "o4", "2026-04-01"),
        ("p", "trigger", "prohibition.suspended", "n1", "2026-03-02"),
    }


def test_a_suspension_is_reported_from_its_first_day() -> None:
    assert _both([NO_ORDERS, SUSPEND_30], [N1], "2026-03-01T23:59:59Z") == set()
    assert _both([NO_ORDERS, SUSPEND_30], [N1], "2026-03-02") == {
        ("p", "trigger", "prohibition.suspended", "n1", "2026-03-02"),
    }


REPORT_ON_INCIDENT = {
    "id": "o",
    "title": "Report each incident within 10 days",
    "kind": "obligation",
    "by": "partner",
    "when": {"fact": "incident"},
    "do": {"fact": "report"},
    "within": "10d",
}
SUSPEND_DUTY = _right({"suspends": ["o"], "for": "30d"})
# Incident i1 on 02-25 is due by the end of 03-07, inside the suspension (03-02 to 03-31): it
# falls due 30 days later, by the end of 04-06. Incident i2 on 03-15 creates no duty.
INCIDENTS = [
    {"id": "i1", "type": "incident", "at": "2026-02-25T12:00:00Z"},
    {"id": "i2", "type": "incident", "at": "2026-03-15T12:00:00Z"},
]


def _report(at: str) -> Record:
    return {"id": "r1", "type": "report", "at": at, "partner": "acme"}


def test_a_duty_due_inside_a_suspension_falls_due_later_by_its_length() -> None:
    suspended = ("o", "trigger", "obligation.suspended", "n1", "2026-03-02")
    clauses = [REPORT_ON_INCIDENT, SUSPEND_DUTY]
    # On 03-20 it is not due: a deadline on 04-06 within a 30-day horizon, none for i2.
    assert _both(clauses, [N1, *INCIDENTS], "2026-03-20") == {
        suspended,
        ("o", "deadline", "obligation.due", "i1", "2026-04-06"),
    }
    # Done at the last second of 04-06: in time.
    done = _report("2026-04-06T23:59:59Z")
    assert _both(clauses, [N1, *INCIDENTS, done], "2026-04-10") == {suspended}
    # A second later: late, a breach dated at the pushed-back due date.
    late = _report("2026-04-07T00:00:00Z")
    assert _both(clauses, [N1, *INCIDENTS, late], "2026-04-10") == {
        suspended,
        ("o", "breach", "obligation.breached", "i1", "2026-04-06"),
    }


RESUMABLE = _right(
    {"suspends": ["p"], "for": "60d", "until": {"fact": "payment", "match_on": ["ref"]}}
)


def test_a_resuming_fact_ends_the_suspension_with_its_day() -> None:
    notice = _notice("n1", "2026-03-01T10:00:00Z", ref="r1")
    payments = [
        {
            "id": "pay1",
            "type": "payment",
            "at": "2026-03-05T09:00:00Z",
            "partner": "acme",
            "ref": "r2",
        },
        {
            "id": "pay2",
            "type": "payment",
            "at": "2026-03-10T08:00:00Z",
            "partner": "acme",
            "ref": "r1",
        },
    ]
    orders = [_order("o1", "2026-03-10T23:59:59Z"), _order("o2", "2026-03-11T00:00:00Z")]
    assert _both([NO_ORDERS, RESUMABLE], [notice, *payments, *orders], "2026-03-20") == {
        ("p", "trigger", "prohibition.suspended", "n1", "2026-03-02"),
        ("p", "breach", "prohibition.breached", "o2", "2026-03-11"),
    }


def test_a_suspension_awaiting_its_resuming_fact_leaves_a_pending_duty_undated() -> None:
    right = _right({"suspends": ["o"], "until": {"fact": "payment"}})
    findings = _both([REPORT_ON_INCIDENT, right], [N1, *INCIDENTS], "2026-06-20", horizon_days=0)
    # No payment yet: i1 is neither due nor breached, i2 never arose.
    assert findings == {("o", "trigger", "obligation.suspended", "n1", "2026-03-02")}
    paid = {"id": "pay", "type": "payment", "at": "2026-05-31T10:00:00Z", "partner": "acme"}
    # Paid on 05-31: suspended 03-02 to 05-31 (91 days), so i1 falls due by the end of 06-06.
    assert _both([REPORT_ON_INCIDENT, right], [N1, *INCIDENTS, paid], "2026-06-20") == {
        ("o", "trigger", "obligation.suspended", "n1", "2026-03-02"),
        ("o", "breach", "obligation.breached", "i1", "2026-06-06"),
    }


MONTHLY_ORDER = {
    "id": "m",
    "title": "At least one order a month",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "order"},
    "count": True,
    "per": "month",
    "at_least": 1,
}


def test_a_period_touching_a_suspension_is_not_judged() -> None:
    right = _right({"suspends": ["m"], "for": "30d"})
    # Suspended 03-02 to 03-31: March is not judged (no breach though it has no order);
    # February (before) and the open April (after) are, as of 04-21 with a 10-day horizon.
    findings = _both(
        [MONTHLY_ORDER, right],
        [N1, _order("o1", "2026-01-10T10:00:00Z")],
        "2026-04-21",
        horizon_days=10,
    )
    assert findings == {
        ("m", "breach", "measure.breached", "2026-02", "2026-02-28"),
        ("m", "trigger", "measure.suspended", "n1", "2026-03-02"),
        ("m", "deadline", "measure.at_risk", "2026-04", "2026-04-30"),
    }


def test_a_suspended_period_breaks_a_run() -> None:
    """February and April have no order, March is suspended: no two months in a row."""
    after_two = {
        "id": "r",
        "title": "Right after two short months in a row",
        "kind": "right",
        "holder": "us",
        "arises": {"breach_of": "m", "in_a_row": 2},
        "open_for": "30d",
    }
    right = _right({"suspends": ["m"], "for": "30d"})
    january = _order("o1", "2026-01-10T10:00:00Z")
    findings = _both([MONTHLY_ORDER, after_two, right], [N1, january], "2026-05-02", horizon_days=0)
    assert findings == {
        ("m", "breach", "measure.breached", "2026-02", "2026-02-28"),
        ("m", "trigger", "measure.suspended", "n1", "2026-03-02"),
        ("m", "breach", "measure.breached", "2026-04", "2026-04-30"),
    }
    # Without the suspension, March's shortfall makes the run with February.
    unsuspended = _both([MONTHLY_ORDER, after_two, right], [january], "2026-05-02", horizon_days=0)
    assert ("r", "trigger", "right.arisen", "m:2026-03", "2026-03-31") in unsuspended


def test_a_notice_period_delays_the_suspension() -> None:
    right = _right({"suspends": ["p"], "for": "10d", "after": "5d"})
    # Notice on 03-01, in effect after 03-06: suspended 03-07 through 03-16.
    orders = [
        _order("o1", "2026-03-06T23:59:59Z"),
        _order("o2", "2026-03-07T00:00:00Z"),
        _order("o3", "2026-03-16T23:59:59Z"),
        _order("o4", "2026-03-17T00:00:00Z"),
    ]
    assert _both([NO_ORDERS, right], [N1, *orders], "2026-04-01") == {
        ("p", "breach", "prohibition.breached", "o1", "2026-03-06"),
        ("p", "trigger", "prohibition.suspended", "n1", "2026-03-07"),
        ("p", "breach", "prohibition.breached", "o4", "2026-03-17"),
    }


def test_a_right_does_not_arise_nor_is_exercised_while_suspended() -> None:
    arising = {
        "id": "r",
        "title": "Right after each incident",
        "kind": "right",
        "holder": "us",
        "arises": {"fact": "incident"},
        "open_for": "60d",
        "exercised_by": {"fact": "notice", "where": {"topic": "exercise"}},
    }
    right = _right({"suspends": ["r"], "for": "30d"})
    exercise = {**_notice("x1", "2026-03-20T10:00:00Z"), "topic": "exercise"}
    findings = _both([arising, right], [N1, *INCIDENTS, exercise], "2026-03-25", horizon_days=0)
    # i1 arose before the suspension and is not exercised by x1 (inside it); i2 never arose.
    assert findings == {
        ("r", "trigger", "right.arisen", "i1", "2026-02-25"),
        ("r", "trigger", "right.suspended", "n1", "2026-03-02"),
    }


def test_a_suspension_from_the_terms_last_day_suspends_nothing() -> None:
    late = _notice("n1", "2026-12-31T10:00:00Z")
    orders = [_order("o1", "2026-12-31T23:59:59Z")]
    assert _both([NO_ORDERS, SUSPEND_30], [late, *orders], "2027-01-10") == {
        ("p", "breach", "prohibition.breached", "o1", "2026-12-31"),
    }


# --- starts: the new terms --------------------------------------------------------------------

EU_ORDERS = {
    **NO_ORDERS,
    "id": "5.1",
    "title": "No EU orders",
    "do": {"fact": "order", "where": {"region": "EU"}},
}
ALL_ORDERS = {**NO_ORDERS, "id": "5.2", "title": "No orders at all (after the change)"}
CHANGE = _right({"ends": ["5.1"], "starts": ["5.2"], "after": "30d"})


def test_a_change_of_terms_takes_effect_on_the_day_after_its_notice_period() -> None:
    # Notice on 03-15: 5.1 applies through 04-14, 5.2 from 04-15 on.
    notice = _notice("n1", "2026-03-15T10:00:00Z")
    orders = [
        _order("o1", "2026-03-01T10:00:00Z", region="US"),  # neither: 5.2 does not apply yet
        _order("o2", "2026-04-14T23:59:59Z", region="EU"),  # 5.1
        _order("o3", "2026-04-14T23:59:59Z", region="US"),  # neither
        _order("o4", "2026-04-15T00:00:00Z", region="EU"),  # 5.2 only
    ]
    assert _both([EU_ORDERS, ALL_ORDERS, CHANGE], [notice, *orders], "2026-05-01") == {
        ("5.1", "breach", "prohibition.breached", "o2", "2026-04-14"),
        ("5.1", "trigger", "prohibition.ended", "ended", "2026-04-14"),
        ("5.2", "breach", "prohibition.breached", "o4", "2026-04-15"),
    }


def test_new_terms_never_apply_without_an_exercise() -> None:
    orders = [_order("o1", "2026-03-01T10:00:00Z", region="US")]
    assert _both([EU_ORDERS, ALL_ORDERS, CHANGE], orders, "2026-05-01") == set()


def test_an_exercise_on_the_terms_last_day_changes_nothing_within_the_term() -> None:
    change = _right({"ends": ["5.1"], "starts": ["5.2"]})
    notice = _notice("n1", "2026-12-31T23:59:59Z")
    orders = [_order("o1", "2026-12-31T23:59:59Z", region="EU")]
    # 5.1 applies through 12-31 (its end is reported); 5.2 would apply from 2027-01-01, after the term.
    assert _both([EU_ORDERS, ALL_ORDERS, change], [notice, *orders], "2027-01-05") == {
        ("5.1", "breach", "prohibition.breached", "o1", "2026-12-31"),
        ("5.1", "trigger", "prohibition.ended", "ended", "2026-12-31"),
    }


# --- the model --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ({}, "give 'ends', 'starts', 'suspends' or 'extends'"),
        ({"suspends": ["3.1"]}, "say how long a suspension lasts"),
        ({"suspends": ["3.1"], "ends": ["3.2"], "for": "5d"}, "either suspends clauses or ends"),
        ({"ends": ["3.1"], "for": "5d"}, "'for' and 'until' say how long a suspension"),
        ({"suspends": ["3.1"], "for": "48h"}, "count a suspension and its notice in days"),
        ({"ends": ["3.1"], "starts": ["3.1"]}, "clause 3.1 cannot both end and start"),
        ({"starts": []}, "name at least one clause"),
    ],
)
def test_an_effect_says_what_is_wrong(effect: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Effect.model_validate(effect)


def test_a_wrong_effect_is_a_positioned_problem(tmp_path: Path) -> None:
    rules = tmp_path / "acme.yaml"
    rules.write_text(
        """agreement: acme
title: Acme
parties: {us: northwind, partner: acme}
effective: 2026-01-01
expires: 2026-12-31
owner: legal
clauses:
  - id: "3.1"
    title: No orders
    kind: prohibition
    by: partner
    do: {fact: order}
  - id: "8.1"
    title: Suspension
    kind: right
    holder: us
    arises: start
    exercised_by: {fact: notice}
    effect:
      suspends: ["3.1"]
"""
    )
    book = load_rulebook([str(rules)])
    errors = [d for d in book.diagnostics if d.level == Level.ERROR]
    assert len(errors) == 1
    assert errors[0].line >= 19
    assert "say how long a suspension lasts" in errors[0].message


def test_the_sentences_say_what_an_exercise_does() -> None:
    suspend = RightTerms.model_validate(
        {
            "holder": "us",
            "arises": "start",
            "exercised_by": {"fact": "notice"},
            "effect": {"suspends": ["3.1"], "for": "60d", "until": {"fact": "payment.received"}},
        }
    )
    assert "suspends clause 3.1 from the next day for 60 days or until" in sentence(suspend)
    assert "whichever comes first: nothing is judged under it meanwhile" in sentence(suspend)
    change = RightTerms.model_validate(
        {
            "holder": "us",
            "arises": "start",
            "exercised_by": {"fact": "notice"},
            "effect": {"ends": ["5.1"], "starts": ["5.2"], "after": "30d"},
        }
    )
    assert sentence(change).endswith(
        "; exercising it, with effect 30 days later, ends clause 5.1 and makes clause 5.2 apply from "
        "the next day (not before)."
    )
