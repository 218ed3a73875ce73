"""Missing data is `unknown`, never a breach and never compliant: what rests on the absence of
facts (an obligation not done) or on a period's total, past the point a feed's data is complete
tonight. Expectations are worked out by hand from the dates below."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.dates.timeutil import SECONDS_PER_DAY, end_of_date, parse_instant
from checker.evaluation.evaluate import evaluate_agreement
from checker.facts.completeness import Completeness, complete_through_instant, tonight
from checker.facts.model import Fact
from checker.findings.model import FindingKind
from tests.helpers import agreement, fact

ROOT = Path(__file__).resolve().parent.parent
MISSING_BILLING = (
    "Warning: the billing feed has no facts tonight (its export missing or empty?): what rests on"
    " its absence is reported as unknown, neither a breach nor compliant."
)
PARTIES = {"us": "northwind", "partner": "globex"}
FEE = {
    "id": "8.1",
    "title": "Monthly fee",
    "kind": "obligation",
    "by": "partner",
    "when": {"each": "month"},
    "do": {"fact": "payment.received"},
    "period_field": "period",
    "within": "15d",
}
UPTIME = {
    "id": "9.1",
    "title": "Availability",
    "kind": "measure",
    "by": "us",
    "of": {"fact": "service.uptime"},
    "average": "uptime",
    "per": "month",
    "at_least": 99.5,
}


Summary = tuple[str, str, str, str]


def _found(
    clause: dict[str, Any], facts: list[Fact], as_of: str, through: dict[str, str]
) -> list[Summary]:
    """(kind, code, subject, date) of each finding, with each feed complete through `through`."""
    subject = agreement(
        clause, parties=PARTIES, partner=None, effective="2026-01-01", expires="2026-12-31"
    )
    known = Completeness({feed: parse_instant(at) for feed, at in through.items()}, {})
    instant = parse_instant(as_of)
    result = evaluate_agreement(
        subject,
        facts,
        instant,
        instant + 10 * SECONDS_PER_DAY,
        completeness=known,  # type: ignore[arg-type]
    )
    return sorted(
        (f.kind.value, f.code, f.subject, f.date.isoformat())
        for f in result.findings
        if f.clause != "term"
    )


def test_a_payment_not_seen_is_unknown_while_its_feed_stops_before_the_due_date() -> None:
    # January's fee is due by the end of 02-15; nothing paid. As of 03-01:
    # the feed reaches 02-16: missed, a breach dated 02-15;
    assert _found(FEE, [], "2026-03-01", {"payment.received": "2026-02-16T00:00:00Z"}) == [
        ("breach", "obligation.breached", "2026-01", "2026-02-15")
    ]
    # it reaches the due date's last second only: still a breach;
    assert _found(FEE, [], "2026-03-01", {"payment.received": "2026-02-15T23:59:59Z"}) == [
        ("breach", "obligation.breached", "2026-01", "2026-02-15")
    ]
    # a second short of it: unknown, on the same date;
    assert _found(FEE, [], "2026-03-01", {"payment.received": "2026-02-15T23:59:58Z"}) == [
        ("unknown", "obligation.unknown", "2026-01", "2026-02-15")
    ]
    # no data at all: unknown.
    assert _found(FEE, [], "2026-03-01", {}) == [
        ("unknown", "obligation.unknown", "2026-01", "2026-02-15")
    ]


def test_a_late_payment_is_a_breach_whatever_the_feed_says() -> None:
    late = [fact("p1", "payment.received", "2026-02-20T10:00:00Z", period="2026-01")]
    assert _found(FEE, late, "2026-03-01", {}) == [
        ("breach", "obligation.breached", "2026-01", "2026-02-15")
    ]


def test_a_right_closed_with_no_exercise_seen_is_lapsed_only_when_its_feed_reaches_its_close():
    window = {
        "id": "12.1",
        "title": "Price review",
        "kind": "right",
        "holder": "us",
        "arises": date(2026, 3, 1),
        "open_for": "30d",  # open from 03-01 to the end of the 30th day after: 03-31
        "exercised_by": {"fact": "notice.sent", "by": "us"},
    }
    subject = agreement(
        window, parties=PARTIES, partner=None, effective="2026-01-01", expires="2026-12-31"
    )

    def message(through: dict[str, str]) -> str:
        known = Completeness({feed: parse_instant(at) for feed, at in through.items()}, {})
        instant = parse_instant("2026-04-10")
        result = evaluate_agreement(subject, [], instant, instant, completeness=known)
        (found,) = [f for f in result.findings if f.clause == "12.1"]
        return found.message

    assert message({"notice.sent": "2026-03-31T23:59:59Z"}).endswith(
        "arose on 2026-03-01, lapsed unexercised on 2026-03-31"
    )
    assert message({"notice.sent": "2026-03-31T23:59:58Z"}).endswith(
        "arose on 2026-03-01, closed on 2026-03-31; whether it was exercised cannot be told:"
        " the notice.sent feed runs only to 2026-03-31T23:59:58Z"
    )
    assert message({}).endswith(
        "closed on 2026-03-31; whether it was exercised cannot be told: the notice.sent feed has"
        " no data"
    )


def test_a_period_total_is_unknown_while_its_feed_stops_before_the_period_ends() -> None:
    readings = [
        fact("u1", "service.uptime", "2026-01-10T23:00:00Z", None, uptime=99.0),
        fact("u2", "service.uptime", "2026-01-20T23:00:00Z", None, uptime=99.2),
    ]
    # January averages 99.1, under 99.5: a breach once the feed reaches the end of January...
    assert _found(UPTIME, readings, "2026-02-05", {"service.uptime": "2026-02-01"}) == [
        ("breach", "measure.breached", "2026-01", "2026-01-31")
    ]
    # ...and cannot be told while it stops on 01-20 (ten more days could lift the average).
    found = _found(UPTIME, readings, "2026-02-05", {"service.uptime": "2026-01-20T23:00:00Z"})
    assert found == [("unknown", "measure.no_data", "2026-01", "2026-01-31")]


def test_a_feed_declared_complete_but_without_facts_has_no_data() -> None:
    known = tonight(
        {"payment.received": parse_instant("2026-02-01")},
        {"usage.reported": "billing", "payment.received": "billing"},
        {"billing": parse_instant("2026-03-01"), "crm": parse_instant("2026-03-01")},
    )
    assert known.through == {"billing": parse_instant("2026-03-01")}
    assert known.gap("usage.reported", parse_instant("2026-02-20")) is None
    assert known.gap("deal.closed", 0) == "the deal.closed feed has no data"
    assert known.gap("payment.received", end_of_date(date.fromisoformat("2026-03-02"))) == (
        "the billing feed runs only to 2026-03-01T00:00:00Z"
    )
    assert complete_through_instant("2026-03-01") == end_of_date(date.fromisoformat("2026-03-01"))


def _run(facts: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    code = main(
        [
            "run",
            "--rules",
            str(ROOT / "rules"),
            "--facts",
            str(facts),
            "--as-of",
            "2026-11-22",
            "--workers",
            "1",
            "--format",
            "json",
        ]
    )
    assert code == 1
    captured = capsys.readouterr()
    document: dict[str, Any] = json.loads(captured.out)
    return document, captured.err


def _breaches(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    findings = document["findings"]
    return {(f["agreement"], f["clause"], f["subject"]) for f in findings if f["kind"] == "breach"}


def test_removing_the_billing_export_gives_unknowns_and_no_new_breach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole, whole_err = _run(ROOT / "fixtures" / "demo", capsys)
    # The demo's feeds.yaml declares only feeds the catalogue names: stderr has only the
    # expired waiver's warning, no word on feeds.
    assert whole_err.splitlines() == [
        f"{ROOT / 'rules' / 'waivers.yaml'}:35:5: warning: waiver W-2026-03 (hooli-saas-2025"
        " clause 5.2) expired on 2026-06-30, before the as-of date 2026-11-22; 3 findings it"
        " covered are reported again",
        "      - id: W-2026-03",
        "        ^",
        "  help: if the exception still stands, have it approved again and set a new 'expires'"
        " date; otherwise remove the waiver",
    ]
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures" / "demo", demo)
    (demo / "billing.csv").unlink()
    without, without_err = _run(demo, capsys)
    assert without_err.splitlines()[4:] == [MISSING_BILLING]
    assert _breaches(without) <= _breaches(whole)
    summary = without["summary"]
    assert summary["feeds_without_data"] == ["billing"]
    assert whole["summary"]["feeds_without_data"] == []
    unknown = [f for f in without["findings"] if f["kind"] == FindingKind.UNKNOWN.value]
    # hooli's licence fee is due monthly on the 15th, for 2025-11 to 2026-10: 12 unknowns.
    fees = sorted(f["subject"] for f in unknown if f["clause"] == "8.1")
    assert fees == ["2025-11", "2025-12"] + [f"2026-{month:02d}" for month in range(1, 11)]
    assert all(
        f["message"].endswith("cannot be told: the billing feed has no data")
        for f in unknown
        if f["clause"] == "8.1"
    )
    # and the month of availability without monitoring data, as with the billing export.
    assert summary["findings"]["unknown"] == 1 + 12


def test_a_bad_feeds_manifest_is_refused_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "facts.jsonl").write_text("")
    (tmp_path / "feeds.yaml").write_text("complete_through:\n  billing: soon\n")
    code = main(
        ["run", "--rules", str(ROOT / "rules"), "--facts", str(tmp_path), "--as-of", "2026-11-22"]
    )
    err = capsys.readouterr().err
    assert code == 4
    assert f"{tmp_path / 'feeds.yaml'}" in err
    assert "'soon' is not a date" in err


def _nights(
    state: Path, inputs: list[Path], capsys: pytest.CaptureFixture[str]
) -> list[dict[str, Any]]:
    """Each night's JSON document, one night after another on one state file."""
    documents = []
    for night, facts in zip(("2026-11-22", "2026-11-23", "2026-11-24"), inputs, strict=True):
        code = main(
            [
                "run",
                "--rules",
                str(ROOT / "rules"),
                "--facts",
                str(facts),
                "--as-of",
                night,
                "--workers",
                "1",
                "--state",
                str(state),
                "--format",
                "json",
            ]
        )
        assert code == 1
        documents.append(json.loads(capsys.readouterr().out))
    return documents


