"""`run --report FORMAT:PATH`: several reports from one run, each written atomically, checked
before the run starts, and a file that cannot be written reported without losing the others."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import icalendar
import pytest

import checker.report.targets
from checker.cli import main
from checker.findings.exit_codes import ExitCode
from tests.report_runs import DEMO_FACTS, RULES


def _run(*extra: str) -> int:
    return main(
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
            *extra,
        ]
    )


def test_one_run_writes_every_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code = _run(
        "--format",
        "markdown",
        "--report",
        f"html:{out / 'report.html'}",
        "--report",
        f"ics:{out / 'deadlines.ics'}",
        "--report",
        f"junit:{out / 'junit.xml'}",
        "--report",
        f"csv:{out / 'findings.csv'}",
    )
    assert code == ExitCode.FINDINGS  # the demo has breaches
    assert capsys.readouterr().out.startswith("# Contract check as of 2026-11-22\n")
    assert sorted(p.name for p in out.iterdir()) == [
        "deadlines.ics",
        "findings.csv",
        "junit.xml",
        "report.html",
    ]
    calendar = icalendar.Calendar.from_ical((out / "deadlines.ics").read_bytes())
    # 13 deadlines: 10, + globex 10.2 (sec-i-11, 11-24), hooli 9.2 (closes 11-30) and hooli 8.1
    # (October's fee a material breach after 12-15).
    assert len(list(calendar.walk("VEVENT"))) == 13
    # 13 failing clauses: 10, + globex 10.2, hooli 9.1 and initech 12.4 (9.2 has no breach).
    assert ET.parse(out / "junit.xml").getroot().get("failures") == "13"
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # A header row, then 30 breaches, 7 rights triggered, 12 deadlines, 1 unknown (hooli 9.1,
    # 2026-08) and the 2 waived findings: 43 rows, + 4 breaches, 1 trigger, 2 deadlines, 1 unknown,
    # + the lapsed globex 12.1 window (still reported since anniversary windows became norms).
    assert (out / "findings.csv").read_bytes().count(b"\r\n") == 1 + 53


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("pdf:out.pdf", "unknown format 'pdf'; the formats are csv, html, ics, json, jsonl,"),
        ("report.html", "--report takes FORMAT:PATH, got 'report.html'"),
        ("html:", "--report takes FORMAT:PATH, got 'html:'"),
    ],
)
def test_a_bad_report_option_is_a_usage_error(
    option: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        _run("--report", option)
    assert raised.value.code == ExitCode.USAGE
    assert message in capsys.readouterr().err


def test_unwritable_targets_stop_the_run_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing"
    same = tmp_path / "report.txt"
    code = _run(
        "--output",
        str(same),
        "--report",
        f"html:{missing / 'report.html'}",
        "--report",
        f"markdown:{same}",
        "--report",
        f"ics:{tmp_path}",
    )
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert f"the directory {missing} does not exist" in err
    assert f"help: create it first (mkdir -p {missing})" in err
    assert f"{same} is named for two reports (table and markdown)" in err
    assert f"cannot write the ics report to {tmp_path}: it is a directory" in err
    assert list(tmp_path.iterdir()) == []  # nothing was run, nothing written


def test_a_report_that_fails_to_write_keeps_its_old_file_and_the_others_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    html_path = tmp_path / "report.html"
    html_path.write_text("last night's report\n", encoding="utf-8")
    real_write = checker.report.targets.write_atomically

    def disk_full_for_html(path: str, report: object) -> None:
        if path.endswith(".html"):
            raise OSError(28, "No space left on device")
        real_write(path, report)  # type: ignore[arg-type]

    monkeypatch.setattr(checker.report.targets, "write_atomically", disk_full_for_html)
    code = _run("--report", f"html:{html_path}", "--report", f"junit:{tmp_path / 'junit.xml'}")
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert f"the html report was not written to {html_path}: No space left on device" in err
    assert html_path.read_text(encoding="utf-8") == "last night's report\n"
    # 14 clauses, 5 terms and the fact input made 20 cases; + globex 10.2, hooli 9.1 and 9.2,
    # initech 12.4 (the norms) = 24.
    assert ET.parse(tmp_path / "junit.xml").getroot().get("tests") == "24"
