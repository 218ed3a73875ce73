"""An option to extend: a right whose exercise makes the agreement's fixed term run longer
(`effect: {extends: agreement, by: 12 months}`). Worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from checker.dates.timeutil import SECONDS_PER_DAY, parse_instant
from checker.evaluation.evaluate import evaluate_agreement
from tests.helpers import agreement_between, evaluate, fact, summary

OPTION = {
    "id": "14.2",
    "title": "Option to extend",
    "kind": "right",
    "holder": "partner",
    "arises": "start",
    "exercised_by": {"fact": "notice.sent", "by": "partner", "where": {"topic": "extension"}},
    "effect": {"extends": "agreement", "by": "12 months"},
    "reported": False,
}
REPORT = {
    "id": "5.1",
    "title": "Monthly report",
    "kind": "obligation",
    "by": "partner",
    "when": {"each": "month"},
    "do": {"fact": "report.sent"},
    "period_field": "period",
    "within": "10d",
}


def _subject(*clauses: dict[str, Any], **term: Any) -> Any:
    return agreement_between(
        "zenith",
        "orbit",
        *clauses,
        **({"effective": "2026-01-01", "expires": "2026-12-31"} | term),
    )


def _notice(fact_id: str, at: str) -> Any:
    return fact(fact_id, "notice.sent", at, "orbit", topic="extension")


def _term_findings(subject: Any, facts: list[Any], as_of: str) -> list[tuple[str, str]]:
    instant = parse_instant(as_of)
    result = evaluate_agreement(subject, facts, instant, instant + 30 * SECONDS_PER_DAY)
    return [(f.code, f.date.isoformat()) for f in result.findings if f.clause == "term"]


def test_an_exercise_within_the_term_extends_it_and_says_to_when() -> None:
    subject = _subject(OPTION)
    facts = [_notice("n1", "2026-10-01T09:00:00Z")]
    (found,) = evaluate(subject, facts, "2027-03-01")
    assert summary([found]) == [("right.extended_agreement", "trigger", "n1", "2026-10-01")]
    assert found.message == (
        "the term, which was to end with 2026-12-31, now runs to the end of 2027-12-31:"
        " notice.sent n1 of 2026-10-01 exercised the option to extend it by 12 months"
        " (clause 14.2)"
    )
    # Expiry is a deadline 30 days ahead of the new last day, not the old one.
    assert _term_findings(subject, facts, "2026-12-15") == []
    assert _term_findings(subject, facts, "2027-12-15") == [("term.expires", "2027-12-31")]


def test_the_extended_term_carries_the_duties_on() -> None:
    # December's report is due by 2027-01-10 either way; January 2027's (due 02-10, missed) and
    # February's (due 03-10, within the 30 days' horizon) exist only because of the extension.
    subject = _subject(REPORT, OPTION)
    facts = [
        _notice("n1", "2026-10-01T09:00:00Z"),
        *(
            fact(
                f"r{m}",
                "report.sent",
                f"2026-{m:02d}-05T09:00:00Z",
                "orbit",
                period=f"2026-{m - 1:02d}",
            )
            for m in range(2, 13)
        ),
        fact("r13", "report.sent", "2027-01-05T09:00:00Z", "orbit", period="2026-12"),
    ]
    assert summary(
        [f for f in evaluate(subject, facts, "2027-02-20") if f.code != "right.extended_agreement"]
    ) == [
        ("obligation.breached", "breach", "2027-01", "2027-02-10"),
        ("obligation.due", "deadline", "2027-02", "2027-03-10"),
    ]
    unextended = _subject(REPORT, OPTION)
    assert list(evaluate(unextended, facts[1:], "2027-02-20")) == []


def test_an_exercise_after_the_term_ended_extends_nothing() -> None:
    subject = _subject(OPTION)
    facts = [_notice("n1", "2027-01-05T09:00:00Z")]
    assert evaluate(subject, facts, "2027-03-01") == []
    assert _term_findings(subject, facts, "2026-12-15") == [("term.expires", "2026-12-31")]


def test_only_the_first_exercise_extends() -> None:
    subject = _subject(OPTION)
    facts = [_notice("n1", "2026-10-01T09:00:00Z"), _notice("n2", "2027-06-01T09:00:00Z")]
    assert summary(evaluate(subject, facts, "2027-07-01")) == [
        ("right.extended_agreement", "trigger", "n1", "2026-10-01")
    ]
    assert _term_findings(subject, facts, "2027-12-15") == [("term.expires", "2027-12-31")]


@pytest.mark.parametrize(
    ("effect", "term", "says"),
    [
        ({"extends": "agreement"}, {}, "say how much longer the term runs"),
        ({"extends": "agreement", "by": "48h"}, {}, "say how much longer the term runs"),
        ({"extends": "agreement", "by": "1 years", "ends": ["5.1"]}, {}, "does only that"),
        ({"ends": ["5.1"], "by": "1 years"}, {}, "'by' says how much longer the term runs"),
        (
            {"extends": "agreement", "by": "12 months"},
            {"expires": None, "open_ended": True},
            "an option to extend needs 'expires'",
        ),
    ],
)
def test_an_option_to_extend_needs_a_length_and_a_fixed_term(
    effect: dict[str, Any], term: dict[str, Any], says: str
) -> None:
    with pytest.raises(ValidationError, match=says):
        _subject(REPORT, {**OPTION, "effect": effect}, **term)
