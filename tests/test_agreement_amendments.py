"""Amendments of the whole agreement: from its effective date an amendment may change the term,
add clauses, remove clauses and change a clause's terms. Expectations are worked out by hand
from the dates in each test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from checker.cli import main
from checker.dates.timeutil import SECONDS_PER_DAY, parse_instant
from checker.evaluation.evaluate import evaluate_agreement
from checker.findings.exit_codes import ExitCode
from tests.helpers import agreement, evaluate, fact, summary

EXCLUSIVITY = {
    "id": "4.1",
    "title": "Exclusive territory",
    "kind": "exclusivity",
    "territory": ["DE"],
    "forbids": [{"fact": "deal.closed"}],
}
INCIDENT_NOTICE = {
    "id": "9.3",
    "title": "Incident notice",
    "kind": "response_time",
    "after": {"fact": "incident.detected"},
    "expect": {"fact": "notice.sent"},
    "match_on": ["incident"],
    "within": "72h",
}
CONFIDENTIAL = {
    "id": "12.1",
    "title": "Confidential data",
    "kind": "prohibition",
    "by": "partner",
    "do": {"fact": "data.transfer", "where": {"classification": "confidential"}},
}
FIRST_AMENDMENT: dict[str, Any] = {
    "effective": "2026-07-01",
    "title": "First amendment",
    "expires": "2027-06-30",
    "removes": ["4.1"],
    "adds": [CONFIDENTIAL],
    "changes": [{"id": "9.3", "within": "24h"}],
}


def _amended(*amendments: dict[str, Any], **overrides: Any) -> Any:
    return agreement(
        EXCLUSIVITY,
        INCIDENT_NOTICE,
        parties={"us": "northwind", "partner": "globex"},
        effective="2026-01-01",
        expires="2026-12-31",
        amendments=list(amendments),
        **overrides,
    )


def test_an_amendment_removes_adds_and_changes_clauses_from_its_effective_date() -> None:
    facts = [
        # 4.1 is removed from 07-01: its last second still counts, the next does not.
        fact("d1", "deal.closed", "2026-06-30T23:59:59Z", "initech", territory="DE"),
        fact("d2", "deal.closed", "2026-07-01T00:00:00Z", "initech", territory="DE"),
        # 12.1 is added from 07-01: a transfer the day before is not forbidden yet.
        fact("t1", "data.transfer", "2026-06-30T12:00:00Z", classification="confidential"),
        fact("t2", "data.transfer", "2026-07-01T00:00:00Z", classification="confidential"),
        # After the original expiry (2026-12-31), inside the extended term (to 2027-06-30).
        fact("t3", "data.transfer", "2027-01-15T00:00:00Z", classification="confidential"),
        # 9.3 allowed 72 hours before 07-01, 24 hours after: 48 hours in June is on time...
        fact("i1", "incident.detected", "2026-06-10T00:00:00Z", incident="A"),
        fact("n1", "notice.sent", "2026-06-12T00:00:00Z", incident="A"),
        # ...30 hours in July is late: due 2026-07-03T00:00:00, so the breach is dated 07-03.
        fact("i2", "incident.detected", "2026-07-02T00:00:00Z", incident="B"),
        fact("n2", "notice.sent", "2026-07-03T06:00:00Z", incident="B"),
    ]
    found = summary(evaluate(_amended(FIRST_AMENDMENT), facts, "2027-06-15"))
    assert found == [
        ("exclusivity.forbidden_activity", "breach", "d1", "2026-06-30"),
        ("prohibition.breached", "breach", "t2", "2026-07-01"),
        ("response_time.missed", "breach", "i2", "2026-07-03"),
        ("prohibition.breached", "breach", "t3", "2027-01-15"),
    ]


def test_an_extended_term_moves_the_expiry_deadline() -> None:
    subject = _amended(FIRST_AMENDMENT)
    as_of = parse_instant("2026-12-15")
    result = evaluate_agreement(subject, [], as_of, as_of + 30 * SECONDS_PER_DAY)
    assert [f.code for f in result.findings if f.clause == "term"] == []  # 2026-12-31 is gone
    as_of = parse_instant("2027-06-15")
    result = evaluate_agreement(subject, [], as_of, as_of + 30 * SECONDS_PER_DAY)
    assert [(f.code, f.date.isoformat()) for f in result.findings if f.clause == "term"] == [
        ("term.expires", "2027-06-30")
    ]


def test_a_term_amendment_can_make_the_agreement_open_ended() -> None:
    subject = _amended({"effective": "2026-10-01", "title": "Evergreen", "open_ended": True})
    assert subject.final_term == (None, True)
    late = [fact("t9", "data.transfer", "2031-03-01T00:00:00Z", classification="confidential")]
    with_clause = agreement(
        CONFIDENTIAL,
        parties={"us": "northwind", "partner": "globex"},
        effective="2026-01-01",
        expires="2026-12-31",
        amendments=[{"effective": "2026-10-01", "title": "Evergreen", "open_ended": True}],
    )
    assert summary(evaluate(with_clause, late, "2031-03-02")) == [
        ("prohibition.breached", "breach", "t9", "2031-03-01")
    ]


@pytest.mark.parametrize(
    ("amendment", "message"),
    [
        ({"removes": ["7.7"]}, "names clause 7.7, which is not in force then"),
        ({"changes": [{"id": "7.7", "within": "1d"}]}, "names clause 7.7"),
        ({"adds": [{**CONFIDENTIAL, "id": "4.1"}]}, "adds clause 4.1, an id already used"),
        ({"changes": [{"id": "9.3", "kind": "cap"}]}, "cannot change kind of clause 9.3"),
        ({"changes": [{"id": "9.3", "within": "soon"}]}, "9.3"),
        ({"effective": "2027-01-01", "removes": ["4.1"]}, "after the agreement expired"),
        ({"effective": "2026-01-01", "removes": ["4.1"]}, "on or before the agreement itself"),
        ({"expires": "2026-06-01"}, "before the amendment's 'effective' date"),
        ({}, "an amendment changes something"),
    ],
)
def test_an_amendment_that_cannot_apply_is_refused(amendment: dict[str, Any], message: str) -> None:
    written = {"effective": "2026-07-01", "title": "Bad amendment", **amendment}
    with pytest.raises(ValidationError, match=re.escape(message)):
        _amended(written)


def test_amendments_take_effect_in_order_and_a_removed_clause_stays_removed() -> None:
    later = {"effective": "2026-09-01", "title": "Second", "removes": ["4.1"]}
    with pytest.raises(
        ValidationError, match=re.escape("names clause 4.1, which is not in force then")
    ):
        _amended({"effective": "2026-07-01", "title": "First", "removes": ["4.1"]}, later)
    with pytest.raises(ValidationError, match="must take effect after amendment 1"):
        _amended(
            {"effective": "2026-09-01", "title": "First", "removes": ["9.3"]},
            {"effective": "2026-08-01", "title": "Second", "removes": ["4.1"]},
        )


RULE_FILE = """\
agreement: sirius-cloud-2026
title: Cloud reseller agreement with Sirius
parties: {us: northwind, partner: sirius}
effective: 2026-01-01
expires: 2026-12-31
owner: legal
clauses:
  - id: "3.1"
    title: Exclusive reseller for Spain
    kind: prohibition
    by: us
    do: {fact: reseller.appointed, with: others, where: {territory: ES}}
