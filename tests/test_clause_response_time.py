"""Response time: on time, late, missing, still open; boundaries at exactly the limit.

The kind is shorthand for an obligation of the partner (docs/norms.md): a late answer is the same
breach as a missing one (`response_time.missed`, dated at the due date, one fingerprint), hours
are exact and a limit in days ends at the end of its last day."""

from __future__ import annotations

import random
from datetime import timedelta

from checker.dates.timeutil import (
    date_of_epoch,
    end_of_date,
    iso_of_epoch,
    parse_duration,
    parse_instant,
)
from checker.facts.model import Fact
from tests.helpers import agreement, evaluate, fact, instant_near, summary

CLAUSE = {
    "id": "9.3",
    "title": "Incident notice",
    "kind": "response_time",
    "after": {"fact": "incident.detected"},
    "expect": {"fact": "notice.sent", "where": {"kind": "incident"}},
    "match_on": ["incident"],
    "within": "72h",
}


def test_on_time_late_missing_and_open() -> None:
    facts = [
        fact("i1", "incident.detected", "2026-05-01T10:00:00Z", incident="A"),
        fact(
            "n1", "notice.sent", "2026-05-04T10:00:00Z", incident="A", kind="incident"
        ),  # exactly 72h
        fact("i2", "incident.detected", "2026-06-01T10:00:00Z", incident="B"),
        fact("n2", "notice.sent", "2026-06-04T10:00:01Z", incident="B", kind="incident"),  # 1s late
        fact("i3", "incident.detected", "2026-07-01T10:00:00Z", incident="C"),  # never notified
        fact(
            "n3x", "notice.sent", "2026-07-01T11:00:00Z", incident="Z", kind="incident"
        ),  # other incident
        fact(
            "i4", "incident.detected", "2026-11-20T12:00:00+02:00", incident="D"
        ),  # due 11-23 10:00Z
    ]
    found = evaluate(agreement(CLAUSE), facts, "2026-11-22")
    assert summary(found) == [
        # 06-01T10:00Z + 72h = 06-04T10:00:00Z; the notice a second later is the breach of the
        # deadline, dated at it (06-04), the same code as a notice never sent
        ("response_time.missed", "breach", "i2", "2026-06-04"),
        # 07-01T10:00Z + 72h = 07-04T10:00Z, never notified (n3x names another incident)
        ("response_time.missed", "breach", "i3", "2026-07-04"),
        # 11-20T12:00+02:00 = 10:00Z, + 72h = 11-23T10:00Z: after the as-of, inside the horizon
        ("response_time.due", "deadline", "i4", "2026-11-23"),
    ]
    assert found[0].message == (
        "notice.sent for incident.detected i2 (incident B), within 72 hours of"
        " 2026-06-01T10:00:00Z was late: done 2026-06-04T10:00:01Z, due by 2026-06-04"
    )
    assert found[1].message == (
        "notice.sent for incident.detected i3 (incident C), within 72 hours of"
        " 2026-07-01T10:00:00Z was due by 2026-07-04 and has not been done"
    )
    assert found[2].message == (
        "notice.sent for incident.detected i4 (incident D), within 72 hours of"
        " 2026-11-20T10:00:00Z is due by 2026-11-23"
    )


def test_a_late_answer_updates_the_breach_it_was_before_the_answer_came() -> None:
    incident = fact("i1", "incident.detected", "2026-06-01T10:00:00Z", incident="B")
    notice = fact("n1", "notice.sent", "2026-06-09T08:00:00Z", incident="B", kind="incident")
    # As of 06-05 the notice, due 06-04T10:00Z, has not come: breached, dated 06-04.
    (before,) = evaluate(agreement(CLAUSE), [incident], "2026-06-05")
    # As of 06-10 it came on 06-09, late: the same finding (code, date, fingerprint).
    (after,) = evaluate(agreement(CLAUSE), [incident, notice], "2026-06-10")
    assert (
        summary([before])
        == summary([after])
        == [("response_time.missed", "breach", "i1", "2026-06-04")]
    )
    assert before.fingerprint == after.fingerprint
    assert "has not been done" in before.message
    assert "was late: done 2026-06-09T08:00:00Z" in after.message
    assert [e.fact_id for e in after.evidence] == ["i1", "n1"]


