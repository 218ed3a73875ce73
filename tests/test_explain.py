"""`contract-checker explain`: every demo clause with its dates, dates worked out by hand from the
rule files, past / upcoming / later marking around the as-of date, and the command line paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.authoring.explain import LATER, PAST, UPCOMING, explain_agreement, status_of
from checker.clauses.caps import Cap
from checker.cli import main
from checker.dates.timeutil import SECONDS_PER_DAY, parse_instant
from checker.evaluation.evaluate import evaluate_agreement
from checker.findings.exit_codes import ExitCode
from checker.findings.model import FindingKind
from checker.rulebook.agreement import Agreement
from checker.rulebook.loading import load_rulebook

RULES = Path(__file__).resolve().parent.parent / "rules"
AS_OF = "2026-11-22"
ROW = re.compile(r"^  (\d{4}-\d{2}-\d{2})  (past|upcoming|later) +(.*)$")
UNWRAPPED = 10_000  # wide enough that no sentence or date row wraps


def _demo() -> dict[str, Agreement]:
    book = load_rulebook([str(RULES)])
    assert not book.errors, [d.render() for d in book.errors]
    return {agreement.agreement: agreement for agreement in book.agreements}


DEMO = _demo()


def _explained(agreement: Agreement, as_of: str = AS_OF, horizon_days: int = 30) -> str:
    result = explain_agreement(
        agreement, "rules/demo.yaml", parse_instant(as_of), horizon_days, UNWRAPPED
    )
    assert result.problems == []
    return result.text


def _blocks(text: str) -> dict[str, list[str]]:
    """Heading -> the lines under it (blocks are separated by blank lines)."""
    found: dict[str, list[str]] = {}
    for block in text.split("\n\n")[1:]:
        heading, *lines = block.strip("\n").split("\n")
        found[heading] = lines
    return found


def _rows(lines: list[str]) -> list[tuple[str, str, str]]:
    """(date, status, what) of each dated line."""
    return [match.groups() for line in lines if (match := ROW.match(line))]  # type: ignore[misc]


def _block(
    agreement: str | Agreement, heading_start: str, as_of: str = AS_OF, horizon: int = 30
) -> list[str]:
    """The lines under the heading that starts so, for a demo agreement (by id) or `agreement`."""
    subject = DEMO[agreement] if isinstance(agreement, str) else agreement
    blocks = _blocks(_explained(subject, as_of, horizon))
    (heading,) = [h for h in blocks if h.startswith(heading_start)]
    return blocks[heading]


# --- every demo clause, with its dates -------------------------------------------------------


@pytest.mark.parametrize("agreement_id", sorted(DEMO))
def test_every_clause_of_every_demo_agreement_appears_with_its_dates(agreement_id: str) -> None:
    agreement = DEMO[agreement_id]
    blocks = _blocks(_explained(agreement))
    assert list(blocks) == ["Term"] + [
        f"Clause {clause.id}: {clause.title} ({clause.kind})"  # type: ignore[attr-defined]
        for clause in agreement.clauses
    ]
    for heading, lines in blocks.items():
        assert _rows(lines), f"{heading} shows no dates"
        assert lines[0].startswith("  "), heading
        assert not ROW.match(lines[0]), f"{heading} has no plain-English sentence"


def test_header_names_the_agreement_its_parties_owner_and_horizon() -> None:
    text = _explained(DEMO["globex-reseller-2025"])
    assert text.splitlines()[:5] == [
        "Agreement  globex-reseller-2025: Reseller agreement with Globex (DACH, FR from July 2026)",
        "Rule file  rules/demo.yaml",
        "Parties    us: northwind; partner: globex",
        "Owner      emea-legal",
        "As of      2026-11-22, horizon 30 days (to 2026-12-22)",
    ]
    assert "Calendar" not in text  # no calendar set, none shown


# --- dates worked out by hand from the rule files --------------------------------------------


def test_renegotiation_windows_fixed_and_before_each_anniversary() -> None:
    rows = _rows(_block("globex-reseller-2025", "Clause 12.1"))
    # Effective 2025-10-01; anniversaries 2026/2027/2028-10-01. Opens 90 days before: Jul 3 (to
    # Aug 3 is 31 days, to Sep 3 62, to Oct 1 90); closes 30 days before: Sep 1.
    assert [row for row in rows if "right of us" in row[2]] == [
        ("2026-07-03", PAST, "the right of us opens (before the anniversary on 2026-10-01)"),
        ("2026-09-01", PAST, "last day of the right of us (before the anniversary on 2026-10-01)"),
        ("2026-12-01", UPCOMING, "the right of us opens"),  # the fixed window
        ("2027-01-31", LATER, "last day of the right of us"),
        ("2027-07-03", LATER, "the right of us opens (before the anniversary on 2027-10-01)"),
        ("2027-09-01", LATER, "last day of the right of us (before the anniversary on 2027-10-01)"),
        ("2028-07-03", LATER, "the right of us opens (before the anniversary on 2028-10-01)"),
        ("2028-09-01", LATER, "last day of the right of us (before the anniversary on 2028-10-01)"),
    ]


def test_milestone_due_date_follows_the_amendment() -> None:
    lines = _block("umbrella-codev-2026", "Clause 6.2")
    rows = _rows(lines)
    assert ("2026-12-15", UPCOMING, "milestone.achieved for general-availability due") in rows
    assert not [row for row in rows if row[0] == "2026-11-30"]  # the date before the variation
    assert (
        "2026-06-15",
        PAST,
        "amendment 1 takes effect: milestones general-availability: due changes from 2026-11-30"
        " to 2026-12-15",
    ) in rows
    assert [row[0] for row in rows if row[2].startswith("milestone.achieved for ")] == [
        "2026-03-31",
        "2026-06-30",
        "2026-08-31",
        "2026-12-15",
    ]


def test_cure_period_is_given_as_a_rule_from_the_default_notice() -> None:
    text = "\n".join(_block("umbrella-codev-2026", "Clause 6.2"))
    assert "cure ends 30 days after the default notice date" in text
    assert "a right to terminate arises the next day" in text


def test_recurring_monthly_fee_due_dates_and_material_breach() -> None:
    rows = _rows(_block("hooli-saas-2025", "Clause 8.1"))
    # Due 15 days after each month ends; material breach 30 days after the due date, a date of
    # its own (a deadline of a run when it falls within the horizon).
    assert [row for row in rows if "a material breach if" in row[2]] == [
        (
            day,
            status,
            f"payment.received for {label}: a material breach if not done by this day",
        )
        for day, status, label in (
            ("2026-11-14", PAST, "2026-09"),
            ("2026-12-15", UPCOMING, "2026-10"),
            ("2027-01-14", LATER, "2026-11"),
            ("2027-02-14", LATER, "2026-12"),
        )
    ]
    assert [row for row in rows if row[2].endswith(" due")] == [
        ("2026-10-15", PAST, "payment.received for 2026-09 due"),
        ("2026-11-15", PAST, "payment.received for 2026-10 due"),
        ("2026-12-15", UPCOMING, "payment.received for 2026-11 due"),
        ("2027-01-15", LATER, "payment.received for 2026-12 due"),
    ]


def test_recurring_quarterly_report_and_shortfall_right() -> None:
    lines = _block("globex-reseller-2025", "Clause 5.1")
    rows = _rows(lines)
    # Q3 ends 2026-09-30: report due 30 days later (2026-10-30); after shortfalls in Q2 and Q3
    # a right to terminate from Sep 30 until 60 days after it (Oct 30 + 30 = Nov 29).
    assert ("2026-10-30", PAST, "report.submitted for 2026-Q3 due") in rows
    assert ("2026-09-30", PAST, "2026-Q3 ends and is judged") in rows
    assert (
        "2026-11-29",
        UPCOMING,
        "last day of the right of us if each of 2026-Q2, 2026-Q3 falls short (arising at the end"
        " of 2026-09-30)",
    ) in rows
    assert ("2027-01-30", LATER, "report.submitted for 2026-Q4 due") in rows
    assert (
        "  Minimum: after 2 quarters in a row below 150000, a right to terminate arises as the"
        " last of them ends and closes 60 days after that."
    ) in lines


def test_renewing_term_with_its_non_renewal_notice_deadlines() -> None:
    lines = _block("vandelay-consulting-2024", "Term")
    # 2 years from 2024-02-01: initial term to 2026-01-31, then yearly. Notice 60 days before
    # the end: 2026-01-31 - 60 days = 2025-12-02; 2027-01-31 - 60 days = 2026-12-02.
    assert _rows(lines) == [
        ("2024-02-01", PAST, "the agreement takes effect"),
        (
            "2025-12-02",
            PAST,
            "last day to give notice of non-renewal of the initial term (2024-02-01 to 2026-01-31)",
        ),
        (
            "2026-01-31",
            PAST,
            "initial term (2024-02-01 to 2026-01-31) ends; without notice it renews for 1 year",
        ),
        (
            "2026-12-02",
            UPCOMING,
            "last day to give notice of non-renewal of the renewal term 1 (2026-02-01 to"
            " 2027-01-31)",
        ),
        (
            "2027-01-31",
            LATER,
            "renewal term 1 (2026-02-01 to 2027-01-31) ends; without notice it renews for 1 year",
        ),
    ]
    assert "unless terminated early" in lines[0]


def test_renewing_term_years_later_lists_only_recent_terms() -> None:
    lines = _block("vandelay-consulting-2024", "Term", as_of="2031-06-01")
    rows = _rows(lines)
    # Terms end each 31 January; on 2031-06-01 the term 2031-02-01..2032-01-31 is in force,
    # its notice deadline 60 days before: 2031-12-02.
    assert (
        "2031-12-02",
        LATER,
        "last day to give notice of non-renewal of the renewal term 6 (2031-02-01 to 2032-01-31)",
    ) in rows
    assert "  4 earlier term(s), from 2024-02-01, are not listed." in lines
    assert [row[0] for row in rows] == [
        "2024-02-01",
        "2029-12-02",
        "2030-01-31",
        "2030-12-02",
        "2031-01-31",
        "2031-12-02",
        "2032-01-31",
    ]


def test_termination_data_return_deadline_rule_and_dates() -> None:
    lines = _block("initech-data-2025", "Clause 15")
    text = "\n".join(lines)
    assert "data-return (data.returned) is due within 10 business days (GB-ENG) after the end" in (
        " ".join(text.split())
    )
    # Expires at the end of Sunday 2027-02-28: 10 English business days later is Friday
    # 2027-03-12 (1-5 and 8-12 March); 30 calendar days later is 2027-03-30.
    assert [row[:2] for row in _rows(lines)] == [
        ("2025-03-01", PAST),  # the clause applies from the start of the term
        ("2027-02-28", LATER),
        ("2027-03-12", LATER),
        ("2027-03-30", LATER),
    ]
    assert _rows(lines)[2][2] == "data.returned for data-return due"
    assert _rows(lines)[3][2] == "data.destroyed for destruction-certificate due"


def test_performance_right_after_a_run_of_poor_months() -> None:
    rows = _rows(_block("vandelay-consulting-2024", "Clause 9.2"))
    # 2026-10 ends Oct 31: the right arises as it ends, until 45 days after Oct 31 (Dec 15).
    assert ("2026-10-31", PAST, "2026-10 ends and is judged") in rows
    assert (
        "2026-12-15",
        UPCOMING,
        "last day of the right of us if each of 2026-08, 2026-09, 2026-10 falls short (arising"
        " at the end of 2026-10-31)",
    ) in rows
    # After 2026-12 the right runs its 45 days to 2027-02-14, past the current period's end
    # (2027-01-31): with no notice of non-renewal given by the as-of date, the agreement renews.
    assert (
        "2027-02-14",
        LATER,
        "last day of the right of us if each of 2026-10, 2026-11, 2026-12 falls short (arising"
        " at the end of 2026-12-31)",
    ) in rows


def test_cap_amendment_says_what_changed() -> None:
    rows = _rows(_block("hooli-saas-2025", "Clause 5.2"))
    assert ("2026-07-01", PAST, "amendment 1 takes effect: max changes from 250 to 300") in rows


# --- past / upcoming / later ------------------------------------------------------------------


def test_status_boundaries_are_the_as_of_instant_and_the_horizon_end() -> None:
    as_of = parse_instant("2026-11-22")
    horizon_end = as_of + 30 * SECONDS_PER_DAY
    assert status_of(as_of - 1, as_of, horizon_end) == PAST
    assert status_of(as_of, as_of, horizon_end) == UPCOMING
    assert status_of(horizon_end, as_of, horizon_end) == UPCOMING
    assert status_of(horizon_end + 1, as_of, horizon_end) == LATER


@pytest.mark.parametrize(
    ("as_of", "horizon", "status"),
    [
        ("2026-12-16", 30, PAST),  # the day after the due date
        ("2026-12-15", 30, UPCOMING),  # due today: until the end of the day
        ("2026-11-16", 30, UPCOMING),  # the horizon ends with 2026-12-16, after the due day
        ("2026-11-15", 30, UPCOMING),  # the horizon ends with the whole of the due day
        ("2026-11-14", 30, LATER),  # the horizon ends with 2026-12-14, a day before
        ("2026-11-14", 31, UPCOMING),
    ],
)
def test_a_due_date_is_marked_around_the_as_of(as_of: str, horizon: int, status: str) -> None:
    rows = _rows(_block("umbrella-codev-2026", "Clause 6.2", as_of, horizon))
    assert ("2026-12-15", status, "milestone.achieved for general-availability due") in rows


@pytest.mark.parametrize("as_of", [AS_OF, "2027-02-20"])
@pytest.mark.parametrize("agreement_id", sorted(DEMO))
def test_deadlines_a_run_reports_are_upcoming_dates_in_explain(
    agreement_id: str, as_of: str
) -> None:
    # Explain and evaluation share the kinds' date logic: with no facts, every deadline a run
    # reports for the as-of date is a date explain marks upcoming, in the same clause's block.
    agreement = DEMO[agreement_id]
    instant = parse_instant(as_of)
    result = evaluate_agreement(agreement, [], instant, instant + 30 * SECONDS_PER_DAY)
    blocks = _blocks(_explained(agreement, as_of))
    deadlines = [f for f in result.findings if f.kind is FindingKind.DEADLINE]
    for finding in deadlines:
        heading = "Term" if finding.clause == "term" else f"Clause {finding.clause}:"
        (lines,) = [lines for h, lines in blocks.items() if h.startswith(heading)]
        upcoming = {row[0] for row in _rows(lines) if row[1] == UPCOMING}
        assert finding.date.isoformat() in upcoming, finding


# --- business-day calendar --------------------------------------------------------------------

CALENDAR_RULES = """\
agreement: munich-services-2026
title: Services from a Munich partner
partner: bavaria-gmbh
effective: 2026-01-01
expires: 2027-12-31
owner: legal
calendar: {country: DE, subdivision: BY}
clauses:
  - id: "3.1"
    title: Monthly report
    kind: recurring
    period: month
    deliverable: {fact: report.submitted, period_field: period}
    due_after_period_end: 10 business days
