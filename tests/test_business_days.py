"""Business days: the calendar itself, durations counted on it, and clauses using them end to end.

Holidays used below (public holidays in Germany; Epiphany only in Bavaria, BY):
  2026-12-25 Fri Christmas Day, 2026-12-26 Sat Second Day of Christmas, 2027-01-06 Wed Epiphany.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from checker.cli import main
from checker.dates.calendars import BusinessCalendar, CalendarSpec, calendar_for
from checker.dates.timeutil import Duration, NoCalendarError, parse_duration, parse_instant
from tests.helpers import agreement, evaluate, fact, summary

DE = CalendarSpec(country="DE")
DE_BY = CalendarSpec(country="DE", subdivision="BY")


@pytest.mark.parametrize(
    ("text", "amount"),
    [("10 business days", 10), ("10bd", 10), ("1 business day", 1), ("5 working days", 5)],
)
def test_business_day_durations_parse(text: str, amount: int) -> None:
    assert parse_duration(text) == Duration(amount, "business_days")


def test_business_day_duration_reads_back_in_words() -> None:
    assert str(parse_duration("1bd")) == "1 business day"
    assert str(parse_duration("10bd")) == "10 business days"


@pytest.mark.parametrize(
    ("spec", "start", "count", "expected"),
    [
        # Friday + 1 business day: the weekend is skipped.
        (DE, date(2026, 11, 20), 1, date(2026, 11, 23)),
        # Wednesday + 2 over Christmas: Thu 24th (1), Fri 25th and Sat 26th holidays, Sun, Mon 28th (2).
        (DE, date(2026, 12, 23), 2, date(2026, 12, 28)),
        # Counting from a holiday that is also a weekend day: the next business day is Monday.
        (DE, date(2026, 12, 26), 1, date(2026, 12, 28)),
        # Epiphany is a holiday in Bavaria only.
        (DE, date(2027, 1, 5), 1, date(2027, 1, 6)),
        (DE_BY, date(2027, 1, 5), 1, date(2027, 1, 7)),
        # Backwards: 1 business day before Monday 2026-12-28 is Thursday 2026-12-24.
        (DE, date(2026, 12, 28), -1, date(2026, 12, 24)),
        (DE, date(2026, 12, 28), 0, date(2026, 12, 28)),
    ],
)
def test_calendar_counts_business_days(
    spec: CalendarSpec, start: date, count: int, expected: date
) -> None:
    assert BusinessCalendar(spec).add_business_days(start, count) == expected


def test_calendar_knows_weekends_and_holidays() -> None:
    calendar = calendar_for(DE_BY)
    assert calendar.holiday(date(2027, 1, 6)) == "Epiphany"
    assert not calendar.is_business_day(date(2027, 1, 6))
    assert not calendar.is_business_day(date(2026, 11, 21))  # Saturday
    assert calendar.is_business_day(date(2026, 12, 24))  # Christmas Eve is a working day in DE
    assert calendar.label == "DE-BY"
    assert "DE-BY" in calendar.describe()


def test_business_days_keep_the_time_of_day() -> None:
    due = parse_duration("2bd").after(parse_instant("2026-12-23T10:00:00Z"), calendar_for(DE))
    assert due == parse_instant("2026-12-28T10:00:00Z")


def test_business_days_without_a_calendar_refuse() -> None:
    with pytest.raises(NoCalendarError, match="no holiday calendar"):
        parse_duration("2bd").add_to_date(date(2026, 12, 23))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"country": "XX"}, "no holiday calendar for country 'XX'"),
        ({"country": "XX"}, "or 'none' for weekends only"),
        ({"country": "DE", "subdivision": "BYX"}, "did you mean 'BY'"),
        ({"country": "DE", "region": "BY"}, "region"),
    ],
)
def test_unknown_calendars_are_refused(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CalendarSpec.model_validate(spec)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # Friday + 1: Monday. Over Christmas nothing is a holiday: Wed 23 + 2 = Fri 25.
        (date(2026, 11, 20), 1, date(2026, 11, 23)),
        (date(2026, 12, 23), 2, date(2026, 12, 25)),
        # 15 business days from Tuesday 2026-09-01: three whole weeks, Tuesday 09-22.
        (date(2026, 9, 1), 15, date(2026, 9, 22)),
        (date(2026, 12, 28), -1, date(2026, 12, 25)),
    ],
)
def test_weekends_only_calendar_skips_saturdays_and_sundays_alone(
    start: date, count: int, expected: date
) -> None:
    calendar = calendar_for(CalendarSpec.model_validate({"country": "None"}))
    assert calendar.add_business_days(start, count) == expected
    assert calendar.holiday(date(2026, 12, 25)) is None
    assert calendar.describe() == "no public holidays, weekend Sat-Sun"


def test_weekends_only_takes_no_subdivision() -> None:
    with pytest.raises(ValidationError, match="takes no subdivision"):
        CalendarSpec.model_validate({"country": "none", "subdivision": "BY"})


MILESTONE = {
    "id": "6.2",
    "title": "Delivery milestones",
    "kind": "milestones",
    "milestones": [{"name": "ga", "due": "2026-12-15"}],
    "achieved": {"fact": "milestone.achieved"},
    "cure": {"notice": {"fact": "notice.default"}, "period": "2 business days"},
}


def test_business_days_need_a_calendar_on_the_agreement() -> None:
    with pytest.raises(ValidationError, match=r"clause 6\.2 cure\.period \(2 business days\)"):
        agreement(MILESTONE)


def test_amended_business_days_need_a_calendar_too() -> None:
    clause = {**MILESTONE, "cure": {**MILESTONE["cure"], "period": "30d"}}
    clause["amended"] = [{"effective": "2026-06-01", "cure": MILESTONE["cure"]}]
    with pytest.raises(ValidationError, match="no 'calendar'"):
        agreement(clause)


def test_cure_period_in_business_days_skips_christmas() -> None:
    # Notice on Wed 2026-12-23; 2 business days in DE end on Mon 2026-12-28 (Thu 24th is day 1,
    # Fri 25th and Sat 26th are holidays). The right to terminate arises the day after: 12-29.
    subject = agreement(MILESTONE, calendar={"country": "DE"})
    facts = [fact("n1", "notice.default", "2026-12-23T09:00:00Z", milestone="ga")]

    on_last_cure_day = evaluate(subject, facts, "2026-12-28")
    assert ("milestone.cure_ends", "deadline", "ga", "2026-12-28") in summary(on_last_cure_day)
    assert all(f.kind.value != "trigger" for f in on_last_cure_day)

    after = evaluate(subject, facts, "2026-12-29")
    assert ("milestone.termination_right", "trigger", "ga", "2026-12-29") in summary(after)
    assert {f.calendar for f in after} == {"DE"}


def test_calendar_days_would_have_ended_on_the_holiday() -> None:
    # The same clause in calendar days: 2 days after 12-23 is 12-25 (a holiday), right from 12-26.
    clause = {**MILESTONE, "cure": {**MILESTONE["cure"], "period": "2d"}}
    found = evaluate(
        agreement(clause, calendar={"country": "DE"}),
        [fact("n1", "notice.default", "2026-12-23T09:00:00Z", milestone="ga")],
        "2026-12-29",
    )
    assert ("milestone.termination_right", "trigger", "ga", "2026-12-26") in summary(found)
    assert {f.calendar for f in found} == {""}  # no business days: no calendar recorded


RESPONSE = {
    "id": "9.3",
    "title": "Incident notice",
    "kind": "response_time",
    "after": {"fact": "incident.detected"},
    "expect": {"fact": "notice.sent"},
    "match_on": ["incident"],
    "within": "2 business days",
}


@pytest.mark.parametrize(
    ("answered_at", "late"),
    [
        ("2026-12-28T10:00:01Z", False),  # after the time of day it was detected at: still in time
        ("2026-12-28T23:59:59Z", False),
        ("2026-12-29T00:00:00Z", True),
    ],
)
def test_response_due_by_the_end_of_the_second_business_day(answered_at: str, late: bool) -> None:
    # Detected Wed 2026-12-23 10:00 UTC. The business days after it: Thu 12-24 (1), then Fri 25th
    # and Sat 26th are holidays and Sun 27th a weekend day, Mon 12-28 (2). Like a limit in
    # days, it ends at the end of its last day: due by Mon 2026-12-28 23:59:59 UTC.
    facts = [
        fact("i1", "incident.detected", "2026-12-23T10:00:00Z", incident="INC-1"),
        fact("s1", "notice.sent", answered_at, incident="INC-1"),
    ]
    found = evaluate(agreement(RESPONSE, calendar={"country": "DE"}), facts, "2027-01-10")
    # A late notice is the breach of the deadline, dated at it.
    expected = [("response_time.missed", "breach", "i1", "2026-12-28")] if late else []
    assert summary(found) == expected


def test_subdivision_moves_a_deadline_by_its_own_holiday() -> None:
    # Detected Tue 2027-01-05 12:00; 1 business day: Wed 01-06 in DE, Thu 01-07 in Bavaria (to the
    # end of the day). The notice on Thu 01-07 09:00 is late in DE (a breach dated 01-06), in time
    # in Bavaria.
    clause = {**RESPONSE, "within": "1bd"}
    facts = [
        fact("i1", "incident.detected", "2027-01-05T12:00:00Z", incident="INC-2"),
        fact("s1", "notice.sent", "2027-01-07T09:00:00Z", incident="INC-2"),
    ]
    national = evaluate(agreement(clause, calendar={"country": "DE"}), facts, "2027-01-20")
    bavarian = evaluate(
        agreement(clause, calendar={"country": "DE", "subdivision": "BY"}), facts, "2027-01-20"
    )
    assert summary(national) == [("response_time.missed", "breach", "i1", "2027-01-06")]
    assert bavarian == []


RULE_FILE = """\
agreement: acme-support
title: Support agreement with Acme
partner: acme
effective: 2026-01-01
expires: 2027-12-31
owner: legal
calendar: {country: DE, subdivision: BY}
clauses:
  - id: "9.3"
    title: Incident notice
    kind: response_time
    after: {fact: incident.detected}
    expect: {fact: notice.sent}
    match_on: [incident]
    within: 1 business day
