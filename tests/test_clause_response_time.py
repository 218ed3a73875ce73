"""Response time: on time, late, missing, still open; boundaries at exactly the limit."""

from tests.helpers import agreement, evaluate, fact, summary

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
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("response_time.late", "breach", "i2", "2026-06-04"),
        ("response_time.missed", "breach", "i3", "2026-07-04"),
        ("response_time.due", "deadline", "i4", "2026-11-23"),
    ]


def test_deadline_beyond_horizon_is_not_reported_and_as_of_boundary() -> None:
    clause = dict(CLAUSE, within="40d")
    facts = [fact("i1", "incident.detected", "2026-11-01T00:00:00Z", incident="A")]
    # due 2026-12-11T00:00Z; horizon 30 days from 2026-11-10 ends 2026-12-10T00:00Z
    assert evaluate(agreement(clause), facts, "2026-11-10") == []
    assert summary(evaluate(agreement(clause), facts, "2026-11-11")) == [
        ("response_time.due", "deadline", "i1", "2026-12-11"),
    ]
    # due exactly at the as-of instant: still open, not missed
    assert summary(evaluate(agreement(clause), facts, "2026-12-11")) == [
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
    assert summary(evaluate(agreement(clause), facts, "2026-11-22")) == [
        ("response_time.missed", "breach", "i3", "2026-09-04"),
    ]
