"""Snoozed findings stay in every report, marked: csv and jsonl (columns, a field), markdown,
html (a visible note on the finding), ics (the event's description) and junit (the test case's
system-out). A snooze only keeps a finding out of chat: it is still listed and still counted.

The snoozes are made by hand and put on the demo run (rules/ + fixtures/demo/ as of 2026-11-22),
as `run --notify` does. Worked out by hand from the fixtures (see tests/test_reports.py):
* globex-reseller-2025 clause 4.1 has three breaches: crm-d-1002 (2026-03-09, waived by
  W-2026-01), crm-d-1006 (2026-07-01) and crm-r-2002 (2026-09-15). The clause snooze below covers
  all three.
* The Hooli licence fee for 2026-11 falls due on 2026-12-15 (a deadline, fingerprint
  f9cca3b33e73598d2745): the fingerprint snooze below covers it alone.
* An expired snooze of globex clause 5.1 (until 2026-11-21) covers nothing tonight.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import cmarkgfm
import icalendar
import pytest
from cmarkgfm.cmark import Options
from pytest_httpserver import HTTPServer

from checker.alerts.snoozes import SnoozeRecord, Snoozes
from checker.cli import main
from checker.evaluation.run import RunResult
from checker.report.formatters import FORMATTERS
from tests.report_runs import DEMO_FACTS, RULES, demo_run

HOOLI_FEE = "f9cca3b33e73598d2745"
GLOBEX_EXCLUSIVITY = {"crm-d-1002", "crm-d-1006", "crm-r-2002"}
CLAUSE_NOTE = (
    "snoozed in chat until 2026-12-31 by Maria Weber, EMEA Legal: "
    "Exclusivity dispute settled in the Q4 review"
)
# The comment holds markup: every report shows it as written.
FEE_COMMENT = "Paid by wire <b>today</b> & confirmed"
FEE_NOTE = f"snoozed in chat until 2026-12-01 by Ana Ruiz: {FEE_COMMENT}"

CLAUSE_SNOOZE = SnoozeRecord(
    number=1,
    scope="globex-reseller-2025 clause 4.1",
    author="Maria Weber, EMEA Legal",
    comment="Exclusivity dispute settled in the Q4 review",
    expires=date(2026, 12, 31),
    path="notifications.yaml",
    line=30,
    fingerprint=None,
    agreement="globex-reseller-2025",
    clause="4.1",
)
FEE_SNOOZE = SnoozeRecord(
    number=2,
    scope=f"finding {HOOLI_FEE}",
    author="Ana Ruiz",
    comment=FEE_COMMENT,
    expires=date(2026, 12, 1),
    path="notifications.yaml",
    line=35,
    fingerprint=HOOLI_FEE,
    agreement=None,
    clause=None,
)
EXPIRED_SNOOZE = SnoozeRecord(
    number=3,
    scope="globex-reseller-2025 clause 5.1",
    author="Ana Ruiz",
    comment="old",
    expires=date(2026, 11, 21),
    path="notifications.yaml",
    line=39,
    fingerprint=None,
    agreement="globex-reseller-2025",
    clause="5.1",
)


def render(result: RunResult, report_format: str) -> str:
    return "".join(FORMATTERS[report_format](result))


@pytest.fixture(scope="module")
def snoozed() -> Iterator[RunResult]:
    with demo_run() as result:
        result.snoozes = Snoozes(
            [CLAUSE_SNOOZE, FEE_SNOOZE, EXPIRED_SNOOZE], as_of=date(2026, 11, 22)
        )
        yield result


@pytest.fixture(scope="module")
def plain() -> Iterator[RunResult]:
    with demo_run() as result:
        yield result


def _capitalised(note: str) -> str:
    return note[0].upper() + note[1:]


# --- csv and jsonl -------------------------------------------------------------------------------


def test_csv_has_snooze_columns_filled_for_snoozed_findings(snoozed: RunResult) -> None:
    rows = list(csv.DictReader(io.StringIO(render(snoozed, "csv"))))
    # 30 + 6 + 13 + 1 unknown reported, 2 waived: snoozed ones are still rows. (43 before the
    # norms: + 4 breaches, 1 right, 3 deadlines and the unknown August of hooli 9.1.)
    assert len(rows) == 53  # with the lapsed globex 12.1 window
    marked = {row["subject"]: row for row in rows if row["snooze"]}
    assert set(marked) == GLOBEX_EXCLUSIVITY | {"2026-11"}
    assert [marked["crm-d-1006"][column] for column in _SNOOZE_COLUMNS] == [
        "globex-reseller-2025 clause 4.1",
        "Maria Weber, EMEA Legal",
        "Exclusivity dispute settled in the Q4 review",
        "2026-12-31",
        "notifications.yaml:30",
    ]
    fee = marked["2026-11"]
    assert (fee["fingerprint"], fee["snooze"], fee["snooze_expires"]) == (
        HOOLI_FEE,
        f"finding {HOOLI_FEE}",
        "2026-12-01",
    )
    # The waived one keeps its waiver columns too.
    assert marked["crm-d-1002"]["waiver"] == "W-2026-01"


_SNOOZE_COLUMNS = ["snooze", "snooze_author", "snooze_comment", "snooze_expires", "snooze_source"]


def test_csv_without_notify_has_no_snooze_columns(plain: RunResult) -> None:
    header = next(csv.reader(io.StringIO(render(plain, "csv"))))
    assert header[-1] == "waiver_expires"
    assert not [column for column in header if column.startswith("snooze")]


def test_jsonl_has_a_snooze_field(snoozed: RunResult, plain: RunResult) -> None:
    records = [json.loads(line) for line in render(snoozed, "jsonl").splitlines()]
    assert len(records) == 53  # as the csv rows
    marked = {record["subject"]: record["snooze"] for record in records if record["snooze"]}
    assert set(marked) == GLOBEX_EXCLUSIVITY | {"2026-11"}
    assert marked["2026-11"] == {
        "scope": f"finding {HOOLI_FEE}",
        "author": "Ana Ruiz",
        "comment": FEE_COMMENT,
        "expires": "2026-12-01",
        "source": "notifications.yaml:35",
    }
    assert sum(record["snooze"] is None for record in records) == 49  # 53 - 4 snoozed
    first = json.loads(render(plain, "jsonl").splitlines()[0])
    assert "snooze" not in first  # without --notify there are no snoozes to tell


# --- markdown ----------------------------------------------------------------------------------


def _section(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _rendered_rows(section: str) -> list[str]:
    page = cmarkgfm.github_flavored_markdown_to_html(section, options=Options.CMARK_OPT_UNSAFE)
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", row)) for row in rows[1:]]


def test_markdown_marks_snoozed_findings_after_their_message(snoozed: RunResult) -> None:
    text = render(snoozed, "markdown")
    breaches = [row for row in _rendered_rows(_section(text, "Breaches")) if "Snoozed" in row]
    assert len(breaches) == 2
    assert all(f"({_capitalised(CLAUSE_NOTE)})" in row for row in breaches)
    assert {"crm-d-1006", "crm-r-2002"} == {
        subject for subject in GLOBEX_EXCLUSIVITY for row in breaches if subject in row
    }
    deadlines = _rendered_rows(_section(text, "Deadlines coming up"))
    # The snoozed deadline is still listed: 13 (10, + globex 10.2 sec-i-11, hooli 9.2 and the
    # material breach of hooli 8.1 for October).
    assert len(deadlines) == 13
    [fee] = [row for row in deadlines if "Snoozed" in row]
    assert f"({_capitalised(FEE_NOTE)})" in fee  # markup shown as written
    assert "payment.received for 2026-11 is due by 2026-12-15" in fee
    [waived] = [
        row for row in _rendered_rows(_section(text, "Waived findings")) if "Snoozed" in row
    ]
    assert "crm-d-1002" in waived
    page = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    assert "<b>" not in page
    # Still counted: the summary is the same as without snoozes.
    assert "**30 breaches, 7 rights triggered, 13 deadlines coming up" in text


# --- html --------------------------------------------------------------------------------------


def _html_section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}">')
    return page[start : page.index("</section>", start)]


def _snooze_notes(section: str) -> list[str]:
    found = re.findall(r'<p class="snooze">(.*?)</p>', section, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", note)) for note in found]


def test_html_shows_a_visible_note_on_each_snoozed_finding(snoozed: RunResult) -> None:
    page = render(snoozed, "html")
    assert (
        _snooze_notes(_html_section(page, "agreements"))
        == [f"{_capitalised(CLAUSE_NOTE)} (notifications.yaml:30)"] * 2
    )
    assert _snooze_notes(_html_section(page, "deadlines")) == [
        f"{_capitalised(FEE_NOTE)} (notifications.yaml:35)"
    ]
    assert _snooze_notes(_html_section(page, "waived")) == [
        f"{_capitalised(CLAUSE_NOTE)} (notifications.yaml:30)"
    ]
    assert page.count('<span class="tag snoozed">snoozed in chat</span>') == 4
    assert "&lt;b&gt;today&lt;/b&gt; &amp; confirmed" in page
    assert "<b>today" not in page
    # Each note sits on its own finding's card: the card of crm-r-2002 carries one.
    card = re.search(
        r'<article class="finding breach">((?:(?!</article>).)*crm-r-2002.*?)</article>', page, re.S
    )
    assert card is not None
    assert 'class="snooze"' in card.group(1)
    # Still counted.
    assert '<div class="card breach"><span class="n">30</span>' in page  # 26 + 4 of the norms


def test_html_without_notify_marks_nothing(plain: RunResult) -> None:
    page = render(plain, "html")
    assert 'class="snooze"' not in page
    assert "snoozed in chat</span>" not in page


# --- ics ---------------------------------------------------------------------------------------


def test_ics_description_of_a_snoozed_deadline_says_so(snoozed: RunResult) -> None:
    events = list(icalendar.Calendar.from_ical(render(snoozed, "ics")).walk("VEVENT"))
    # The snoozed deadline is still in the calendar: 13 (10, + globex 10.2, hooli 9.2 and 8.1's
    # material breach for October).
    assert len(events) == 13
    descriptions = {str(e["uid"]).split("@")[0]: str(e["description"]) for e in events}
    assert _capitalised(FEE_NOTE) in descriptions[HOOLI_FEE].splitlines()
    others = [text for uid, text in descriptions.items() if uid != HOOLI_FEE]
    assert not [text for text in others if "Snoozed" in text]


# --- junit -------------------------------------------------------------------------------------


def _case(root: ET.Element, agreement: str, clause: str) -> ET.Element:
    return next(
        case
        for case in root.iter("testcase")
        if case.get("classname") == agreement and case.get("name", "").startswith(clause)
    )


def test_junit_lists_snoozed_findings_in_system_out(snoozed: RunResult) -> None:
    root = ET.fromstring(render(snoozed, "junit"))
    # 20 cases and 10 failures, + 4 cases (globex 10.2, hooli 9.1, 9.2, initech 12.4) and 3
    # failures (all but 9.2): see tests/test_reports.py.
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("24", "13", "0")
    exclusivity = _case(root, "globex-reseller-2025", "clause 4.1")
    failure = exclusivity.find("failure")
    assert failure is not None  # snoozed breaches still fail
    assert (failure.get("message") or "").startswith("2 breaches: ")
    out = exclusivity.find("system-out")
    assert out is not None
    assert out.text is not None
    lines = out.text.splitlines()
    assert lines[0].startswith("waived by W-2026-01 until 2027-03-31: 2026-03-09 ")
    assert lines[1:] == [
        f"breach 2026-03-09 (crm-d-1002): {CLAUSE_NOTE}",
        f"breach 2026-07-01 (crm-d-1006): {CLAUSE_NOTE}",
        f"breach 2026-09-15 (crm-r-2002): {CLAUSE_NOTE}",
    ]
    fee = _case(root, "hooli-saas-2025", "clause 8.1")
    fee_out = fee.find("system-out")
    assert fee_out is not None
    assert fee_out.text is not None
    assert fee_out.text.splitlines()[-1] == f"deadline 2026-12-15 (2026-11): {FEE_NOTE}"
    # The expired snooze of clause 5.1 marks nothing.
    renewal = _case(root, "globex-reseller-2025", "clause 5.1")
    renewal_out = renewal.find("system-out")
    assert renewal_out is None or "snoozed" not in (renewal_out.text or "")


# --- end to end --------------------------------------------------------------------------------

NOTIFICATIONS = """\
receivers:
  legal:
    type: slack
    url_env: SLACK_LEGAL_WEBHOOK
