"""Corrections as data: a later `recorded_at` of a fact id supersedes the earlier version, which
stays as evidence; `run --known-as-of` replays what was known then; two versions recorded at the
same time that disagree are rejected, positioned. Expectations worked out by hand.

The agreement caps seats at 10, fact by fact. The original export (usage.jsonl, no recorded_at)
says u-1 had 8 seats (compliant) and u-2 had 14 (a breach). On 2026-11-20 09:00 a correction
(corrections.jsonl) restates u-1 as 12 seats (now a breach) and u-2 as 9 (no longer one).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.dates.timeutil import parse_instant
from checker.facts import ingest
from checker.facts.model import Fact, FactCounts
from checker.facts.reading import read_facts
from checker.facts.store import FactStore, KeepAll, RoutedFacts

ROOT = Path(__file__).resolve().parent.parent
CORRECTED_AT = "2026-11-20T09:00:00Z"


def _line(fact_id: str, at: str, seats: int, recorded_at: str | None = None) -> str:
    record: dict[str, Any] = {
        "id": fact_id,
        "type": "usage.reported",
        "at": at,
        "partner": "acme",
        "seats": seats,
    }
    if recorded_at is not None:
        record["recorded_at"] = recorded_at
    return json.dumps(record)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of fixtures/corrections/ (a 10-seat cap; u-1 8 and u-2 14 seats, corrected on
    2026-11-20T09:00Z to 12 and 9 in corrections.jsonl, which sorts first), to add files to."""
    shutil.copytree(ROOT / "fixtures" / "corrections", tmp_path, dirs_exist_ok=True)
    return tmp_path / "rules", tmp_path / "facts"


def _run(
    rules: Path, facts: Path, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, dict[str, Any], str]:
    code = main(
        [
            "run",
            "--rules",
            str(rules),
            "--facts",
            str(facts),
            "--as-of",
            "2026-11-22",
            "--workers",
            "1",
            "--no-waivers",
            "--format",
            "json",
            *options,
        ]
    )
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def _breaches(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["subject"], f["message"]) for f in document["findings"] if f["kind"] == "breach"]


