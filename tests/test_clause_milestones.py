"""Milestones: due-date boundaries, default notice and cure, amendments, leap day, oracle."""

import random
from datetime import date, timedelta
from typing import Any

import pytest

from checker.facts.model import Fact
from tests.helpers import agreement, engine_and_oracle, evaluate, fact, summary
from tests.oracle.milestones import oracle_milestones

CLAUSE: dict[str, Any] = {
    "id": "6.2",
    "title": "Delivery milestones",
    "kind": "milestones",
    "milestones": [
        {"name": "beta", "due": "2026-03-31"},
        {"name": "ga", "due": "2026-06-30"},
        {"name": "docs", "due": "2026-09-30"},
        {"name": "sdk", "due": "2026-10-01"},
    ],
    "achieved": {"fact": "milestone.achieved"},
    "cure": {"notice": {"fact": "notice.default"}, "period": "30d"},
}


def achieved(fact_id: str, at: str, name: str, partner: str = "globex") -> Fact:
    return fact(fact_id, "milestone.achieved", at, partner, milestone=name)


def notice(fact_id: str, at: str, name: str) -> Fact:
    return fact(fact_id, "notice.default", at, milestone=name)


def test_due_date_is_inclusive_in_utc_and_late_is_dated_at_the_due_date() -> None:
    facts = [
        # 2026-04-01T01:30+02:00 is 2026-03-31T23:30Z: on the due day, on time.
        achieved("a1", "2026-04-01T01:30:00+02:00", "beta"),
        # One second after 2026-06-30T23:59:59Z: late. One time convention (docs/norms.md): the
        # breach is dated at the due date, 2026-06-30, not at the achievement (07-01).
        achieved("a2", "2026-07-01T00:00:00Z", "ga"),
        # Another partner's achievement does not count for ours.
        achieved("x1", "2026-09-01", "docs", partner="initech"),
    ]
    # As of 2026-09-30 docs is due that very day (not missed yet); sdk falls due the next day.
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-09-30")) == [
        ("milestone.missed", "breach", "ga", "2026-06-30"),
        ("milestone.due", "deadline", "docs", "2026-09-30"),
        ("milestone.due", "deadline", "sdk", "2026-10-01"),
    ]
    # One day later docs is missed; sdk is due on the as-of day.
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-10-01")) == [
        ("milestone.missed", "breach", "ga", "2026-06-30"),
        ("milestone.missed", "breach", "docs", "2026-09-30"),
        ("milestone.due", "deadline", "sdk", "2026-10-01"),
    ]


def test_deadline_only_within_the_horizon() -> None:
    clause = dict(CLAUSE, milestones=[{"name": "beta", "due": "2026-03-31"}])
    # due_by 2026-03-31T23:59:59Z; a 28-day horizon from 03-02 ends with 03-30: too early.
    assert evaluate(agreement(clause), [], "2026-03-02", horizon_days=28) == []
    # a 29-day horizon ends with the whole of 03-31, its last second included.
    assert summary(evaluate(agreement(clause), [], "2026-03-02", horizon_days=29)) == [
        ("milestone.due", "deadline", "beta", "2026-03-31"),
    ]


def test_cure_period_runs_from_the_notice_and_then_a_termination_right_arises() -> None:
    clause = dict(CLAUSE, milestones=[{"name": "beta", "due": "2026-03-31"}])
    facts = [
        notice("n0", "2026-03-15", "beta"),  # before the due date: not a default notice
        notice("n9", "2026-04-05", "ga"),  # names another milestone
        notice("n1", "2026-04-10T09:00:00Z", "beta"),  # cure ends 04-10 + 30d = 05-10
        notice("n2", "2026-04-20", "beta"),  # a second notice does not restart the cure
    ]
    assert summary(evaluate(agreement(clause), facts, "2026-04-15")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.cure_ends", "deadline", "beta", "2026-05-10"),
    ]
    # Cure ends on the as-of day: still curable.
    assert summary(evaluate(agreement(clause), facts, "2026-05-10")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.cure_ends", "deadline", "beta", "2026-05-10"),
    ]
    # The day after the cure period the right to terminate has arisen (dated 05-11).
    assert summary(evaluate(agreement(clause), facts, "2026-05-11")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.termination_right", "trigger", "beta", "2026-05-11"),
    ]
    # Achieved in the last second of the cure period: late, but cured. The late achievement
    # is the same breach as the missed one, dated at the due date 2026-03-31 (it was
    # milestone.late dated 05-10, the achievement's day, before the one time convention).
    cured = [*facts, achieved("a1", "2026-05-10T23:59:59Z", "beta")]
    assert summary(evaluate(agreement(clause), cured, "2026-06-01")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
    ]