amendments:
  - effective: 2026-07-01
    title: First amendment
    expires: 2027-06-30
    removes: ["3.1", "9.9"]
    adds:
      - id: "3.1"
        title: Confidential data
        kind: prohibition
        by: partner
        do: {fact: data.transfer, where: {classification: confidential}}
"""


def test_validate_points_at_the_amendment_line_that_cannot_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "sirius.yaml"
    rules.write_text(RULE_FILE, encoding="utf-8")
    assert main(["validate", str(rules)]) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert f"{rules}:17:22: error: clause 9.9 is not in force when this amendment" in err
    assert f"{rules}:19:9: error: the amendment adds clause 3.1, but that id is already" in err
    assert "2 errors" in err


def test_explain_lists_the_amendments_and_when_each_clause_is_in_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "sirius.yaml"
    rules.write_text(
        RULE_FILE.replace('"3.1", "9.9"', '"3.1"').replace(
            '- id: "3.1"\n        title: Conf', '- id: "5.1"\n        title: Conf'
        ),
        encoding="utf-8",
    )
    assert main(["explain", str(rules), "--as-of", "2026-06-15"]) == ExitCode.OK
    out = " ".join(capsys.readouterr().out.split())
    assert "Fixed term from 2026-01-01 to 2027-06-30 (as amended)" in out
    assert (
        "Amendment 1, First amendment, from 2026-07-01: the agreement now ends on 2027-06-30;"
        " adds clause 5.1 (Confidential data); removes clause 3.1." in out
    )
    assert "In force until 2026-06-30 (removed by an amendment)." in out
    assert "2026-06-30 upcoming applies until the end of this day" in out
    assert "In force from 2026-07-01 (added by an amendment)." in out
    assert "2026-07-01 upcoming applies from this day" in out


CAP = {
    "id": "7.1",
    "title": "Seat cap",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "seat.activated"},
    "count": True,
    "per": "month",
    "at_most": 2,
}


def _seats(prefix: str, *days: str) -> list[Any]:
    return [
        fact(f"{prefix}{n}", "seat.activated", f"{day}T10:00:00Z") for n, day in enumerate(days)
    ]


@pytest.mark.parametrize("how", ["clause", "agreement"])
def test_a_norm_is_amended_like_a_kind(how: str) -> None:
    """From 07-01 the cap is 3 seats a month: June's third seat breaches it, July's does not,
    and July's fourth does (a count dated at the seat that crossed the bound)."""
    change = {"effective": "2026-07-01", "at_most": 3}
    if how == "clause":
        subject = agreement(
            {**CAP, "amended": [change]},
            parties={"us": "northwind", "partner": "globex"},
            effective="2026-01-01",
            expires="2026-12-31",
        )
    else:
        subject = agreement(
            CAP,
            parties={"us": "northwind", "partner": "globex"},
            effective="2026-01-01",
            expires="2026-12-31",
            amendments=[
                {
                    "effective": "2026-07-01",
                    "title": "Cap raised",
                    "changes": [{"id": "7.1", "at_most": 3}],
                }
            ],
        )
    june = _seats("s", "2026-06-02", "2026-06-03", "2026-06-04")
    july = _seats("j", "2026-07-02", "2026-07-03", "2026-07-04", "2026-07-05")
    found = summary(evaluate(subject, june + july, "2026-08-15"))
    assert [(code, kind, day) for code, kind, _, day in found] == [
        ("measure.breached", "breach", "2026-06-04"),
        ("measure.breached", "breach", "2026-07-05"),
    ]