"""


def test_calendar_is_shown_and_business_days_skip_its_holidays(tmp_path: Path) -> None:
    path = tmp_path / "munich.yaml"
    path.write_text(CALENDAR_RULES)
    book = load_rulebook([str(path)])
    assert not book.errors
    (agreement,) = book.agreements
    explained = explain_agreement(agreement, str(path), parse_instant("2026-12-20"), 30, UNWRAPPED)
    lines = explained.text.splitlines()
    assert next(line for line in lines if line.startswith("Calendar")).startswith(
        "Calendar   business days follow public holidays of DE-BY"
    )
    rows = _rows(_blocks(explained.text)["Clause 3.1: Monthly report (recurring)"])
    # December 2026 ends Thursday 31st. 10 business days: not Fri 1 Jan (New Year) nor Wed 6 Jan
    # (Epiphany, a Bavarian holiday): Jan 4, 5, 7, 8, 11, 12, 13, 14, 15, 18.
    assert (
        "2027-01-18",
        UPCOMING,
        "report.submitted for 2026-12 due",
    ) in rows
    # November ends Monday 30th: Dec 1, 2, 3, 4, 7, 8, 9, 10, 11, 14.
    assert ("2026-12-14", PAST, "report.submitted for 2026-11 due") in rows
    assert "is due 10 business days (DE-BY) after the month ends" in explained.text


# --- failing closed ---------------------------------------------------------------------------


def test_a_clause_that_cannot_be_explained_is_a_problem_not_silence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: Cap, context: object) -> None:
        raise ValueError("no dates today")

    monkeypatch.setattr(Cap, "explain", broken)
    result = explain_agreement(
        DEMO["hooli-saas-2025"], "rules/hooli-saas.yaml", parse_instant(AS_OF), 30, UNWRAPPED
    )
    assert result.problems == ["clause 5.2 could not be explained: no dates today"]
    assert "PROBLEM: clause 5.2 could not be explained: no dates today." in result.text


# --- command line -----------------------------------------------------------------------------


def test_cli_explains_a_rule_file(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["explain", str(RULES / "umbrella-codev.yaml"), "--as-of", AS_OF])
    out = capsys.readouterr().out
    assert code == ExitCode.OK
    assert out.startswith("Agreement  umbrella-codev-2026: ")
    assert "  2026-12-15  upcoming  milestone.achieved for general-availability due" in out
    assert "Clause 16.2: Termination on change of control (termination)" in out


def test_cli_horizon_changes_what_is_upcoming(capsys: pytest.CaptureFixture[str]) -> None:
    main(["explain", str(RULES / "umbrella-codev.yaml"), "--as-of", AS_OF, "--horizon", "10"])
    assert (
        "  2026-12-15  later     milestone.achieved for general-availability due"
        in capsys.readouterr().out
    )


def test_cli_kind_prints_the_kind_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["explain", "--kind", "milestones"])
    out = capsys.readouterr().out
    assert code == ExitCode.OK
    assert "milestones" in out
    assert "cure" in out


def test_cli_unknown_kind_suggests_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["explain", "--kind", "milestone"])
    captured = capsys.readouterr()
    assert code == ExitCode.USAGE
    assert "did you mean 'milestones'?" in captured.err
    assert captured.out == ""


def test_cli_bad_rule_file_prints_positioned_errors_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(CALENDAR_RULES.replace("partner: bavaria-gmbh", "partnr: bavaria-gmbh"))
    code = main(["explain", str(path), "--as-of", AS_OF])
    captured = capsys.readouterr()
    assert code == ExitCode.INVALID_RULES
    assert f"{path}:3:1: error: unknown field 'partnr'" in captured.err
    assert "help: did you mean 'partner'?" in captured.err
    assert captured.out == ""


def test_cli_missing_rule_file_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["explain", str(tmp_path / "absent.yaml")])
    assert code == ExitCode.INVALID_RULES
    assert "no such file or directory" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["explain"], ["explain", "rules/umbrella-codev.yaml", "--kind", "milestones"]]
)
def test_cli_needs_a_rule_file_or_a_kind(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == ExitCode.USAGE
    assert "give either a rule file or --kind KIND" in capsys.readouterr().err


def test_cli_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["explain", str(RULES / "umbrella-codev.yaml"), "--as-of", "2026-02-30"])
    assert exit_info.value.code == ExitCode.USAGE
    assert "invalid --as-of '2026-02-30'" in capsys.readouterr().err


def test_cli_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["explain", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "contract-checker explain --kind milestones" in out
    assert "exit codes:" in out


# --- norms: partial periods and amended versions (found by a new user's agreement) -------------

NORM_RULES = """\
agreement: licence-2026
title: Data licence
parties: {us: northwind, partner: contoso}
effective: 2026-03-01
expires: 2027-12-31
owner: legal
clauses:
  - id: "4.1"
    title: At most two audits per calendar year
    kind: measure
    by: us
    of: {fact: audit.started}
    count: true
    per: year
    at_most: 2
  - id: "6"
    title: Exclusivity in the EU
    kind: prohibition
    by: partner
    do: {fact: data.licensed, where: {territory: EU}}
    until: 2026-12-31