def test_amendment_governs_milestones_due_after_it_takes_effect() -> None:
    clause = dict(
        CLAUSE,
        milestones=[{"name": "ga", "due": "2026-05-31"}, {"name": "docs", "due": "2026-06-01"}],
        amended=[
            {
                "effective": "2026-06-01",
                "milestones": [
                    {"name": "ga", "due": "2026-11-30"},
                    {"name": "docs", "due": "2026-08-31"},
                ],
            }
        ],
    )
    # ga was due 05-31, before the amendment: missed then. docs' old date (06-01) is the
    # amendment's first day, so the amended date 08-31 governs and nothing is due yet.
    assert summary(evaluate(agreement(clause), [], "2026-06-15")) == [
        ("milestone.missed", "breach", "ga", "2026-05-31"),
    ]
    # ga's new date is tracked as well, as an instance of its own: a finding's identity is fixed
    # when the instance is created (docs/norms.md), so it is named with its due date and both
    # can be missed without sharing a fingerprint (ga was the subject of both before the
    # conversion). docs was missed on its amended date.
    assert summary(evaluate(agreement(clause), [], "2026-11-15")) == [
        ("milestone.missed", "breach", "ga", "2026-05-31"),
        ("milestone.missed", "breach", "docs", "2026-08-31"),
        ("milestone.due", "deadline", "ga (due 2026-11-30)", "2026-11-30"),
    ]
    # 11-30 passed: the second ga breach is reported beside the first, not merged with it.
    assert summary(evaluate(agreement(clause), [], "2026-12-01")) == [
        ("milestone.missed", "breach", "ga", "2026-05-31"),
        ("milestone.missed", "breach", "docs", "2026-08-31"),
        ("milestone.missed", "breach", "ga (due 2026-11-30)", "2026-11-30"),
    ]


def test_milestones_due_after_the_term_are_not_checked() -> None:
    clause = dict(CLAUSE, milestones=[{"name": "late-one", "due": "2028-01-01"}])
    assert evaluate(agreement(clause), [], "2028-02-01") == []


def test_one_month_cure_ends_on_leap_day() -> None:
    clause = dict(
        CLAUSE,
        milestones=[{"name": "beta", "due": "2028-01-15"}],
        cure={"notice": {"fact": "notice.default"}, "period": "1 month"},
    )
    subject = agreement(clause, expires="2028-12-31")
    facts = [notice("n1", "2028-01-31", "beta")]  # 2028-01-31 + 1 month clamps to 02-29
    assert summary(evaluate(subject, facts, "2028-02-29")) == [
        ("milestone.missed", "breach", "beta", "2028-01-15"),
        ("milestone.cure_ends", "deadline", "beta", "2028-02-29"),
    ]
    assert summary(evaluate(subject, facts, "2028-03-01")) == [
        ("milestone.missed", "breach", "beta", "2028-01-15"),
        ("milestone.termination_right", "trigger", "beta", "2028-03-01"),
    ]


def test_messages_name_dates_and_facts() -> None:
    clause = dict(CLAUSE, milestones=[{"name": "beta", "due": "2026-03-31"}])
    facts = [notice("n1", "2026-04-10", "beta"), achieved("a1", "2026-06-01", "beta")]
    late, arose = evaluate(agreement(clause), facts, "2026-06-02")
    assert (late.code, late.date.isoformat()) == ("milestone.missed", "2026-03-31")
    for text in ("beta", "a1", "2026-03-31", "achieved late, on 2026-06-01T00:00:00Z"):
        assert text in late.message
    # Achieved after the cure period: the right to terminate arose all the same (one time
    # convention, docs/norms.md; it was no longer reported before the conversion to norms).
    assert (arose.code, arose.date.isoformat()) == ("milestone.termination_right", "2026-05-11")
    for text in ("n1", "2026-05-10", "2026-05-11", "achieved only on 2026-06-01T00:00:00Z"):
        assert text in arose.message
    assert [e.fact_id for e in arose.evidence] == ["n1", "a1"]
    facts = [notice("n1", "2026-04-10", "beta")]
    missed, right = evaluate(agreement(clause), facts, "2026-06-02")
    assert "2026-03-31" in missed.message
    for text in ("n1", "2026-05-10", "2026-05-11"):
        assert text in right.message
    assert right.evidence[0].fact_id == "n1"