def test_a_night_without_the_billing_export_resolves_nothing_and_the_next_brings_it_back_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = ROOT / "fixtures" / "demo"
    without = tmp_path / "without-billing"
    shutil.copytree(demo, without)
    (without / "billing.csv").unlink()
    plain = _nights(tmp_path / "plain.sqlite", [demo, demo, demo], capsys)
    gap = _nights(tmp_path / "gap.sqlite", [demo, without, demo], capsys)
    # The night without billing: nothing resolved; the new findings are its 12 unknowns.
    counts = gap[1]["history"]["counts"]
    assert counts["resolved"] == 0
    new = [f for f in gap[1]["findings"] if f["status"] == "new"]
    assert len(new) == counts["new"] == 12
    assert {f["kind"] for f in new} == {"unknown"}
    # The next night, with billing again: the same findings as nights without a gap, open
    # (not new), and the 12 unknowns resolved.
    again, baseline = gap[2]["history"]["counts"], plain[2]["history"]["counts"]
    assert (again["new"], again["open"]) == (baseline["new"], baseline["open"])
    assert again["resolved"] == baseline["resolved"] + 12


def test_complete_through_on_the_command_line_overrides_the_manifest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # billing complete only to 2026-11-10: hooli's October fee, due 2026-11-15, cannot be told.
    code = main(
        [
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
            "--complete-through",
            "billing=2026-11-10",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["summary"]["feeds"]["billing"] == "2026-11-10T23:59:59Z"
    unknown = [(f["clause"], f["subject"]) for f in document["findings"] if f["kind"] == "unknown"]
    assert ("8.1", "2026-10") in unknown


def test_complete_through_needs_a_feed_and_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--facts", "x", "--complete-through", "billing"])
    assert stopped.value.code == 2
    assert "takes FEED=DATE or FEED=INSTANT" in capsys.readouterr().err


def test_an_empty_billing_export_is_the_same_as_a_missing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures" / "demo", demo)
    (demo / "billing.csv").write_bytes(b"")  # 0 bytes: not even a header line
    document, _err = _run(demo, capsys)
    assert document["summary"]["feeds_without_data"] == ["billing"]
    assert _breaches(document) <= _breaches(_run(ROOT / "fixtures" / "demo", capsys)[0])


def test_an_empty_facts_folder_reports_no_breach_from_no_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "run",
            "--rules",
            str(ROOT / "rules"),
            "--facts",
            str(tmp_path),
            "--as-of",
            "2026-11-22",
            "--workers",
            "1",
            "--format",
            "json",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0  # nothing at or above the fail-on level: no breach rests on missing data
    counts = document["summary"]["findings"]
    assert counts["breach"] == 0
    unknown = [f for f in document["findings"] if f["kind"] == "unknown"]
    # By hand: hooli's fee is due monthly on the 15th for 2025-11 to 2026-10 (12); umbrella's
    # milestones due 03-31, 06-30 and 08-31 are before the as-of date (3; the one of 12-15 is
    # a deadline). None of them can be told without the exports: unknown, not missed.
    assert (
        sum(1 for f in unknown if f["code"] == "recurring.unknown" and f["clause"] == "8.1") == 12
    )
    assert sorted(f["subject"] for f in unknown if f["code"] == "milestone.unknown") == [
        "beta",
        "design-spec",
        "security-certification",
    ]
    assert "billing" in document["summary"]["feeds_without_data"]


def test_a_missing_feed_is_a_warning_on_standard_error_when_no_table_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A nightly job writing JSON to a file never showed the warning (only the table had it).
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures" / "demo", demo)
    (demo / "billing.csv").unlink()
    output = tmp_path / "findings.json"
    common = ["run", "--rules", str(ROOT / "rules"), "--facts", str(demo), "--as-of", "2026-11-22"]
    json_run = [*common, "--workers", "1", "--format", "json", "--output", str(output)]
    assert main(json_run) == 1
    assert MISSING_BILLING in capsys.readouterr().err.splitlines()
    assert main([*common, "--workers", "1", "--format", "table"]) == 1  # said once, in the table
    printed = capsys.readouterr()
    assert MISSING_BILLING in printed.out.splitlines()
    assert MISSING_BILLING not in printed.err
    assert main([*json_run, "--quiet"]) == 1
    assert capsys.readouterr().err == ""


def test_a_feed_no_fact_type_comes_from_is_warned_with_the_closest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rules/fact-types.yaml names a billing feed; 'billng' declares nothing that is read."""
    (tmp_path / "facts.jsonl").write_text("")
    (tmp_path / "feeds.yaml").write_text(
        "complete_through:\n  billing: 2026-11-21\n  billng: 2026-11-21\n"
    )
    code = main(
        ["run", "--rules", str(ROOT / "rules"), "--facts", str(tmp_path), "--as-of", "2026-11-22"]
    )
    assert code == 0  # no facts: unknowns, no breach
    err = capsys.readouterr().err
    assert (
        f"{tmp_path / 'feeds.yaml'}:3:3: warning: no fact type comes from a feed 'billng': what is"
        " declared for it applies to nothing; did you mean 'billing'?"
    ) in err
    assert err.count("no fact type comes from a feed") == 1


@pytest.mark.parametrize("gone", ["removed", "emptied"])
def test_a_billing_export_gone_from_the_same_folder_resolves_nothing(
    gone: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One folder, as a nightly job has it: billing.csv is there, then removed or left 0 bytes
    # (found by a new user: 0 bytes resolved Hooli's 3 seat-cap breaches, which came back as
    # new the night after), then there again.
    facts = tmp_path / "exports"
    shutil.copytree(ROOT / "fixtures" / "demo", facts)
    billing = facts / "billing.csv"
    kept = billing.read_bytes()
    state = tmp_path / "state.sqlite"

    def night(as_of: str) -> dict[str, Any]:
        argv = ["run", "--rules", str(ROOT / "rules"), "--facts", str(facts), "--as-of", as_of]
        argv += ["--workers", "1", "--state", str(state), "--format", "json"]
        assert main(argv) == 1
        return dict(json.loads(capsys.readouterr().out))

    first = night("2026-11-22")
    if gone == "removed":
        billing.unlink()
    else:
        billing.write_bytes(b"")
    second = night("2026-11-23")
    billing.write_bytes(kept)
    third = night("2026-11-24")
    assert second["history"]["counts"]["resolved"] == 0
    stale = {f["clause"] for f in second["history"]["stale"] if f["agreement"] == "hooli-saas-2025"}
    assert "5.2" in stale
    # Every breach of the first night is open on the third, none new.
    breaches = {f["fingerprint"] for f in first["findings"] if f["kind"] == "breach"}
    statuses = {f["fingerprint"]: f["status"] for f in third["findings"]}
    assert {statuses[fingerprint] for fingerprint in breaches} == {"open"}