"""


def test_business_days_end_to_end_from_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "acme.yaml").write_text(RULE_FILE, encoding="utf-8")
    facts = tmp_path / "facts.jsonl"
    # The notice of another incident, at 00:00 on 01-08, shows the notices reach past the due
    # date (without it, whether INC-3 was notified could not be told: `unknown`).
    facts.write_text(
        '{"id": "i1", "type": "incident.detected", "at": "2027-01-05T12:00:00Z",'
        ' "partner": "acme", "incident": "INC-3"}\n'
        '{"id": "n0", "type": "notice.sent", "at": "2027-01-08T00:00:00Z",'
        ' "partner": "acme", "incident": "INC-2"}\n',
        encoding="utf-8",
    )
    arguments = ["run", "--rules", str(rules), "--facts", str(facts), "--as-of", "2027-01-08"]
    code = main([*arguments, "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    # Due by the end of Thu 2027-01-07 (Epiphany on Wed is a Bavarian holiday); missed as of
    # 01-08, dated 01-07.
    assert [(f["code"], f["date"], f["calendar"]) for f in findings] == [
        ("response_time.missed", "2027-01-07", "DE-BY")
    ]


def test_calendar_errors_point_at_the_rule_file_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(RULE_FILE.replace("subdivision: BY", "subdivision: BYX"), encoding="utf-8")
    assert main(["validate", str(path)]) == 3
    err = capsys.readouterr().err
    assert f"{path}:7:" in err
    assert "did you mean 'BY'" in err


def test_business_days_without_a_calendar_point_at_the_duration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(RULE_FILE.replace("calendar: {country: DE, subdivision: BY}\n", ""), "utf-8")
    assert main(["validate", str(path)]) == 3
    err = capsys.readouterr().err
    # Line 14 of the file without its calendar line: `    within: 1 business day`, value at col 13.
    assert f"{path}:14:13: error: '1 business day' is counted in business days" in err
    assert "help: add a top-level 'calendar:'" in err
    assert err.count("error:") == 1  # not also reported, unpositioned, at the top of the file


TERMINATION = {
    "id": "15",
    "title": "Return of data",
    "kind": "termination",
    "on_termination": [
        {"name": "data-return", "do": {"fact": "data.returned"}, "within": "2 business days"}
    ],
}


@pytest.mark.parametrize(
    ("returned_at", "late"),
    [("2026-12-30T23:59:59Z", False), ("2026-12-31T00:00:00Z", True)],
)
def test_duty_after_the_end_skips_an_observed_holiday(returned_at: str, late: bool) -> None:
    # The agreement's last day is Thu 2026-12-24. In England Fri 25th is Christmas, Sat 26th
    # Boxing Day, observed on Mon 28th: 2 business days after the 24th are Tue 29th and Wed 30th,
    # so the data is due by the end of Wed 2026-12-30.
    subject = agreement(
        TERMINATION, expires="2026-12-24", calendar={"country": "GB", "subdivision": "ENG"}
    )
    due = evaluate(subject, [], "2026-12-25")
    assert ("termination.obligation_due", "deadline", "data-return", "2026-12-30") in summary(due)
    found = evaluate(subject, [fact("r1", "data.returned", returned_at)], "2027-01-15")
    # A late return is the same breach as a missed one, dated at the due date.
    expected = [("termination.obligation_missed", "2026-12-30", "GB-ENG")] if late else []
    assert [(f.code, f.date.isoformat(), f.calendar) for f in found] == expected


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("2 bussiness days", "did you mean '2 business days'?"),
        ("72 hrs", "did you mean '72 hours'?"),
        ("3 mnths", "did you mean '3 months'?"),
    ],
)
def test_a_misspelt_unit_gets_a_suggestion(text: str, suggestion: str) -> None:
    with pytest.raises(ValueError, match=re.escape(suggestion)):
        parse_duration(text)


def test_no_suggestion_without_a_close_unit() -> None:
    with pytest.raises(ValueError, match="is not a duration") as raised:
        parse_duration("3 fortnights")
    assert "did you mean" not in str(raised.value)