def test_a_notice_on_or_before_the_due_day_does_not_start_the_cure() -> None:
    clause = dict(CLAUSE, milestones=[{"name": "beta", "due": "2026-03-31"}])
    early = [
        notice("n0", "2026-03-20T12:00:00Z", "beta"),  # before the due day
        notice("n1", "2026-03-31T23:59:59Z", "beta"),  # the due day's last second: not in default
    ]
    assert summary(evaluate(agreement(clause), early, "2026-06-01")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
    ]
    # The first second after the due day: the cure runs 04-01 + 30d = 05-01; a right on 05-02.
    facts = [*early, notice("n2", "2026-04-01T00:00:00Z", "beta")]
    assert summary(evaluate(agreement(clause), facts, "2026-05-01")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.cure_ends", "deadline", "beta", "2026-05-01"),
    ]
    assert summary(evaluate(agreement(clause), facts, "2026-05-02")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.termination_right", "trigger", "beta", "2026-05-02"),
    ]


def test_a_cure_on_the_last_day_of_the_cure_period_counts_a_second_later_does_not() -> None:
    clause = dict(CLAUSE, milestones=[{"name": "beta", "due": "2026-03-31"}])
    facts = [notice("n1", "2026-04-10T09:00:00Z", "beta")]  # cure period until 05-10
    in_time = [*facts, achieved("a1", "2026-05-10T23:59:59Z", "beta")]
    assert summary(evaluate(agreement(clause), in_time, "2026-06-01")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
    ]
    # A second later the right to terminate has arisen (05-11): still reported after the
    # achievement, the same finding (fingerprint) as before the achievement came.
    too_late = [*facts, achieved("a1", "2026-05-11T00:00:00Z", "beta")]
    after = evaluate(agreement(clause), too_late, "2026-06-01")
    assert summary(after) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.termination_right", "trigger", "beta", "2026-05-11"),
    ]
    before = evaluate(agreement(clause), facts, "2026-05-11")
    assert {f.fingerprint for f in before} == {f.fingerprint for f in after}


def test_the_cure_end_is_a_deadline_when_it_lies_within_the_horizon() -> None:
    clause = dict(CLAUSE, milestones=[{"name": "beta", "due": "2026-03-31"}])
    facts = [notice("n1", "2026-04-10", "beta")]  # cure period until the end of 05-10
    # As of 04-15, a 24-day horizon ends with 05-09: the cure period's last day is not in it; a
    # 25-day horizon ends with the whole of 05-10 and holds it.
    assert summary(evaluate(agreement(clause), facts, "2026-04-15", horizon_days=24)) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
    ]
    assert summary(evaluate(agreement(clause), facts, "2026-04-15", horizon_days=25)) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.cure_ends", "deadline", "beta", "2026-05-10"),
    ]
    # A cure period in hours ends at an exact instant (it was rounded down to whole days before
    # the conversion to norms): 120 hours after 04-10T00:00Z is 04-15T00:00Z, exactly the end of
    # a one-day horizon from 04-14; the right arises a second later, on 04-15.
    hours = dict(clause, cure={"notice": {"fact": "notice.default"}, "period": "120h"})
    assert summary(evaluate(agreement(hours), facts, "2026-04-14", horizon_days=1)) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.cure_ends", "deadline", "beta", "2026-04-15"),
    ]
    assert summary(evaluate(agreement(hours), facts, "2026-04-14", horizon_days=0)) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
    ]
    assert summary(evaluate(agreement(hours), facts, "2026-04-15T00:00:01Z")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.termination_right", "trigger", "beta", "2026-04-15"),
    ]


