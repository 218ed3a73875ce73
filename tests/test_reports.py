"""Every report format for the demo portfolio (rules/ + fixtures/demo/ as of 2026-11-22), checked
against counts and dates worked out by hand from the fixtures, and against hostile fact values.

Hand-worked demo facts used below (see also tests/test_demo.py):
* 30 breaches, 7 rights triggered, 12 deadlines, 0 errors, 1 unknown; 2 waived (W-2026-01,
  W-2026-02). The clauses written as norms added 4 breaches (globex 10.2 sec-i-8 on 10-05 and
  sec-i-9 on 11-21, hooli 9.1 2026-10 on 10-31, initech 12.4 fwd-1 on 05-12), 1 right (hooli
  9.2 on 10-31), 2 deadlines (globex 10.2 sec-i-11 on 11-24, hooli 9.2 closing on 11-30) and
  the 1 unknown (hooli 9.1 2026-08, no readings, on 08-31) to the 26, 5, 10 and 0 before them.
  The renegotiation windows before each anniversary became norms: the globex 12.1 window of
  07-03 to 09-01 is still reported, lapsed (1 right more), and the vandelay 9.2 right is
  dated 10-31 (the end of the run's last month), not 11-01.
* Deadlines within 30 days of 2026-11-22: 11-23 (initech 9.3), 11-24 (globex 10.2), 11-29
  (globex 5.1), 11-30 (hooli 9.2), 12-01 (globex 12.1, initech 15), 12-02 (vandelay term),
  12-15 (hooli 8.1, initech 15, umbrella 6.2, vandelay 9.2), 12-18 (umbrella 16.2: the change
  of control right's 60 days end with the end of that day).
* Clauses with breaches that are not waived: globex 4.1, 5.1, 7.1, 10.2; hooli 5.2, 6.1, 8.1,
  9.1; initech 8.2, 9.3, 12.4; umbrella 6.2; vandelay 11.4. Clauses per agreement, with the
  term: globex 6, hooli 6, initech 5, umbrella 3, vandelay 3.
* In the hand-made history (tests/report_runs.py) findings dated from 2026-11-01 are new: the
  only new breaches are hooli 6.1 (2026-11-03, crm-p-3008), hooli 8.1 (2026-11-15, 2026-10) and
  globex 10.2 (2026-11-21, sec-i-9).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import icalendar
import pytest
from cmarkgfm.cmark import Options

from checker.dates.timeutil import parse_instant
from checker.evaluation.run import RunResult, RunSummary
from checker.findings.model import Finding, FindingKind, Severity
from checker.findings.spool import FindingSpool
from checker.report.formatters import FORMATTERS, spreadsheet_safe, write_atomically
from checker.report.markdown import markdown_text
from checker.report.reading import period_heading, weekly_timeline
from checker.rulebook.applying_waivers import AppliedWaivers
from checker.rulebook.waivers import Waiver
from tests.report_runs import (
    DEMO_FACTS,
    FORMULA,
    HOSTILE_CUSTOMER,
    HOSTILE_ID,
    RESOLVED,
    SCRIPT,
    STALE,
    STALE_REASON,
    demo_run,
    hostile_facts,
    known_run,
    unknown_run,
    with_error,
    with_history,
)

DEADLINE_DATES = [
    "2026-11-23",
    "2026-11-24",  # globex 10.2: INC-11 at 11-21T12:00Z + 72h
    "2026-11-29",
    "2026-11-30",  # hooli 9.2: the service credit for October closes 30 days after 10-31
    "2026-12-01",
    "2026-12-01",
    "2026-12-02",
    "2026-12-15",
    "2026-12-15",
    "2026-12-15",
    "2026-12-15",
    "2026-12-15",  # hooli 8.1: October's fee, unpaid, becomes a material breach after it
    "2026-12-18",
]
# The monthly licence fee for 2026-11 falls due on 2026-12-15. Its fingerprint hashes
# (hooli-saas-2025, 8.1, deadline, recurring.due, 2026-11) and must never change.
HOOLI_FEE_UID = "f9cca3b33e73598d2745@contract-checker"
NEW_BREACHES = {
    ("hooli-saas-2025", "6.1", "2026-11-03"),
    ("hooli-saas-2025", "8.1", "2026-11-15"),
    ("globex-reseller-2025", "10.2", "2026-11-21"),  # INC-9, never notified
}


def render(result: RunResult, report_format: str) -> str:
    return "".join(FORMATTERS[report_format](result))


@pytest.fixture(scope="module")
def demo() -> Iterator[RunResult]:
    with demo_run() as result:
        yield result


@pytest.fixture(scope="module")
def demo_with_history() -> Iterator[RunResult]:
    with demo_run() as result:
        yield with_history(result)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    """The demo plus a hostile deal, an unreadable line and an agreement that failed; history."""
    facts = hostile_facts(tmp_path_factory.mktemp("hostile") / "facts")
    with demo_run(facts) as result:
        yield with_history(with_error(result))


def _fingerprints(result: RunResult, keys: set[tuple[str, str, str]]) -> set[str]:
    return {f.fingerprint for f in result.findings if (f.agreement, f.clause, str(f.date)) in keys}


# --- Markdown ----------------------------------------------------------------------------------


def _section(text: str, heading: str) -> str:
    """The text of one `## heading` section."""
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _table_rows(section: str) -> list[str]:
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return rows[2:]  # header and separator


def test_markdown_lists_kinds_in_order_with_hand_counted_rows(demo: RunResult) -> None:
    text = render(demo, "markdown")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:5] == [
        "## Breaches",
        "## Rights triggered",
        "## Deadlines coming up",
        "## Could not be checked",
        "## Waived findings",
    ]
    assert len(_table_rows(_section(text, "Breaches"))) == 30
    assert len(_table_rows(_section(text, "Rights triggered"))) == 7
    assert len(_table_rows(_section(text, "Waived findings"))) == 2
    deadlines = _table_rows(_section(text, "Deadlines coming up"))
    assert [row.split(" | ")[0].removeprefix("| ") for row in deadlines] == DEADLINE_DATES
    assert "None: every rule of every agreement was evaluated." in text
    assert (
        "**30 breaches, 7 rights triggered, 13 deadlines coming up, 0 rules that could not be "
        "checked, 1 finding unknown (data missing)**; 2 findings waived." in text
    )
    # The one unknown finding: hooli 9.1 for August (the monitoring exports start 09-01).
    [unknown] = _table_rows(_section(text, "Could not be checked"))
    assert unknown.startswith(
        "| 2026-08-31 | hooli-saas-2025 | clause 9.1 (Service availability) | high | "
    )
    assert "| Unknown: data missing | 0 | 1 | 0 | 0 | 0 | 1 |\n" in text


def test_markdown_shows_history_when_the_run_has_it(demo_with_history: RunResult) -> None:
    text = render(demo_with_history, "markdown")
    breaches = _section(text, "Breaches")
    assert "| Status |" in breaches
    assert sum(" | new | " in row for row in _table_rows(breaches)) == 3  # NEW_BREACHES
    resolved = _section(text, "Resolved since the last run")
    assert RESOLVED.message in resolved
    stale = _section(text, "Stale: not seen tonight, but not known to be resolved")
    assert markdown_text(STALE_REASON) in stale
    assert "compared with the run as of 2026-11-21" in text


def _rendered(markdown: str) -> str:
    # Raw HTML allowed: whatever survives to the page is what the report itself wrote.
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def _text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.parametrize(
    "value",
    [
        SCRIPT,
        FORMULA,
        "[phish](https://evil.example/login)",
        "![pixel](https://evil.example/p.png)",
        "<https://evil.example>",
        "https://evil.example/a_b",
        "HTTP://EVIL.EXAMPLE",
        "www.evil.example",
        "jane@evil.example",
        "@legal-team please look",
        "a | b | c",
        "*bold* _it_ ~~gone~~ `code` $x^2$",
        "&amp; &#60;b&#62;",
        "# heading\n- item\nline\r\nbreak",
        "back\\slash \\| \\*",
    ],
)
def test_markdown_values_render_as_written_in_one_cell(value: str) -> None:
    cell = markdown_text(value)
    page = _rendered(f"| a | b |\n|---|---|\n| {cell} | end |\n")
    cells = re.findall(r"<td>(.*?)</td>", page, flags=re.S)
    assert len(cells) == 2
    assert cells[1] == "end"
    assert _text_of(cells[0]) == " ".join(value.split())
    assert not re.search(r"<(a|img|script|em|strong|del|h\d|li|br)\b", cells[0])


def test_markdown_report_of_hostile_values_keeps_its_tables(hostile: RunResult) -> None:
    text = render(hostile, "markdown")
    page = _rendered(text)
    assert "<a " not in page
    assert "<script" not in page
    hostile_rows = [row for row in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "evil" in row]
    assert len(hostile_rows) == 1
    cells = re.findall(r"<td>(.*?)</td>", hostile_rows[0], re.S)
    assert len(cells) == 7  # date, agreement, clause, severity, status, finding, evidence
    assert HOSTILE_CUSTOMER in _text_of(cells[5])
    assert _text_of(cells[6]).startswith(HOSTILE_ID)


# --- HTML --------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Tags, links, ids in order and text of an HTML page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        if tag == "a":
            self.links.append(found.get("href") or "")
        if "src" in found:
            self.sources.append(found["src"] or "")
        if tag == "section" and found.get("id"):
            self.ids.append(found["id"] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _html_section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}">')
    return page[start : page.index("</section>", start)]


def test_html_puts_new_breaches_first(demo_with_history: RunResult) -> None:
    page = render(demo_with_history, "html")
    assert _Page(page).ids == [
        "summary",
        "new-breaches",
        "agreements",
        "deadlines",
        "errors",
        "waived",
        "resolved",
        "stale",
    ]
    new = _html_section(page, "new-breaches")
    shown = set(re.findall(r"fingerprint ([0-9a-f]{20})", new))
    assert shown == _fingerprints(demo_with_history, NEW_BREACHES)
    rest = _html_section(page, "agreements")
    assert not shown & set(re.findall(r"fingerprint ([0-9a-f]{20})", rest))
    assert "3 new breaches since the last run" in page
    # 50 findings reported (30 + 6 + 13 + 1 unknown); new: 3 breaches, 1 trigger (11-01), the 13
    # deadlines. The norms added 3 new (sec-i-9, sec-i-11, 9.2 closing) and 5 open (sec-i-8,
    # fwd-1, 9.1 breach and unknown, 9.2 arisen on 10-31) to the 13 new and 28 open before, and
    # the material breach of hooli 8.1 one more new deadline. The lapsed globex 12.1 window
    # (07-03) is one more open, and the vandelay 9.2 right, dated 10-31 now, is open, not new.
    assert "16 new, 35 still open, 1 resolved, 1 stale" in page


def test_html_summary_counts_and_sections(demo: RunResult) -> None:
    page = render(demo, "html")
    cards = [("breach", 30), ("trigger", 7), ("deadline", 13), ("error", 0), ("unknown", 1)]
    for kind, count in cards:
        assert f'<div class="card {kind}"><span class="n">{count}</span>' in page
    assert '<div class="card waived"><span class="n">2</span>' in page
    # 163 fact lines, + 82 daily uptime readings and 10 security lines.
    assert "255 read, 255 accepted, 0 rejected" in page
    assert "Not tracked: run with --state" in page
    assert "new-breaches" not in _Page(page).ids
    errors = _html_section(page, "errors")
    assert "None: every rule of every agreement was evaluated." in errors
    waived = _html_section(page, "waived")
    assert "Waiver W-2026-01" in waived
    assert "Waiver W-2026-02" in waived
    assert "W-2026-03" in waived  # listed among the expired waivers
    assert errors.count('<article class="finding unknown">') == 1  # hooli 9.1, August
    assert "<h4>hooli-saas-2025 · Clause 9.1 · Service availability</h4>" in errors
    # Every card in the by-agreement section is a breach or a right triggered: 30 + 7.
    agreements = _html_section(page, "agreements")
    assert agreements.count('<article class="finding breach') == 30
    assert agreements.count('<article class="finding trigger') == 7
    assert "finding unknown" not in agreements


def test_html_timeline_groups_deadlines_by_week(demo: RunResult) -> None:
    timeline = _html_section(render(demo, "html"), "deadlines")
    assert re.findall(r"<h3>(.*?)</h3>", timeline) == [
        "Week of Monday 23 November 2026",
        "Week of Monday 30 November 2026",
        "Week of Monday 14 December 2026",
    ]
    # One entry per day (the 5 deadlines of 15 December share one), one card per deadline.
    assert re.findall(r"<strong>(\w{3} \d\d \w{3})</strong>", timeline) == [
        "Mon 23 Nov",
        "Tue 24 Nov",  # globex 10.2
        "Sun 29 Nov",
        "Mon 30 Nov",  # hooli 9.2
        "Tue 01 Dec",
        "Wed 02 Dec",
        "Tue 15 Dec",
        "Fri 18 Dec",
    ]
    assert timeline.count('<article class="finding deadline') == 13
    assert "in 1 day" in timeline
    assert "in 26 days" in timeline


def test_long_horizons_group_the_timeline_by_month() -> None:
    assert period_heading(date(2026, 12, 15), weekly=False) == "December 2026"
    assert period_heading(date(2026, 12, 15), weekly=True) == "Week of Monday 14 December 2026"
    with _empty_result(horizon_days=62) as two_months:
        assert weekly_timeline(two_months)
    with _empty_result(horizon_days=63) as longer:
        assert not weekly_timeline(longer)


def test_html_escapes_fact_values_and_loads_nothing(hostile: RunResult) -> None:
    page = render(hostile, "html")
    parsed = _Page(page)
    assert "script" not in parsed.tags
    assert "b" not in parsed.tags  # the error message's and the rejected line's <b>
    assert parsed.sources == []
    assert all(link.startswith("#") for link in parsed.links)
    assert not re.search(r"url\(|@import|<link|https?://(?!evil\.example)", page)
    assert "Content-Security-Policy" in page
    text = "".join(parsed.text)
    assert HOSTILE_ID in text
    assert HOSTILE_CUSTOMER in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_html_marks_what_could_not_be_checked(hostile: RunResult) -> None:
    page = render(hostile, "html")
    errors = _html_section(page, "errors")
    assert errors.count('<article class="finding error') == 1
    assert "initech-data-2025 · the whole agreement" in errors
    assert '<span class="tag kind-error">could not be checked</span>' in errors
    assert "1 rule could not be checked." in page  # the alert in the summary
    assert "1 fact line could not be read" in page
    stale = _html_section(page, "stale")
    assert html.escape(STALE.message) in stale
    assert html.escape(STALE_REASON) in stale
    assert "green" not in page.lower()  # never styled as good news


# --- iCalendar ---------------------------------------------------------------------------------


def _events(text: str) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def test_ics_has_one_all_day_event_per_deadline(demo: RunResult) -> None:
    text = render(demo, "ics")
    events = _events(text)
    assert [str(e.decoded("dtstart")) for e in events] == DEADLINE_DATES
    for event in events:
        start = event.decoded("dtstart")
        assert type(start) is date  # all day, not a date-time
        assert event.decoded("dtend") == start + timedelta(days=1)
        assert event.decoded("dtstamp") == datetime.fromisoformat("2026-11-22T00:00:00+00:00")
    assert len({str(e["uid"]) for e in events}) == 13
    fee = next(e for e in events if str(e["uid"]) == HOOLI_FEE_UID)
    assert fee.decoded("dtstart") == date(2026, 12, 15)
    assert str(fee["summary"]) == "Deadline: Monthly licence fee (hooli-saas-2025, clause 8.1)"
    assert "payment.received for 2026-11 is due by 2026-12-15" in str(fee["description"])
    assert fee.categories == ["Contract deadline", "hooli-saas-2025", "commercial-legal"]


def test_ics_is_identical_across_identical_runs_and_keeps_uids_later(demo: RunResult) -> None:
    first = render(demo, "ics")
    with demo_run() as again:
        assert render(again, "ics") == first
    with demo_run(as_of="2026-11-23") as next_day:
        later = _events(render(next_day, "ics"))
    fee = next(e for e in later if str(e["uid"]) == HOOLI_FEE_UID)
    assert fee.decoded("dtstart") == date(2026, 12, 15)
    assert fee.decoded("dtstamp") == datetime.fromisoformat("2026-11-23T00:00:00+00:00")
    # The 2026-11-23 deadline (initech 9.3, inc-0104) is still there; nothing new in the window.
    assert {str(e["uid"]) for e in later} == {str(e["uid"]) for e in _events(first)}


def test_ics_lists_only_deadlines_within_the_horizon() -> None:
    with demo_run(horizon_days=8) as result:
        events = _events(render(result, "ics"))
    # The 8 days end with the whole of 2026-11-30: globex 10.2 (due 11-24T12:00Z) and hooli 9.2
    # (open through 11-30) are inside; 12-01 (globex 12.1) is outside.
    dates = ["2026-11-23", "2026-11-24", "2026-11-29", "2026-11-30"]
    assert [str(e.decoded("dtstart")) for e in events] == dates


def test_ics_lines_are_folded_and_escaped(hostile: RunResult) -> None:
    text = render(hostile, "ics")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert "\n" not in "".join(lines)
    # The hostile deal breaches; it is no deadline, so it is not in the calendar at all.
    assert len(_events(text)) == 13


# --- JUnit XML ---------------------------------------------------------------------------------


def _suites(text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(text)
    return {suite.get("name", ""): suite for suite in root.iter("testsuite")}


def _counts(element: ET.Element) -> tuple[int, int, int]:
    return tuple(int(element.get(name, "-1")) for name in ("tests", "failures", "errors"))  # type: ignore[return-value]


def test_junit_counts_one_case_per_clause(demo: RunResult) -> None:
    text = render(demo, "junit")
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    # 23 clauses (18 and the 5 terms) and the fact input. The norms added 4 cases (globex 10.2,
    # hooli 9.1 and 9.2, initech 12.4) and 3 failures (all but 9.2, a right and its deadline).
    assert _counts(root) == (24, 13, 0)
    suites = _suites(text)
    assert {name: _counts(suite) for name, suite in suites.items()} == {
        "globex-reseller-2025": (6, 4, 0),
        "hooli-saas-2025": (6, 4, 0),
        "initech-data-2025": (5, 3, 0),
        "umbrella-codev-2026": (3, 1, 0),
        "vandelay-consulting-2024": (3, 1, 0),
        "fact input": (1, 0, 0),
    }
    failing = {
        (case.get("classname"), case.get("name"))
        for case in root.iter("testcase")
        if case.find("failure") is not None
    }
    assert len(failing) == 13
    assert ("initech-data-2025", "clause 8.2: Data protection and sharing") in failing
    assert (
        "globex-reseller-2025",
        "clause 10.2: Notice of security incidents to Globex",
    ) in failing
    assert ("initech-data-2025", "clause 12.4: No confidential data to competitors") in failing
    initech = {case.get("name"): case for case in suites["initech-data-2025"].iter("testcase")}
    assert set(initech) == {
        "clause 8.2: Data protection and sharing",
        "clause 9.3: Security incident notice",
        "clause 15: Termination and return of data",
        "clause 12.4: No confidential data to competitors",
        "Term and renewal",
    }
    # Hooli 9.1 fails on October and lists its unknown August in system-out: no case is skipped.
    hooli = {case.get("name"): case for case in suites["hooli-saas-2025"].iter("testcase")}
    availability = hooli["clause 9.1: Service availability"]
    assert [child.tag for child in availability] == ["failure", "system-out"]
    october = availability.find("failure")
    assert october is not None
    assert (october.get("message") or "").startswith("1 breach: average of uptime_percent")
    august = availability.findtext("system-out") or ""
    assert august.startswith("unknown (data missing) 2026-08-31: ")
    assert [child.tag for child in hooli["clause 9.2: Service credit"]] == ["system-out"]
    assert {suite.get("skipped") for suite in suites.values()} == {"0"}
    failure = initech["clause 8.2: Data protection and sharing"].find("failure")
    assert failure is not None
    assert (failure.get("message") or "").startswith("5 breaches: ")
    assert failure.text is not None
    assert failure.text.count("breach (") == 5
    passing = initech["clause 15: Termination and return of data"]
    assert passing.find("failure") is None
    assert passing.find("error") is None
    out = passing.find("system-out")
    assert out is not None
    assert out.text is not None
    assert out.text.count("deadline 2026-12-") == 2


def test_junit_clause_with_only_waived_breaches_passes(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - agreement: globex-reseller-2025\n"
        '    clause: "4.1"\n'
        "    reason: Territory dispute settled\n"
        "    approved_by: Legal\n"
        "    expires: 2027-01-31\n",
        encoding="utf-8",
    )
    with demo_run(waivers=[str(waivers)]) as result:
        suites = _suites(render(result, "junit"))
    globex = suites["globex-reseller-2025"]
    assert _counts(globex) == (6, 3, 0)  # 5.1, 7.1 and 10.2 still fail
    case = next(c for c in globex.iter("testcase") if c.get("name", "").startswith("clause 4.1"))
    assert case.find("failure") is None
    out = case.find("system-out")
    assert out is not None
    assert out.text is not None
    assert out.text.count("waived by W1 until 2027-01-31") == 3  # crm-d-1002, -1006, r-2002


def test_junit_errors_and_hostile_values(hostile: RunResult) -> None:
    text = render(hostile, "junit")
    assert "<script>" not in text
    root = ET.fromstring(text)
    assert _counts(root) == (25, 13, 2)  # the whole-agreement case; the fact input
    suites = _suites(text)
    assert _counts(suites["initech-data-2025"]) == (6, 3, 1)  # 8.2, 9.3 and 12.4 still fail
    assert _counts(suites["fact input"]) == (1, 0, 1)
    whole = next(c for c in root.iter("testcase") if c.get("name") == "the whole agreement")
    error = whole.find("error")
    assert error is not None
    assert SCRIPT in (error.get("message") or "")
    globex = next(
        c
        for c in suites["globex-reseller-2025"].iter("testcase")
        if c.get("name", "").startswith("clause 4.1")
    )
    failure = globex.find("failure")
    assert failure is not None
    assert failure.text is not None
    assert HOSTILE_ID in failure.text
    assert HOSTILE_CUSTOMER in failure.text


# --- CSV -----------------------------------------------------------------------------------------

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("crm-d-1002", "crm-d-1002"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(cell: str, safe: str) -> None:
    assert spreadsheet_safe(cell) == safe


def _hostile_finding(start: str) -> Finding:
    return Finding(
        agreement=f"{start}agreement",
        clause=f"{start}1",
        clause_title=f"{start}title",
        kind=FindingKind.BREACH,
        code=f"{start}code",
        severity=Severity.HIGH,
        date=date(2026, 11, 1),
        subject=f"{start}subject",
        message=f"{start}message",
        owner=f"{start}owner",
        calendar=f"{start}calendar",
    )


def test_every_csv_cell_is_spreadsheet_safe() -> None:
    findings = [_hostile_finding(start) for start in DANGEROUS_STARTS]
    waiver = Waiver(
        id="=W1",
        agreement="=agreement",
        clause="=1",
        subject=None,
        code=None,
        reason="+reason",
        approved_by="@approver",
        approved_on=None,
        expires=date(2026, 1, 31),  # expired: the finding is reported with it
    )
    result = _empty_result(findings, AppliedWaivers([waiver], parse_instant("2026-11-22")))
    with result:
        rows = list(csv.reader(io.StringIO(render(result, "csv"))))
    assert len(rows) == 1 + len(DANGEROUS_STARTS)
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(DANGEROUS_STARTS)]
    covered = next(row for row in rows[1:] if row[0] == "'=agreement")
    assert covered[1:3] == ["'=1", "'=title"]
    assert "'=W1" in covered
    assert "'+reason" in covered
    assert "'@approver" in covered
    carriage_return = next(row for row in rows[1:] if row[0] == "'\ragreement")
    assert carriage_return[8] == "'\rmessage"  # quoted by the writer: the row is not split


def test_csv_shows_control_characters_as_replacement_characters() -> None:
    # A fact value with an ESC sequence recoloured the terminal that printed the CSV.
    finding = _hostile_finding("\x1b[31m")
    result = _empty_result([finding], AppliedWaivers([], parse_instant("2026-11-22")))
    with result:
        text = render(result, "csv")
    assert "\x1b" not in text
    assert "\ufffd[31magreement" in text


def test_csv_of_the_hostile_run_quotes_the_formula(hostile: RunResult) -> None:
    rows = list(csv.DictReader(io.StringIO(render(hostile, "csv"))))
    deal = next(row for row in rows if HOSTILE_ID in row["subject"])
    assert deal["subject"] == "'" + HOSTILE_ID
    assert deal["evidence"].startswith("'" + FORMULA)


# --- Unknown findings ----------------------------------------------------------------------------
# `unknown_run` (tests/report_runs.py), by hand: agreement acme-resale, clauses 4.1 and 8.1 and
# its term; 1 breach (4.1, d1, high, 2026-11-10), 2 unknown findings (8.1, 2026-10, high,
# 2026-11-15; 4.1, 2026-11-20, medium, 2026-11-20), 1 deadline (8.1, 2026-11, medium,
# 2026-12-15); no trigger, no error, nothing waived. Unknown findings are listed with what could
# not be checked, never as compliant, never as breaches, and never in the calendar.

FEE_UNKNOWN = (
    "cannot tell whether payment.received for 2026-10 was done by 2026-11-15: the billing feed "
    "runs only to 2026-10-31"
)
DEALS_UNKNOWN = "cannot tell about deals after 2026-11-19: the crm feed runs only to 2026-11-19"
UNKNOWN_WARNING = (
    "The data that would decide these is not there (a feed that has not arrived, or that runs "
    "only to an earlier date). They are not compliant and not breaches: they are unknown until "
    "the data arrives."
)


@pytest.fixture
def unknowns() -> Iterator[RunResult]:
    with unknown_run() as result:
        yield result


@pytest.fixture
def known() -> Iterator[RunResult]:
    """`unknown_run` without its two unknown findings: 1 breach (4.1) and 1 deadline (8.1). The
    demo has an unknown finding since the norms (hooli 9.1, August), so it cannot serve here."""
    with known_run() as result:
        yield result


def test_json_and_jsonl_report_unknown_as_its_own_kind(unknowns: RunResult) -> None:
    document = json.loads(render(unknowns, "json"))
    assert document["summary"]["findings"] == {
        "breach": 1,
        "trigger": 0,
        "deadline": 1,
        "error": 0,
        "unknown": 2,
    }
    assert [(f["kind"], f["clause"], f["subject"]) for f in document["findings"]] == [
        ("breach", "4.1", "d1"),
        ("unknown", "8.1", "2026-10"),
        ("unknown", "4.1", "2026-11-20"),
        ("deadline", "8.1", "2026-11"),
    ]
    fee = document["findings"][1]
    assert (fee["code"], fee["severity"], fee["date"], fee["message"]) == (
        "recurring.unknown",
        "high",
        "2026-11-15",
        FEE_UNKNOWN,
    )
    assert (fee["evidence"], fee["waiver"]) == ([], None)
    lines = [json.loads(line) for line in render(unknowns, "jsonl").splitlines()]
    assert [line["kind"] for line in lines] == ["breach", "unknown", "unknown", "deadline"]
    assert lines[2]["message"] == DEALS_UNKNOWN


def test_csv_rows_say_unknown(unknowns: RunResult) -> None:
    rows = list(csv.DictReader(io.StringIO(render(unknowns, "csv"))))
    assert [(row["kind"], row["clause"], row["date"], row["severity"]) for row in rows] == [
        ("breach", "4.1", "2026-11-10", "high"),
        ("unknown", "8.1", "2026-11-15", "high"),
        ("unknown", "4.1", "2026-11-20", "medium"),
        ("deadline", "8.1", "2026-12-15", "medium"),
    ]
    assert (rows[1]["message"], rows[1]["evidence"], rows[1]["waiver_status"]) == (
        FEE_UNKNOWN,
        "",
        "",
    )


def test_table_rows_and_summary_count_unknown_apart(unknowns: RunResult) -> None:
    lines = render(unknowns, "table").splitlines()
    # The findings' first lines (long messages wrap onto a second line): kind and severity.
    rows = [line.split()[:5] for line in lines if line.startswith("acme-resale")]
    assert rows == [
        ["acme-resale", "2026-11-10", "4.1", "breach", "high"],
        ["acme-resale", "2026-11-15", "8.1", "unknown", "high"],
        ["acme-resale", "2026-11-20", "4.1", "unknown", "medium"],
        ["acme-resale", "2026-12-15", "8.1", "deadline", "medium"],
    ]
    assert lines[-1] == "Findings: 1 breach, 0 trigger, 1 deadline, 0 error, 2 unknown."


def test_table_summary_counts_the_demo_findings(demo: RunResult) -> None:
    lines = render(demo, "table").splitlines()
    # 26, 5, 10 and 0 before the norms: + 4 breaches, 1 trigger, 2 deadlines and 1 unknown.
    # And 1 deadline more since the material breach of hooli 8.1 is a norm.
    assert "Findings: 30 breach, 7 trigger, 13 deadline, 0 error, 1 unknown." in lines
    # Then the facts each of the 18 clauses read (hand-counted from fixtures/demo/: 9.1 reads
    # the 82 daily readings, 10.2 the 4 incidents affecting Globex and our 2 notices, 12.4 the
    # 3 forwarded-data lines) and the waivers line last.
    reads = {line.split(":")[0].strip(): line for line in lines if line.startswith("  ")}
    assert reads["hooli-saas-2025"].endswith(", 9.1: 82, 9.2: 0")
    assert reads["globex-reseller-2025"].endswith(", 12.1: 0, 10.2: 6")  # 12.1: windows only
    assert reads["initech-data-2025"].endswith(", 12.4: 3")
    assert lines[-1].startswith("Waivers: ")


def test_table_summary_counts_zero_unknown_when_there_is_none(known: RunResult) -> None:
    last = render(known, "table").splitlines()[-1]
    assert last == "Findings: 1 breach, 0 trigger, 1 deadline, 0 error, 0 unknown."


def test_markdown_lists_unknown_under_could_not_be_checked(unknowns: RunResult) -> None:
    text = render(unknowns, "markdown")
    assert (
        "**1 breach, 0 rights triggered, 1 deadline coming up, 0 rules that could not be checked, "
        "2 findings unknown (data missing)**; 0 findings waived.\n\n"
        f"> **Warning:** {UNKNOWN_WARNING}\n\n"
    ) in text
    assert "| Unknown: data missing | 0 | 1 | 1 | 0 | 0 | 2 |\n" in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Contract check as of 2026-11-22",
        "## Breaches",
        "## Rights triggered",
        "## Deadlines coming up",
        "## Could not be checked",
        "### Unknown: data missing",
    ]
    breaches = _table_rows(_section(text, "Breaches"))
    assert len(breaches) == 1
    assert "unknown" not in _section(text, "Breaches")
    assert _section(text, "Could not be checked") == (
        "## Could not be checked\n\n"
        "These rules could not be evaluated. Nothing is known about them: they are not compliant, "
        "they are unchecked.\n\n"
        "None: every rule of every agreement was evaluated.\n\n"
        "### Unknown: data missing\n\n"
        f"{UNKNOWN_WARNING}\n\n"
        "| Date | Agreement | Clause | Severity | Finding | Evidence |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| 2026-11-15 | acme-resale | clause 8.1 (Monthly licence fee) | high | "
        f"{FEE_UNKNOWN} |  |\n"
        "| 2026-11-20 | acme-resale | clause 4.1 (Exclusive territory) | medium | "
        f"{DEALS_UNKNOWN} |  |\n"
        "\n"
    )


def test_markdown_without_unknown_has_no_unknown_section_but_counts_zero(known: RunResult) -> None:
    text = render(known, "markdown")
    assert "### Unknown" not in text
    assert "| Unknown: data missing | 0 | 0 | 0 | 0 | 0 | 0 |\n" in text
    assert "unknown (data missing)**" not in text  # the summary line names only what there is


def test_html_lists_unknown_under_could_not_be_checked(unknowns: RunResult) -> None:
    page = render(unknowns, "html")
    assert '<div class="card unknown"><span class="n">2</span>Unknown: data missing</div>' in page
    assert '<div class="card breach"><span class="n">1</span>Breaches</div>' in page
    assert (
        f'<p class="alert">2 findings unknown (data missing). {html.escape(UNKNOWN_WARNING)} '
        '<a href="#unknown">See below.</a></p>'
    ) in page
    assert (
        '<tr><td>Unknown: data missing</td><td class="n">0</td><td class="n">1</td>'
        '<td class="n">1</td><td class="n">0</td><td class="n">0</td>'
        '<td class="n"><strong>2</strong></td></tr>'
    ) in page
    agreements = _html_section(page, "agreements")
    assert agreements.count("<article ") == 1
    assert '<article class="finding breach">' in agreements
    assert "unknown" not in agreements
    errors = _html_section(page, "errors")
    assert errors.startswith(
        '<section id="errors">\n<h2>Could not be checked</h2>\n'
        '<p class="empty">None: every rule of every agreement was evaluated.</p>\n'
        '<h3 id="unknown">Unknown: data missing</h3>\n'
        f'<p class="alert">{html.escape(UNKNOWN_WARNING)}</p>\n'
    )
    assert errors.count('<article class="finding unknown">') == 2
    assert errors.count('<span class="tag kind-unknown">unknown (data missing)</span>') == 2
    assert "<h4>acme-resale · Clause 8.1 · Monthly licence fee</h4>" in errors
    assert f'<p class="message">{html.escape(DEALS_UNKNOWN)}</p>' in errors
    assert "No fact is cited: the data that would decide this is not there." in errors
    assert "green" not in page.lower()  # never styled as good news


def test_html_without_unknown_counts_zero_and_has_no_unknown_part(known: RunResult) -> None:
    page = render(known, "html")
    assert '<div class="card unknown"><span class="n">0</span>Unknown: data missing</div>' in page
    assert 'id="unknown"' not in page
    assert "finding unknown" not in page


def test_ics_leaves_unknown_findings_out(unknowns: RunResult) -> None:
    [event] = _events(render(unknowns, "ics"))
    assert event.decoded("dtstart") == date(2026, 12, 15)
    assert str(event["summary"]) == "Deadline: Monthly licence fee (acme-resale, clause 8.1)"


def test_junit_reports_unknown_as_skipped(unknowns: RunResult) -> None:
    text = render(unknowns, "junit")
    root = ET.fromstring(text)
    assert _counts(root) == (4, 1, 0)  # 3 cases of acme-resale and the fact input; no new failure
    suite = _suites(text)["acme-resale"]
    assert (*_counts(suite), suite.get("skipped")) == (3, 1, 0, "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    # 8.1 has only an unknown finding (and a deadline): skipped, neither passed nor failed.
    fee = cases["clause 8.1: Monthly licence fee"]
    assert [child.tag for child in fee] == ["skipped", "system-out"]
    skipped = fee.find("skipped")
    assert skipped is not None
    assert skipped.get("message") == f"1 finding unknown (data missing), not checked: {FEE_UNKNOWN}"
    assert skipped.text == f"2026-11-15 unknown (data missing) (high): {FEE_UNKNOWN}"
    out = fee.find("system-out")
    assert out is not None
    assert out.text == "deadline 2026-12-15: payment.received for 2026-11 is due by 2026-12-15"
    # 4.1 fails on its breach; its unknown finding is listed in system-out, not as a breach.
    deals = cases["clause 4.1: Exclusive territory"]
    assert [child.tag for child in deals] == ["failure", "system-out"]
    failure = deals.find("failure")
    assert failure is not None
    assert (failure.get("message") or "").startswith("1 breach: ")
    assert failure.text is not None
    assert "unknown" not in failure.text
    out = deals.find("system-out")
    assert out is not None
    assert out.text == f"unknown (data missing) 2026-11-20: {DEALS_UNKNOWN}"
    assert list(cases["Term and renewal"]) == []  # passed


def test_junit_never_passes_a_clause_whose_feed_had_no_facts(tmp_path: Path) -> None:
    # Hooli's seat cap (5.2) reads usage reports, which come from the billing export: without
    # billing.csv it finds nothing, which is not "compliant" (with it, it is a plain case).
    facts = tmp_path / "facts"
    shutil.copytree(DEMO_FACTS, facts)
    (facts / "billing.csv").unlink()
    with demo_run(facts) as result:
        suite = _suites(render(result, "junit"))["hooli-saas-2025"]
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    seats = cases["clause 5.2: Licensed seats"]
    assert [(child.tag, child.get("message")) for child in seats] == [
        (
            "skipped",
            "not checked: no facts tonight from the billing feed it reads (export missing or"
            " empty?)",
        )
    ]
    with demo_run() as result:
        suite = _suites(render(result, "junit"))["hooli-saas-2025"]
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    # With it, the seat cap fails on its 3 breaches (the waiver for them expired).
    assert [child.tag for child in cases["clause 5.2: Licensed seats"]] == ["failure"]


def test_junit_skipped_counts_are_zero_without_unknown(known: RunResult) -> None:
    suites = _suites(render(known, "junit"))
    assert {suite.get("skipped") for suite in suites.values()} == {"0"}


# --- Writing -------------------------------------------------------------------------------------


def test_streamed_formats_are_not_built_in_memory(demo: RunResult) -> None:
    for name in ("markdown", "html", "ics", "junit", "csv", "jsonl"):
        report = FORMATTERS[name](demo)
        assert not isinstance(report, str), name
        assert isinstance(next(iter(report)), str)


def test_atomic_write_leaves_the_old_file_when_the_report_fails(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("yesterday's report\n", encoding="utf-8")

    def failing() -> Iterator[str]:
        yield "<html>half of tonight's"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomically(str(target), failing())
    assert target.read_text(encoding="utf-8") == "yesterday's report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_atomic_write_keeps_permissions_and_bytes(tmp_path: Path) -> None:
    target = tmp_path / "deadlines.ics"
    write_atomically(str(target), ["BEGIN:VCALENDAR\r\n", "END:VCALENDAR\r\n"])
    assert target.read_bytes() == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()
    target.chmod(0o640)
    write_atomically(str(target), "again\n")
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.read_text(encoding="utf-8") == "again\n"


def test_atomic_write_to_a_missing_directory_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomically(str(tmp_path / "missing" / "report.md"), "text")
    assert list(tmp_path.iterdir()) == []


def _umask() -> int:
    import os

    current = os.umask(0o022)
    os.umask(current)
    return current


def _empty_result(
    findings: list[Finding] | None = None,
    waivers: AppliedWaivers | None = None,
    horizon_days: int = 30,
) -> RunResult:
    spool = FindingSpool()
    spool.add(findings or [])
    summary = RunSummary(parse_instant("2026-11-22"), horizon_days)
    result = RunResult(spool, [], summary, waivers or AppliedWaivers())
    if waivers is not None:
        summary.findings_by_kind = waivers.tally(spool)
    return result
