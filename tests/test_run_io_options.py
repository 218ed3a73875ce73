"""`run` options for where it is run from: CSV on standard input (`--facts - --facts-format
csv`), a byte-order mark for Excel (`--csv-bom`) and `--quiet` (only errors on stderr); and
`validate --quiet`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
BILLING = ROOT / "fixtures" / "demo" / "billing.csv"
DEMO = ["--rules", str(ROOT / "rules"), "--as-of", "2026-11-22", "--workers", "1"]
BOM = "\ufeff"
# The demo's own warning on stderr: waiver W-2026-03 expired before the as-of date.
EXPIRED_WAIVER = "warning: waiver W-2026-03"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _facts_summary(out: str) -> dict[str, int]:
    facts: dict[str, int] = json.loads(out)["summary"]["facts"]
    return facts


# CSV on standard input -------------------------------------------------------------------------


def test_csv_on_stdin_reads_as_the_csv_file_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A copy without the demo's feeds.yaml beside it: standard input has no manifest either.
    copy = tmp_path / "billing.csv"
    copy.write_bytes(BILLING.read_bytes())
    assert main(["run", *DEMO, "--facts", str(copy), "--format", "json"]) == 1
    from_file = json.loads(capsys.readouterr().out)
    _stdin(monkeypatch, BILLING.read_bytes())
    code = main(["run", *DEMO, "--facts", "-", "--facts-format", "csv", "--format", "json"])
    assert code == 1
    from_stdin = json.loads(capsys.readouterr().out)
    assert from_stdin["summary"]["facts"] == from_file["summary"]["facts"]
    assert from_stdin["summary"]["facts"]["accepted"] == 38
    assert from_stdin["fact_errors"] == []
    assert [f["fingerprint"] for f in from_stdin["findings"]] == [
        f["fingerprint"] for f in from_file["findings"]
    ]
    sources = {e["source"].split(":")[0] for f in from_stdin["findings"] for e in f["evidence"]}
    assert sources == {"<stdin>"}


def test_csv_on_stdin_with_a_bom_and_a_bad_row(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = BILLING.read_text(encoding="utf-8").splitlines()
    data = (BOM + "\r\n".join([*lines[:3], "bad-row,usage.reported", *lines[3:]]) + "\r\n").encode()
    _stdin(monkeypatch, data)
    code = main(["run", *DEMO, "--facts", "-", "--facts-format", "csv", "--format", "json"])
    assert code == 4  # a rejected line
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["summary"]["facts"]["accepted"] == 38
    assert document["fact_errors"] == [
        {"source": "<stdin>:4", "reason": "row has 2 cells but the header has 9 columns"}
    ]
    assert "<stdin>:4: rejected: row has 2 cells" in captured.err


def test_stdin_is_json_lines_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, BILLING.read_bytes())
    assert main(["run", *DEMO, "--facts", "-", "--format", "json"]) == 4
    captured = capsys.readouterr()
    assert _facts_summary(captured.out)["rejected"] == 39  # every line: not JSON
    assert "help: standard input is read as JSON lines; if it is CSV, add --facts-format csv\n" in (
        captured.err
    )
    _stdin(monkeypatch, b'{"id": "x1", "type": "usage.reported", "at": "2026-01-01"}\n')
    assert main(["run", *DEMO, "--facts", "-", "--facts-format", "jsonl", "--format", "json"]) == 1
    assert _facts_summary(capsys.readouterr().out)["accepted"] == 1


def test_the_command_line_names_stdin_as_the_reader_does() -> None:
    from checker.commands import run
    from checker.facts import inputs

    assert (run.STDIN, run.STDIN_FORMATS) == (inputs.STDIN, inputs.STDIN_FORMATS)


def test_facts_format_needs_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", *DEMO, "--facts", str(BILLING), "--facts-format", "csv"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("contract-checker run: --facts-format says how to read")
    assert captured.out == ""


# --csv-bom -------------------------------------------------------------------------------------


def test_csv_bom_starts_every_csv_report_with_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain, marked, extra = tmp_path / "plain.csv", tmp_path / "bom.csv", tmp_path / "extra.csv"
    facts = ["--facts", str(ROOT / "fixtures" / "demo")]
    assert main(["run", *DEMO, *facts, "--format", "csv", "--output", str(plain)]) == 1
    bom = ["--format", "csv", "--output", str(marked), "--report", f"csv:{extra}", "--csv-bom"]
    assert main(["run", *DEMO, *facts, *bom]) == 1
    capsys.readouterr()
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    for path in (marked, extra):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbfagreement,clause,")
        assert data[3:] == plain.read_bytes()


def test_csv_bom_keeps_accented_names_for_excel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "usage.csv"
    facts.write_text(
        "id,type,at,partner,edition,seats\nu-ä,usage.reported,2026-04-01,hooli,enterprise,999\n",
        encoding="utf-8",
    )
    report = tmp_path / "findings.csv"
    options = ["--facts", str(facts), "--report", f"csv:{report}", "--csv-bom", "--format", "json"]
    assert main(["run", *DEMO, *options]) == 1
    capsys.readouterr()
    text = report.read_bytes().decode("utf-8-sig")
    assert "u-ä" in text
    assert report.read_bytes().startswith("\ufeffagreement".encode())


def test_csv_bom_without_a_csv_report_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", *DEMO, "--facts", str(BILLING), "--csv-bom"]) == 2
    assert "--csv-bom goes with a csv report" in capsys.readouterr().err


# --quiet ---------------------------------------------------------------------------------------


def test_quiet_leaves_only_errors_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = ["--facts", str(ROOT / "fixtures" / "demo"), "--format", "json", "--progress"]
    assert main(["run", *DEMO, *demo]) == 1
    loud = capsys.readouterr()
    assert EXPIRED_WAIVER in loud.err
    assert main(["run", *DEMO, *demo, "--quiet"]) == 1
    quiet = capsys.readouterr()
    assert quiet.err == ""
    assert json.loads(quiet.out) == json.loads(loud.out)  # the report is the same
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    assert main(["run", *DEMO, "--facts", str(bad), "--quiet", "--format", "json"]) == 4
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:1: rejected: ")
    assert EXPIRED_WAIVER not in err


def test_quiet_and_verbose_do_not_go_together(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", *DEMO, "--facts", str(BILLING), "--quiet", "-v"]) == 2
    assert "--quiet and --verbose" in capsys.readouterr().err


def test_validate_quiet_prints_nothing_when_all_is_well(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "acme.yaml").write_text(
        "agreement: acme-2026\ntitle: Acme\nparties: {us: northwind, partner: acme}\n"
        "effective: 2026-01-01\nexpires: 2027-12-31\nowner: legal\nclauses:\n"
        "  - {id: '5.2', title: Seats, kind: cap, measure: {fact: usage.reported, field: seats},"
        " max: 10}\n",
        encoding="utf-8",
    )
    assert main(["validate", str(rules)]) == 0
    loud = capsys.readouterr()
    assert loud.out.startswith("OK: ")
    assert main(["validate", "--quiet", str(rules)]) == 0
    assert capsys.readouterr() == ("", "")
    (rules / "broken.yaml").write_text("agreement: broken\n", encoding="utf-8")
    assert main(["validate", "--quiet", str(rules)]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "broken.yaml" in captured.err
    assert "FAILED: " in captured.err
