"""The one time convention of norms (docs/norms.md, "Time"), on small agreements worked out by
hand: a breach is dated when it arose, its identity is fixed when the norm instance is created,
"within N days" keeps its last day, and a right that arose and lapsed is still reported."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from checker.dates.timeutil import Duration, parse_instant
from checker.evaluation.evaluate import evaluate_agreement
from checker.facts.model import Fact
from checker.findings.model import Finding
from checker.norms.outcomes import due_after
from checker.norms.parties import FactParties, PartyFields
from checker.rulebook.agreement import Agreement

DAY = 86_400


def _agreement(*clauses: dict[str, Any]) -> Agreement:
    return Agreement.model_validate(
        {
            "agreement": "time-test",
            "title": "Time convention",
            "parties": {"us": "northwind", "partner": "acme"},
            "effective": "2026-01-01",
            "expires": "2027-12-31",
            "owner": "legal",
            "clauses": list(clauses),
        }
    )


def _fact(fact_id: str, fact_type: str, at: str, **attrs: Any) -> Fact:
    return Fact(fact_id, fact_type, parse_instant(at), "acme", attrs, f"test:{fact_id}")


def _findings(agreement: Agreement, facts: list[Fact], as_of: str) -> list[Finding]:
    instant = parse_instant(as_of)
    kept = sorted((f for f in facts if f.at <= instant), key=lambda f: (f.at, f.id))
    return evaluate_agreement(agreement, kept, instant, instant + 30 * DAY, FactParties()).findings


DELIVERY = {
    "id": "4.1",
    "title": "Delivery after each order",
    "kind": "obligation",
    "by": "partner",
    "when": {"fact": "order.placed"},
    "do": {"fact": "order.delivered", "match_on": ["order"]},
    "within": "60d",
}


def test_within_60_days_after_an_event_at_midnight_keeps_its_last_day() -> None:
    # 2026-03-01T00:00Z + 60 days = 2026-04-30; the whole of that day counts.
    assert due_after(parse_instant("2026-03-01"), Duration(60, "days"), None) == parse_instant(
        "2026-04-30T23:59:59Z"
    )
    facts = [
        _fact("o-1", "order.placed", "2026-03-01T00:00:00Z", order="A"),
        _fact("d-1", "order.delivered", "2026-04-30T23:59:00Z", order="A"),
    ]
    assert _findings(_agreement(DELIVERY), facts, "2026-06-01") == []


def test_a_late_fulfilment_is_the_same_breach_as_the_missed_one() -> None:
    placed = _fact("o-1", "order.placed", "2026-03-01T00:00:00Z", order="A")
    delivered = _fact("d-1", "order.delivered", "2026-05-03T10:00:00Z", order="A")
    # Night of 05-02: due 04-30, not delivered: missed. Night of 05-04: delivered 05-03: late.
    (missed,) = _findings(_agreement(DELIVERY), [placed, delivered], "2026-05-02")
    (late,) = _findings(_agreement(DELIVERY), [placed, delivered], "2026-05-04")
    assert (missed.kind.value, missed.code, missed.subject) == (
        "breach",
        "obligation.breached",
        "o-1",
    )
    assert missed.date.isoformat() == late.date.isoformat() == "2026-04-30"
    assert missed.fingerprint == late.fingerprint
    assert "and has not" in missed.message
    assert "done late, on 2026-05-03 (d-1)" in late.message


MILESTONE = {
    "id": "6.2",
    "title": "Beta delivery",
    "kind": "obligation",
    "by": "partner",
    "when": "2026-03-31",
    "due": "2026-03-31",
    "name": "beta",
    "do": {"fact": "milestone.achieved", "where": {"milestone": "beta"}},
}


def test_a_named_one_off_obligation_and_early_fulfilment() -> None:
    early = _fact("a-1", "milestone.achieved", "2026-03-20T10:00:00Z", milestone="beta")
    # Without `early` only a fact at or after the trigger (03-31T00:00Z) fulfils it: achieved
    # 03-20, so missed at the due date 03-31, with the instance named beta, not 2026-03-31.
    (missed,) = _findings(_agreement(MILESTONE), [early], "2026-04-02")
    assert (missed.code, missed.subject, missed.date.isoformat()) == (
        "obligation.breached",
        "beta",
        "2026-03-31",
    )
    # With `early: true` the achievement of 03-20 counts: nothing to report.
    assert _findings(_agreement({**MILESTONE, "early": True}), [early], "2026-04-02") == []
    # Due 03-31, within the 30-day horizon of 03-15 (ends 04-14): a deadline named beta.
    (due,) = _findings(_agreement({**MILESTONE, "early": True}), [], "2026-03-15")
    assert (due.code, due.subject, due.date.isoformat()) == ("obligation.due", "beta", "2026-03-31")


def test_a_name_is_only_for_a_one_off_obligation() -> None:
    per_fact = {**DELIVERY, "name": "delivery"}
    with pytest.raises(ValidationError, match="'name' names the one instance"):
        _agreement(per_fact)


def test_a_monthly_maximum_is_breached_at_the_fact_that_crossed_it() -> None:
    cap = {
        "id": "5.1",
        "title": "API calls",
        "kind": "measure",
        "by": "partner",
        "of": {"fact": "api.calls"},
        "sum": "calls",
        "per": "month",
        "at_most": 1000,
    }
    facts = [
        _fact("c-1", "api.calls", "2026-03-05T10:00:00Z", calls=600),
        _fact("c-2", "api.calls", "2026-03-17T10:00:00Z", calls=500),  # 1,100 > 1,000
        _fact("c-3", "api.calls", "2026-03-20T10:00:00Z", calls=100),
    ]
    # Known on 03-17 already, with March still open.
    (finding,) = _findings(_agreement(cap), facts, "2026-03-25")
    assert (finding.code, finding.subject, finding.date.isoformat()) == (
        "measure.breached",
        "2026-03",
        "2026-03-17",
    )
    # Not dated on the 1st of the month, before the facts that caused it.
    assert finding.date.isoformat() != "2026-03-01"


def test_a_right_that_arose_and_lapsed_is_reported_as_lapsed() -> None:
    right = {
        "id": "8.1",
        "title": "Termination after a change of control",
        "kind": "right",
        "holder": "us",
        "arises": {"fact": "control.changed"},
        "open_for": "30d",
        "exercised_by": {"fact": "notice.termination"},
    }
    facts = [_fact("cc-1", "control.changed", "2026-02-10T09:00:00Z")]
    (finding,) = _findings(_agreement(right), facts, "2026-11-01")
    assert (finding.kind.value, finding.code, finding.date.isoformat()) == (
        "trigger",
        "right.arisen",
        "2026-02-10",
    )
    # 02-10 + 30 days = 03-12.
    assert "lapsed unexercised on 2026-03-12" in finding.message


def test_whose_act_a_fact_is_comes_from_the_catalogue_field() -> None:
    notify = {
        "id": "9.3",
        "title": "Our incident notice",
        "kind": "obligation",
        "by": "us",
        "when": {"fact": "incident.detected"},
        "do": {"fact": "notice.sent", "match_on": ["incident"]},
        "within": "72h",
    }
    incident = Fact(
        "i-1",
        "incident.detected",
        parse_instant("2026-04-01T10:00:00Z"),
        None,
        {"affects": "acme", "incident": "INC-1"},
        "t:1",
    )
    # Our notice, exported with our id in `sender` and the recipient in `to`.
    notice = Fact(
        "n-1",
        "notice.sent",
        parse_instant("2026-04-02T10:00:00Z"),
        None,
        {"sender": "northwind", "to": "acme", "incident": "INC-1"},
        "t:2",
    )
    parties = FactParties(
        {
            "incident.detected": PartyFields(None, "affects"),
            "notice.sent": PartyFields("sender", "to"),
        }
    )
    instant = parse_instant("2026-05-01")
    agreement = _agreement(notify)
    assert (
        evaluate_agreement(agreement, [incident, notice], instant, instant, parties).findings == []
    )
    # Read with the default (the actor in `partner`, empty: ours), the notice names no
    # counterparty and still counts; a notice sent BY acme never fulfils our duty.
    theirs = Fact(
        "n-2",
        "notice.sent",
        parse_instant("2026-04-02T10:00:00Z"),
        None,
        {"sender": "acme", "to": "northwind", "incident": "INC-1"},
        "t:3",
    )
    (missed,) = evaluate_agreement(
        agreement, [incident, theirs], instant, instant, parties
    ).findings
    assert (missed.code, missed.subject, missed.date.isoformat()) == (
        "obligation.breached",
        "i-1",
        "2026-04-04",
    )


def test_a_fact_that_cannot_be_compared_is_an_error_of_its_own() -> None:
    cap = {
        "id": "5.2",
        "title": "Seats",
        "kind": "prohibition",
        "by": "partner",
        "do": {
            "fact": "usage.reported",
            "where": {"edition": "enterprise", "seats": {"above": 250}},
        },
    }
    facts = [
        _fact("u-1", "usage.reported", "2026-03-01T10:00:00Z", edition="enterprise", seats="many"),
        # Out of scope by its edition: its text is never compared.
        _fact("u-2", "usage.reported", "2026-03-02T10:00:00Z", edition="standard", seats="n/a"),
        # Still judged: 300 > 250.
        _fact("u-3", "usage.reported", "2026-03-03T10:00:00Z", edition="enterprise", seats=300),
    ]
    found = _findings(_agreement(cap), facts, "2026-04-01")
    assert sorted((f.kind.value, f.code, f.subject, f.date.isoformat()) for f in found) == [
        ("breach", "prohibition.breached", "u-3", "2026-03-03"),
        ("error", "prohibition.undecided", "u-1", "2026-03-01"),
    ]
    (error,) = (f for f in found if f.kind.value == "error")
    assert "seats is 'many', which cannot be compared with above 250" in error.message


def test_a_measure_that_cannot_read_a_value_fails_closed() -> None:
    spend = {
        "id": "4.1",
        "title": "Spend",
        "kind": "measure",
        "by": "partner",
        "of": {"fact": "spend"},
        "sum": "amount",
        "per": "month",
        "at_least": 100,
    }
    facts = [_fact("s-1", "spend", "2026-03-01T10:00:00Z", amount="lots")]
    (finding,) = _findings(_agreement(spend), facts, "2026-04-01")
    assert (finding.kind.value, finding.code) == ("error", "evaluation.failed")
    assert "fact s-1 (test:s-1): amount is 'lots', not a number" in finding.message


def test_a_kinds_earlier_version_ends_with_a_termination_too() -> None:
    termination = {
        "id": "15",
        "title": "Termination for convenience",
        "kind": "termination",
        "for_convenience": {"notice": {"fact": "notice.termination"}, "notice_period": "1 month"},
    }
    cap = {
        "id": "5.2",
        "title": "Seats",
        "kind": "cap",
        "measure": {"fact": "usage.reported", "field": "seats"},
        "max": 100,
        "amended": [{"effective": "2026-07-01", "max": 120}],
    }
    facts = [
        # Notice on 03-01: the agreement ends with 04-01T00:00. The cap's first version runs to
        # 06-30 as written, but not past the end of the agreement.
        _fact("n-1", "notice.termination", "2026-03-01T00:00:00Z"),
        _fact("u-1", "usage.reported", "2026-03-15T10:00:00Z", seats=130),
        _fact("u-2", "usage.reported", "2026-06-09T10:00:00Z", seats=122),
    ]
    breaches = {
        f.subject
        for f in _findings(_agreement(termination, cap), facts, "2026-11-01")
        if f.kind.value == "breach"
    }
    assert breaches == {"u-1"}