def test_days_end_at_the_end_of_their_last_day_and_hours_are_exact() -> None:
    # Detected 10:00 on 2026-03-01. "5d": 03-01 + 5 days = 03-06, the whole of it counts.
    # "120h" (the same five days in hours): exactly 03-06T10:00Z.
    facts = [
        fact("i1", "incident.detected", "2026-03-01T10:00:00Z", incident="A"),
        fact("n1", "notice.sent", "2026-03-06T23:59:59Z", incident="A", kind="incident"),
        fact("i2", "incident.detected", "2026-03-01T10:00:00Z", incident="B"),
        fact("n2", "notice.sent", "2026-03-07T00:00:00Z", incident="B", kind="incident"),
    ]
    in_days = evaluate(agreement(dict(CLAUSE, within="5d")), facts, "2026-04-01")
    # A: on the 6th at 23:59:59, in time. B: on the 7th at 00:00, one second late: dated the 6th.
    assert summary(in_days) == [("response_time.missed", "breach", "i2", "2026-03-06")]
    in_hours = evaluate(agreement(dict(CLAUSE, within="120h")), facts, "2026-04-01")
    # 03-01T10:00Z + 120h = 03-06T10:00Z: both notices come after it, both dated the 6th.
    assert summary(in_hours) == [
        ("response_time.missed", "breach", "i1", "2026-03-06"),
        ("response_time.missed", "breach", "i2", "2026-03-06"),
    ]


def test_deadline_beyond_horizon_is_not_reported_and_as_of_boundary() -> None:
    clause = dict(CLAUSE, within="40d")
    facts = [fact("i1", "incident.detected", "2026-11-01T00:00:00Z", incident="A")]
    # 11-01 + 40 days = 12-11, due by its end, 12-11T23:59:59Z. A horizon of 30 days from the
    # as-of 11-10 ends with 12-10: the deadline is a day beyond it.
    assert evaluate(agreement(clause), facts, "2026-11-09") == []
    assert evaluate(agreement(clause), facts, "2026-11-10T23:59:59Z") == []
    # From 11-11 the horizon ends with the whole of 12-11, the deadline's day.
    assert summary(evaluate(agreement(clause), facts, "2026-11-11")) == [
        ("response_time.due", "deadline", "i1", "2026-12-11"),
    ]
    # As of 12-11 (00:00) and as of its last second: still open, not missed.
    for as_of in ("2026-12-11", "2026-12-11T23:59:59Z"):
        assert summary(evaluate(agreement(clause), facts, as_of)) == [
            ("response_time.due", "deadline", "i1", "2026-12-11"),
        ]
    assert summary(evaluate(agreement(clause), facts, "2026-12-12")) == [
        ("response_time.missed", "breach", "i1", "2026-12-11"),
    ]


def test_answer_before_the_trigger_does_not_count() -> None:
    facts = [
        fact("n0", "notice.sent", "2026-04-30T10:00:00Z", incident="A", kind="incident"),
        fact("i1", "incident.detected", "2026-05-01T10:00:00Z", incident="A"),
    ]
    # 05-01T10:00Z + 72h = 05-04T10:00Z
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("response_time.missed", "breach", "i1", "2026-05-04"),
    ]


def test_only_the_partners_own_events_count() -> None:
    facts = [
        # Another partner's incident, and one of ours (no partner): no duty for Globex.
        fact("i0", "incident.detected", "2026-05-01T10:00:00Z", "initech", incident="A"),
        fact("i9", "incident.detected", "2026-05-01T10:00:00Z", None, incident="A"),
        # Globex's incident, answered in time only by another partner's notice and by ours.
        fact("i1", "incident.detected", "2026-05-01T10:00:00Z", incident="A"),
        fact("n0", "notice.sent", "2026-05-02T10:00:00Z", "initech", incident="A", kind="incident"),
        fact("n9", "notice.sent", "2026-05-02T10:00:00Z", None, incident="A", kind="incident"),
    ]
    # 05-01T10:00Z + 72h = 05-04T10:00Z, and no notice of Globex's
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("response_time.missed", "breach", "i1", "2026-05-04"),
    ]


def test_amended_expectation_applies_to_triggers_from_its_effective_date() -> None:
    # From 2026-07-01 the notice must be an incident.notified fact, not notice.sent.
    clause = dict(
        CLAUSE, amended=[{"effective": "2026-07-01", "expect": {"fact": "incident.notified"}}]
    )
    facts = [
        fact("i1", "incident.detected", "2026-06-10T10:00:00Z", incident="A"),
        fact(
            "n1", "notice.sent", "2026-06-11T10:00:00Z", incident="A", kind="incident"
        ),  # old terms: ok
        fact("i2", "incident.detected", "2026-08-01T10:00:00Z", incident="B"),
        fact("n2", "incident.notified", "2026-08-02T10:00:00Z", incident="B"),  # new terms: ok
        fact("i3", "incident.detected", "2026-09-01T10:00:00Z", incident="C"),
        fact(
            "n3", "notice.sent", "2026-09-02T10:00:00Z", incident="C", kind="incident"
        ),  # no longer counts
    ]
    # 09-01T10:00Z + 72h = 09-04T10:00Z
    assert summary(evaluate(agreement(clause), facts, "2026-11-22")) == [
        ("response_time.missed", "breach", "i3", "2026-09-04"),
    ]