amendments:
  - effective: 2026-10-01
    title: Exclusivity extended
    changes: [{id: "6", until: 2027-06-30}]
"""


def _licence(tmp_path: Path) -> Agreement:
    path = tmp_path / "licence.yaml"
    path.write_text(NORM_RULES)
    book = load_rulebook([str(path)])
    assert book.errors == []
    (agreement,) = book.agreements
    return agreement


def test_a_period_the_term_cuts_is_listed_as_judged_as_a_run_judges_it(tmp_path: Path) -> None:
    # The term starts 2026-03-01: 2026 is judged from March (a run reports its breaches).
    rows = _rows(_block(_licence(tmp_path), "Clause 4.1:", "2026-06-01"))
    assert rows == [
        ("2026-03-01", PAST, "applies from this day"),
        ("2026-12-31", LATER, "2026 ends and is judged"),
        ("2027-12-31", LATER, "applies until the end of this day"),
        ("2027-12-31", LATER, "2027 ends and is judged"),
    ]


def test_an_amended_norm_shows_the_time_each_version_applies(tmp_path: Path) -> None:
    rows = _rows(_block(_licence(tmp_path), "Clause 6:", "2027-05-01"))
    # Until 09-30 as written; from 10-01 as amended, until 2027-06-30 (not 2026-12-31).
    assert rows == [
        ("2026-03-01", PAST, "applies from this day"),
        ("2026-09-30", PAST, "applies until the end of this day"),
        (
            "2026-10-01",
            PAST,
            "amendment 1 takes effect: until changes from 2026-12-31 to 2027-06-30",
        ),
        ("2026-10-01", PAST, "applies from this day"),
        ("2027-06-30", LATER, "applies until the end of this day"),
    ]