def test_the_cure_follows_the_terms_in_force_on_the_due_date() -> None:
    # An amendment from 04-05 shortens the cure period to 2 days: beta, due 03-31 under the
    # first terms, keeps 30 days after a notice of 04-10 (the notice's terms governed before the
    # conversion to norms); ga, due 04-30 under the amended terms, has 2 days.
    clause = dict(
        CLAUSE,
        milestones=[{"name": "beta", "due": "2026-03-31"}, {"name": "ga", "due": "2026-04-30"}],
        amended=[
            {
                "effective": "2026-04-05",
                "cure": {"notice": {"fact": "notice.default"}, "period": "2d"},
            }
        ],
    )
    facts = [notice("n1", "2026-04-10", "beta"), notice("n2", "2026-05-01", "ga")]
    assert summary(evaluate(agreement(clause), facts, "2026-05-04")) == [
        ("milestone.missed", "breach", "beta", "2026-03-31"),
        ("milestone.missed", "breach", "ga", "2026-04-30"),
        ("milestone.termination_right", "trigger", "ga", "2026-05-04"),
        ("milestone.cure_ends", "deadline", "beta", "2026-05-10"),
    ]


TERM: dict[str, str] = {}  # the helpers' default term: 2025-01-01 to 2027-12-31
BASE = date(2026, 3, 31)


def random_case(rng: random.Random) -> tuple[dict[str, Any], list[Fact]]:
    """Milestones due around 2026-03-31, sometimes with a cure and an amendment that moves them,
    and achievements and default notices (some another partner's) around the due dates."""
    base = BASE
    names = ["beta", "ga", "docs"][: rng.randint(1, 3)]

    def near(days: int) -> date:
        return base + timedelta(days=rng.randint(-days, days))

    clause: dict[str, Any] = {
        "id": "6.2",
        "title": "Delivery milestones",
        "kind": "milestones",
        "milestones": [{"name": name, "due": near(4).isoformat()} for name in names],
        "achieved": {"fact": "milestone.achieved"},
    }
    if rng.random() < 0.8:
        clause["cure"] = {"notice": {"fact": "notice.default"}, "period": f"{rng.randint(1, 6)}d"}
    if rng.random() < 0.4:
        amended: dict[str, Any] = {"effective": near(3).isoformat()}
        amended["milestones"] = [{"name": n, "due": near(6).isoformat()} for n in names]
        if rng.random() < 0.5:
            amended["cure"] = {"notice": {"fact": "notice.default"}, "period": "2d"}
        clause["amended"] = [amended]
    facts: list[Fact] = []
    for number in range(rng.randint(0, 8)):
        kind = rng.choice(["milestone.achieved", "notice.default"])
        moment = f"{near(8).isoformat()}T{rng.choice(['00:00:00', '23:59:59', '12:00:00'])}"
        moment += rng.choice(["Z", "+02:00", "-01:00"])
        partner = "globex" if rng.random() < 0.85 else "initech"
        facts.append(fact(f"f{number}", kind, moment, partner, milestone=rng.choice(names)))
    return clause, facts


def _random_case(seed: int) -> tuple[dict[str, Any], list[Fact], str, int]:
    rng = random.Random(seed)
    clause, facts = random_case(rng)
    as_of = (BASE + timedelta(days=rng.randint(-12, 12))).isoformat()
    return clause, facts, as_of, rng.randint(0, 10)


def test_engine_agrees_with_the_oracle_on_random_cases() -> None:
    for seed in range(60):
        clause, facts, as_of, horizon_days = _random_case(seed)
        got, expected = engine_and_oracle(
            agreement(clause), clause, facts, as_of, horizon_days, oracle_milestones
        )
        assert got == expected, f"seed {seed}"


@pytest.mark.parametrize(
    ("sender", "cure_runs"),
    [("globex", True), (None, True), ("initech", False)],  # the partner, us, someone else
)
def test_a_default_notice_counts_from_either_party(sender: str | None, cure_runs: bool) -> None:
    # Usually the customer (us) serves the default notice: a new user's notices, exported under
    # our own id, were passed over while only the partner's counted.
    clause = dict(CLAUSE, milestones=[{"name": "beta", "due": "2026-03-31"}])
    facts = [fact("n1", "notice.default", "2026-04-10T09:00:00Z", sender, milestone="beta")]
    expected = [("milestone.missed", "breach", "beta", "2026-03-31")]
    if cure_runs:  # 04-10 + 30 days: the cure ends at the end of 05-10, the right arises 05-11
        expected.append(("milestone.termination_right", "trigger", "beta", "2026-05-11"))
    assert summary(evaluate(agreement(clause), facts, "2026-05-12")) == expected