def test_amended_limit_applies_from_the_first_day_of_the_amendment() -> None:
    # 72h until 2026-06-30, 2d from 2026-07-01 (by the end of the second day after the event).
    clause = dict(CLAUSE, amended=[{"effective": "2026-07-01", "within": "2d"}])
    facts = [
        # 06-30T23:00Z: old terms, + 72h = 07-03T23:00Z; noticed 07-03T23:30Z, late
        fact("i1", "incident.detected", "2026-06-30T23:00:00Z", incident="A"),
        fact("n1", "notice.sent", "2026-07-03T23:30:00Z", incident="A", kind="incident"),
        # 07-01T00:00Z: new terms, 07-01 + 2 days = 07-03, by 07-03T23:59:59Z; noticed 23:30, ok
        fact("i2", "incident.detected", "2026-07-01T00:00:00Z", incident="B"),
        fact("n2", "notice.sent", "2026-07-03T23:30:00Z", incident="B", kind="incident"),
    ]
    assert summary(evaluate(agreement(clause), facts, "2026-11-22")) == [
        ("response_time.missed", "breach", "i1", "2026-07-03"),
    ]


# --- random cases (the kind against the norms it expands into: tests/test_kinds_as_norms.py) ---

TERM = {"effective": "2025-01-01", "expires": "2025-12-31"}
AS_OF = "2026-01-02"  # late-December events are still due on it (12-30T12:00Z + 72h: 01-02T12:00Z)
BOUNDARIES = [
    "2024-12-31T23:59:59Z",  # before the term
    "2025-01-01T00:00:00Z",  # its first instant
    "2025-06-30T23:59:59Z",  # the last instant of the first version
    "2025-07-01T00:00:00Z",  # the amendment's first instant
    "2025-06-30T19:00:00-05:00",  # 07-01 in UTC
    "2025-12-27T10:00:00Z",  # due before the as-of (1d, 72h, 5d), or after it (10d, 240h)
    "2025-12-30T12:00:00Z",  # due before the as-of (24h, 1d), or after it (72h, 5d...)
    "2025-12-31T23:59:59Z",  # the term's last instant
    "2026-01-01T00:00:00Z",  # after the term
]
DURATIONS = ["24h", "72h", "1d", "5d", "10d", "240h"]


def _around_due(at: int, within: str) -> list[int]:
    """Instants where an answer to an event at `at` is on time or not: the event itself, the
    exact duration after it, and the end of the last day of a limit in days."""
    duration = parse_duration(within)
    hours = duration.amount * (1 if duration.unit == "hours" else 24)
    found = [at, at + hours * 3600]
    if duration.unit == "days":
        found.append(end_of_date(date_of_epoch(at) + timedelta(days=duration.amount)))
    return found


def random_case(rng: random.Random) -> tuple[dict[str, object], list[Fact]]:
    """A response time whose limit changes mid-term (and sometimes its answer), events of the
    partner, of another partner and of ours, and answers around the deadlines and the term's
    and the amendment's boundaries."""
    within, amended_within = rng.choice(DURATIONS), rng.choice(DURATIONS)
    amendment: dict[str, object] = {"effective": "2025-07-01", "within": amended_within}
    if rng.random() < 0.3:
        amendment["expect"] = {"fact": "incident.notified"}
    after: dict[str, object] = {"fact": "incident.detected"}
    if rng.random() < 0.3:
        after["where"] = {"severity": ["high", "critical"]}
    clause: dict[str, object] = {
        "id": "9.3",
        "title": "Incident notice",
        "kind": "response_time",
        "after": after,
        "expect": {"fact": "notice.sent", "where": {"kind": "incident"}},
        "within": within,
        "amended": [amendment],
    }
    if rng.random() < 0.7:
        clause["match_on"] = ["incident"]
    parties = ["globex", "globex", "globex", "initech", None]
    facts = []
    triggers = []
    for number in range(rng.randint(2, 6)):
        at = instant_near(rng, BOUNDARIES, boundary_chance=0.7)
        triggers.append(parse_instant(at))
        facts.append(
            fact(
                f"i{number}",
                "incident.detected",
                at,
                rng.choice(parties),
                incident=rng.choice(["A", "B", "C"]),
                severity=rng.choice(["high", "low"]),
            )
        )
    for number in range(rng.randint(1, 8)):
        due = rng.choice(_around_due(rng.choice(triggers), rng.choice([within, amended_within])))
        facts.append(
            fact(
                f"n{number}",
                rng.choice(["notice.sent", "notice.sent", "incident.notified"]),
                iso_of_epoch(due + rng.choice([-1, 0, 0, 1])),
                rng.choice(parties),
                incident=rng.choice(["A", "B", "C"]),
                kind=rng.choice(["incident", "incident", "marketing"]),
            )
        )
    return clause, facts