def test_a_correction_makes_a_breach_and_removes_one(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, facts = setup
    code, document, _err = _run(rules, facts, capsys)
    assert code == 1
    breaches = _breaches(document)
    # u-1 is now 12 > 10: a breach that exists because of the correction, and says so; u-2 is
    # now 9 <= 10: its breach is gone.
    assert [subject for subject, _ in breaches] == ["u-1"]
    message = breaches[0][1]
    assert message.startswith("usage.reported u-1 reports seats 12 on 2026-10-05")
    assert message == (
        "usage.reported u-1 reports seats 12 on 2026-10-05, above the cap of 10. Exists only"
        " because of a correction: fact u-1 corrected on 2026-11-20T09:00:00Z (recorded_at;"
        f" {facts}/corrections.jsonl:1), was seats=8 ({facts}/usage.jsonl:1)."
    )
    (finding,) = document["findings"]
    assert finding["evidence"][0]["source"] == f"{facts}/corrections.jsonl:1"
    assert document["summary"]["facts"] == {
        "read": 4,
        "accepted": 2,
        "rejected": 0,
        "duplicates": 0,
        "after_as_of": 0,
        "superseded": 2,
        "recorded_later": 0,
        "irrelevant": 0,
    }


def test_a_breach_the_correction_only_changes_rests_on_it(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, facts = setup
    # u-2 restated from 14 to 15 seats: the breach was there before the correction, too.
    (facts / "corrections.jsonl").write_text(
        _line("u-2", "2026-10-12", 15, CORRECTED_AT) + "\n", encoding="utf-8"
    )
    _code, document, _err = _run(rules, facts, capsys)
    assert _breaches(document) == [
        (
            "u-2",
            "usage.reported u-2 reports seats 15 on 2026-10-12, above the cap of 10. Rests on a"
            " correction: fact u-2 corrected on 2026-11-20T09:00:00Z (recorded_at;"
            f" {facts}/corrections.jsonl:1), was seats=14 ({facts}/usage.jsonl:2).",
        )
    ]
    assert document["summary"]["facts"]["superseded"] == 1


def test_known_as_of_before_the_correction_replays_the_old_verdict(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, facts = setup
    code, document, _err = _run(rules, facts, capsys, "--known-as-of", "2026-11-20T08:59:59Z")
    assert code == 1
    # As known before 09:00 on 2026-11-20: u-1 had 8 seats, u-2 had 14 (the breach).
    assert _breaches(document) == [
        ("u-2", "usage.reported u-2 reports seats 14 on 2026-10-12, above the cap of 10")
    ]
    counts = document["summary"]["facts"]
    assert (counts["accepted"], counts["superseded"], counts["recorded_later"]) == (2, 0, 2)
    # A date is 00:00 UTC, as for --as-of: the 20th's correction is not yet known on the 20th.
    _code, on_the_day, _err = _run(rules, facts, capsys, "--known-as-of", "2026-11-20")
    assert [s for s, _ in _breaches(on_the_day)] == ["u-2"]
    # A day before, as the shipped fixture's README command shows: u-2.
    _code, before, _err = _run(rules, facts, capsys, "--known-as-of", "2026-11-19")
    assert [s for s, _ in _breaches(before)] == ["u-2"]
    # At the recorded instant itself the correction is known.
    _code, at_once, _err = _run(rules, facts, capsys, "--known-as-of", CORRECTED_AT)
    assert [s for s, _ in _breaches(at_once)] == ["u-1"]
    assert at_once["summary"]["facts"]["superseded"] == 2


def test_table_counts_superseded_and_later_records(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, facts = setup
    base = ["run", "--rules", str(rules), "--facts", str(facts), "--as-of", "2026-11-22"]
    assert main([*base, "--workers", "1", "--no-waivers"]) == 1
    assert "2 superseded by a correction" in capsys.readouterr().out
    assert main([*base, "--workers", "1", "--no-waivers", "--known-as-of", "2026-11-01"]) == 1
    assert "2 recorded after --known-as-of (ignored)" in capsys.readouterr().out


def test_invalid_known_as_of_is_a_usage_error(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, facts = setup
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--rules", str(rules), "--facts", str(facts), "--known-as-of", "soon"])
    assert stopped.value.code == 2
    assert "invalid --known-as-of 'soon'" in capsys.readouterr().err


def test_conflicting_records_with_the_same_recorded_at_are_rejected_with_file_and_line(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, facts = setup
    (facts / "zz-late.jsonl").write_text(
        _line("u-1", "2026-10-05", 8, CORRECTED_AT)  # the same instant, other content
        + "\n"
        + _line("u-2", "2026-10-12", 9, "2026-11-20T10:00:00+01:00")  # same instant, same content
        + "\n",
        encoding="utf-8",
    )
    code, document, err = _run(rules, facts, capsys)
    assert code == 4
    assert err.splitlines() == [
        f"{facts}/zz-late.jsonl:1: rejected: id 'u-1' already used at"
        f" {facts}/corrections.jsonl:1 with different content and the same recorded_at"
        " (2026-11-20T09:00:00Z): which one holds cannot be told"
    ]
    # The first line in reading order holds, as before: u-1 at 12 seats is still the breach.
    assert [s for s, _ in _breaches(document)] == ["u-1"]
    counts = document["summary"]["facts"]
    assert (counts["read"], counts["rejected"], counts["duplicates"]) == (6, 1, 1)
    assert (counts["accepted"], counts["superseded"]) == (2, 2)


def test_conflicting_records_without_recorded_at_are_rejected_as_before(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        _line("u-1", "2026-10-05", 8) + "\n" + _line("u-1", "2026-10-05", 9) + "\n",
        encoding="utf-8",
    )
    result = read_facts([str(path)], parse_instant("2026-11-22"))
    assert [d.render() for d in result.rejects] == [
        f"{path}:2: error: id 'u-1' already used at {path}:1 with different content"
    ]
    assert [(f.id, f.attrs["seats"], f.recorded_at) for f in result.facts] == [("u-1", 8, None)]
    assert result.counts == FactCounts(read=2, accepted=1, rejected=1)


def test_versions_are_ordered_by_recorded_time_not_by_file(tmp_path: Path) -> None:
    # Three versions of u-1, the latest recorded first in reading order; a restatement with
    # unchanged content is a duplicate, not a correction.
    path = tmp_path / "a.jsonl"
    path.write_text(
        "\n".join(
            [
                _line("u-1", "2026-10-05", 11, "2026-11-21"),
                _line("u-1", "2026-10-05", 8),
                _line("u-1", "2026-10-05", 12, "2026-11-20"),
                _line("u-1", "2026-10-05", 12, "2026-11-20T12:00:00Z"),  # restated unchanged
                _line("u-2", "2026-10-12", 3, "2026-11-20"),  # only version: no correction
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with FactStore(KeepAll(), parse_instant("2026-11-22")) as store:
        result = ingest.read_into(store, [str(path)], None, 1)
        store.finish(result.counts, result.rejects)
        routed = RoutedFacts(store.path)
        facts = routed.facts_of(0)
        routed.close()
        corrections = store.corrections()
    assert [(f.id, f.attrs["seats"], f.source, f.recorded_at) for f in facts] == [
        ("u-1", 11, f"{path}:1", parse_instant("2026-11-21")),
        ("u-2", 3, f"{path}:5", parse_instant("2026-11-20")),
    ]
    assert result.counts == FactCounts(read=5, accepted=2, duplicates=1, superseded=2)
    assert corrections == {
        "u-1": (
            f"fact u-1 corrected on 2026-11-21T00:00:00Z (recorded_at; {path}:1), was seats=12"
            f" ({path}:3, recorded 2026-11-20T00:00:00Z); earlier corrected on"
            f" 2026-11-20T00:00:00Z (recorded_at; {path}:3), was seats=8 ({path}:2)"
        )
    }


def test_a_correction_may_move_a_fact_out_of_the_as_of_window(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        _line("u-1", "2026-10-05", 8)
        + "\n"
        + _line("u-1", "2026-12-05", 8, "2026-11-20")  # it happened later than first exported
        + "\n",
        encoding="utf-8",
    )
    result = read_facts([str(path)], parse_instant("2026-11-22"))
    assert result.facts == []
    assert result.counts == FactCounts(read=2, after_as_of=1, superseded=1)


def test_bad_recorded_at_is_rejected_positioned_and_csv_carries_it(tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(
        _line("u-1", "2026-10-05", 8, "yesterday")
        + "\n"
        + _line("u-2", "2026-10-05", 8, "2026-11-20T09:00:00")
        + "\n"
        + json.dumps({"id": "u-3", "type": "usage.reported", "at": "2026-10-05", "recorded_at": 5})
        + "\n",
        encoding="utf-8",
    )
    csv = tmp_path / "b.csv"
    csv.write_text(
        "id,type,at,partner,seats,recorded_at\n"
        "u-4,usage.reported,2026-10-05,acme,8,\n"
        "u-4,usage.reported,2026-10-05,acme,12,2026-11-20T09:00:00Z\n",
        encoding="utf-8",
    )
    result = read_facts([str(tmp_path)], parse_instant("2026-11-22"))
    assert [(d.location, d.message.split(":")[0]) for d in result.rejects] == [
        (f"{jsonl}:1", "'recorded_at' is not an ISO-8601 instant with offset or a date"),
        (f"{jsonl}:2", "'recorded_at' is not an ISO-8601 instant with offset or a date"),
        (
            f"{jsonl}:3",
            "'recorded_at' must be a string (an ISO-8601 instant with offset, or a date), got a number",
        ),
    ]
    assert [(f.id, f.attrs, f.get("recorded_at")) for f in result.facts] == [
        ("u-4", {"seats": 12}, parse_instant(CORRECTED_AT))
    ]
    assert result.counts == FactCounts(read=5, accepted=1, rejected=3, superseded=1)


def test_parallel_reading_settles_corrections_as_serial_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "PARALLEL_MIN_BYTES", 0)
    (tmp_path / "a.jsonl").write_text(
        _line("u-1", "2026-10-05", 12, CORRECTED_AT) + "\n" + _line("u-2", "2026-10-05", 1) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "b.jsonl").write_text(
        _line("u-1", "2026-10-05", 8)
        + "\n"
        + _line("u-2", "2026-10-05", 2, "2026-11-23")
        + "\n"
        + _line("u-3", "2026-10-06", 3, "2026-11-23")  # a new fact, not yet known
        + "\n",
        encoding="utf-8",
    )

    def read(workers: int) -> tuple[FactCounts, list[Fact], dict[str, str]]:
        as_of, known = parse_instant("2026-11-22"), parse_instant("2026-11-22")
        with FactStore(KeepAll(), as_of, known_as_of=known) as store:
            result = ingest.read_into(store, [str(tmp_path)], None, workers)
            store.finish(result.counts, result.rejects)
            routed = RoutedFacts(store.path)
            facts = routed.facts_of(0)
            routed.close()
            return result.counts, facts, store.corrections()

    serial, parallel = read(1), read(2)
    assert serial == parallel
    counts, facts, corrections = serial
    assert [(f.id, f.attrs["seats"]) for f in facts] == [("u-1", 12), ("u-2", 1)]
    assert counts == FactCounts(read=5, accepted=2, superseded=1, recorded_later=2)
    assert list(corrections) == ["u-1"]


def test_the_demo_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    # The demo's exports carry no recorded_at: every line is known whenever one asks, and no
    # finding mentions a correction.
    demo = [
        "run",
        "--rules",
        str(ROOT / "rules"),
        "--facts",
        str(ROOT / "fixtures" / "demo"),
        "--as-of",
        "2026-11-22",
        "--workers",
        "1",
        "--format",
        "json",
    ]
    assert main(demo) == 1
    today = json.loads(capsys.readouterr().out)
    assert main([*demo, "--known-as-of", "2000-01-01"]) == 1
    replayed = json.loads(capsys.readouterr().out)
    assert replayed == today
    assert (
        today["summary"]["facts"]["superseded"],
        today["summary"]["facts"]["recorded_later"],
    ) == (
        0,
        0,
    )
    assert not any("correction" in f["message"] for f in today["findings"])