# --- a reference to a clause covers all its norms ----------------------------------------------

PARTIES = {"us": "northwind", "partner": "globex"}


def test_a_run_of_breaches_counts_across_the_versions_of_an_amended_measure() -> None:
    """7.1's minimum is 100 a quarter, 200 from Q3. Q1 (50) falls short, Q2 (150) meets it, Q3
    and Q4 (150 each) fall short of 200: the second shortfall in a row, Q4, gives 8.1's right
    on Q4's last day. Counting only the first version, there would be no run at all."""
    minimum = {
        "id": "7.1",
        "title": "Minimum purchase",
        "kind": "measure",
        "by": "partner",
        "of": {"fact": "purchase.order"},
        "sum": "amount",
        "per": "quarter",
        "at_least": 100,
        "amended": [{"effective": "2026-07-01", "at_least": 200}],
    }
    right = {
        "id": "8.1",
        "title": "Right to terminate after two shortfalls",
        "kind": "right",
        "holder": "us",
        "arises": {"breach_of": "7.1", "in_a_row": 2},
        "open_for": "30d",
    }
    subject = agreement(
        minimum, right, parties=PARTIES, effective="2026-01-01", expires="2027-12-31"
    )
    orders = [
        fact(f"p{n}", "purchase.order", at, amount=amount)
        for n, (at, amount) in enumerate(
            [
                ("2026-02-01T10:00:00Z", 50),
                ("2026-05-01T10:00:00Z", 150),
                ("2026-08-01T10:00:00Z", 150),
                ("2026-11-01T10:00:00Z", 150),
            ]
        )
    ]
    found = summary(evaluate(subject, orders, "2027-01-10"))
    assert [f for f in found if f[0].startswith("measure.breached")] == [
        ("measure.breached", "breach", "2026-Q1", "2026-03-31"),
        ("measure.breached", "breach", "2026-Q3", "2026-09-30"),
        ("measure.breached", "breach", "2026-Q4", "2026-12-31"),
    ]
    rights = [f for f in found if f[0].startswith("right.")]
    # Open for 30 days from Q4's last day: until the end of 2027-01-30, within the horizon.
    assert [(code, kind, day) for code, kind, _, day in rights] == [
        ("right.arisen", "trigger", "2026-12-31"),
        ("right.closing", "deadline", "2027-01-30"),
    ]
    assert rights[0][2].endswith(":2026-Q4")


def test_a_right_that_ends_a_clause_ends_every_norm_of_it() -> None:
    """4.1 forbids two activities (two norms of one clause). Exercising 8.2 on 03-01 ends the
    clause at the end of that day: both activities are allowed from 03-02, not only the first."""
    exclusivity = {
        "id": "4.1",
        "title": "Exclusive territory",
        "kind": "exclusivity",
        "territory": ["DE"],
        "forbids": [{"fact": "deal.closed"}, {"fact": "reseller.appointed"}],
    }
    release = {
        "id": "8.2",
        "title": "Release from exclusivity",
        "kind": "right",
        "holder": "partner",
        "arises": "start",
        "exercised_by": {"fact": "exclusivity.released"},
        "effect": {"ends": ["4.1"]},
    }
    subject = agreement(
        exclusivity, release, parties=PARTIES, effective="2026-01-01", expires="2026-12-31"
    )
    facts = [
        fact("r1", "reseller.appointed", "2026-02-01T10:00:00Z", "initech", territory="DE"),
        fact("x1", "exclusivity.released", "2026-03-01T10:00:00Z"),
        fact("d1", "deal.closed", "2026-04-01T10:00:00Z", "initech", territory="DE"),
        fact("r2", "reseller.appointed", "2026-04-02T10:00:00Z", "initech", territory="DE"),
    ]
    found = summary(evaluate(subject, facts, "2026-05-01"))
    assert [f for f in found if f[0] == "exclusivity.forbidden_activity"] == [
        ("exclusivity.forbidden_activity", "breach", "r1", "2026-02-01")
    ]