fallback: legal
snoozes:
  - agreement: globex-reseller-2025
    clause: "4.1"
    author: Maria Weber
    comment: Exclusivity dispute settled
    expires: 2026-12-31
"""


def test_run_with_notify_marks_every_report_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    monkeypatch.setenv("SLACK_LEGAL_WEBHOOK", httpserver.url_for("/hook"))
    (tmp_path / "notifications.yaml").write_text(NOTIFICATIONS, encoding="utf-8")
    reports = {name: tmp_path / f"report.{name}" for name in FORMATTERS}
    code = main(
        [
            "run",
            "--rules",
            str(RULES),
            "--facts",
            str(DEMO_FACTS),
            "--as-of",
            "2026-11-22",
            "--workers",
            "1",
            "--state",
            str(tmp_path / "state.sqlite"),
            "--notify",
            str(tmp_path / "notifications.yaml"),
            "--dry-run",
            "--output",
            str(tmp_path / "stdout.txt"),
            *(f"--report={name}:{path}" for name, path in reports.items() if name != "table"),
        ]
    )
    assert code == 1  # breaches: the snooze changes nothing in the exit code
    assert len(httpserver.log) == 0
    note = "snoozed in chat until 2026-12-31 by Maria Weber"  # the table wraps the rest
    # The clause's two reported breaches and its waived one; ics lists deadlines only.
    expected = {"table": 2, "json": 3, "jsonl": 3, "csv": 3, "markdown": 3, "html": 3}
    expected |= {"junit": 3, "ics": 0}
    found = {}
    for name, path in reports.items():
        target = tmp_path / "stdout.txt" if name == "table" else path
        text = target.read_text(encoding="utf-8")
        if name in ("json", "jsonl", "csv"):
            found[name] = text.count("Exclusivity dispute settled")
        else:
            found[name] = text.lower().count(note.lower())
    assert found == expected
