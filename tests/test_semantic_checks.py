"""Semantic checks on rule files: each check positioned at its key or value, found and not found.

Expected positions are counted by hand in the YAML texts below (lines and columns are 1-based).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from checker.common.diagnostics import Level
from checker.rulebook.fact_catalog import FactCatalogue, FactTypeEntry
from checker.rulebook.loading import load_rulebook
from checker.rulebook.semantic import checks as semantic_checks
from checker.rulebook.semantic.checks import check_agreement_file
from checker.rulebook.yaml_source import load_yaml_text
from tests.helpers import problems as semantic_problems

CATALOGUE = FactCatalogue(
    "rules/fact-types.yaml",
    {
        "deal.closed": FactTypeEntry(
            description="A sale",
            fields={"territory": "Country", "channel": "How", "customer": "Who", "amount": "EUR"},
        ),
        "price.agreed": FactTypeEntry(
            description="A price", fields={"product": "What", "currency": "EUR", "unit_price": "p"}
        ),
        "incident.detected": FactTypeEntry(description="Incident", fields={"incident": "ref"}),
        "notice.sent": FactTypeEntry(
            description="Notice", fields={"incident": "ref", "kind": "about"}
        ),
        "milestone.achieved": FactTypeEntry(description="Done", fields={"milestone": "name"}),
        "payment.received": FactTypeEntry(description="Paid", fields={"period": "p"}),
        "data.transfer": FactTypeEntry(description="Transfer", fields={"records": "n"}),
        "employee.hired": FactTypeEntry(description="Hire", fields={"person": "who"}),
        "employment.ended": FactTypeEntry(description="Left", fields={"person": "who"}),
    },
)

HEADER = """\
agreement: acme-test-2026
title: Test agreement with Acme
partner: acme
effective: 2026-01-01
expires: 2027-12-31
owner: legal
clauses:
"""
# Clause texts below start on line 8.

EXCLUSIVITY = """\
  - id: "4.1"
    title: Exclusive territory
    kind: exclusivity
    forbids:
      - {fact: deal.closed}
"""


def problems(
    text: str, catalogue: FactCatalogue | None = CATALOGUE
) -> list[tuple[int, int, str, str]]:
    """(line, column, level, message) of each semantic problem in `text`, as rules/acme.yaml."""
    return semantic_problems(text, catalogue, "rules/acme.yaml")


def rulebook_problems(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    """(line, column, level, message) of everything `load_rulebook` reports for `text`."""
    path = tmp_path / "acme.yaml"
    path.write_text(text)
    book = load_rulebook([str(path)])
    return [(d.line, d.column, d.level.value, d.message) for d in book.diagnostics]


# Clause ids ------------------------------------------------------------------------------------


def test_duplicate_clause_ids_point_at_each_repeat_and_name_the_first_line() -> None:
    text = HEADER + EXCLUSIVITY + EXCLUSIVITY + EXCLUSIVITY.replace('"4.1"', '"4.2"') + EXCLUSIVITY
    assert problems(text) == [
        (13, 5, "error", "clause id '4.1' is already used by the clause on line 8"),
        (23, 5, "error", "clause id '4.1' is already used by the clause on line 8"),
    ]


def test_distinct_clause_ids_are_fine() -> None:
    text = HEADER + EXCLUSIVITY + EXCLUSIVITY.replace('"4.1"', '"4.2"')
    assert problems(text) == []


def test_duplicate_id_is_found_next_to_a_broken_clause_and_reported_once(tmp_path: Path) -> None:
    broken = EXCLUSIVITY.replace("kind: exclusivity", "kind: exclusivty")
    text = HEADER + broken + EXCLUSIVITY
    found = rulebook_problems(tmp_path, text)
    assert [(line, column) for line, column, _, _ in found] == [(10, 11), (13, 5)]
    assert found[1][3] == "clause id '4.1' is already used by the clause on line 8"


def test_the_model_guard_against_duplicate_ids_is_not_reported_as_well(tmp_path: Path) -> None:
    found = rulebook_problems(tmp_path, HEADER + EXCLUSIVITY + EXCLUSIVITY)
    assert found == [(13, 5, "error", "clause id '4.1' is already used by the clause on line 8")]


# Windows ---------------------------------------------------------------------------------------

RENEGOTIATION = """\
  - id: "12.1"
    title: Price review
    kind: renegotiation
    windows:
      - {opens: OPENS, closes: CLOSES}
"""


def _window(opens: str, closes: str) -> str:
    return HEADER + RENEGOTIATION.replace("OPENS", opens).replace("CLOSES", closes)


def test_window_closing_before_it_opens_is_an_error_at_closes(tmp_path: Path) -> None:
    text = _window("2026-06-30", "2026-06-29")
    message = "this window closes on 2026-06-29, before it opens on 2026-06-30"
    assert problems(text) == [(12, 37, "error", message)]
    # The window's own validator says the same: reported once.
    assert rulebook_problems(tmp_path, text) == [(12, 37, "error", message)]


def test_window_of_one_day_is_fine() -> None:
    assert problems(_window("2026-06-30", "2026-06-30")) == []


def test_window_spanning_the_whole_term_is_fine() -> None:
    assert problems(_window("2026-01-01", "2027-12-31")) == []


def test_window_wholly_outside_the_term_is_an_error() -> None:
    assert problems(_window("2025-11-01", "2025-12-31")) == [
        (
            12,
            37,
            "error",
            "this window closes on 2025-12-31, before the agreement starts on 2026-01-01: "
            "it is never open during the agreement",
        )
    ]
    assert problems(_window("2028-01-01", "2028-01-31")) == [
        (
            12,
            17,
            "error",
            "this window opens on 2028-01-01, after the agreement ends on 2027-12-31: "
            "it is never open during the agreement",
        )
    ]


def test_window_partly_outside_the_term_is_a_warning() -> None:
    assert problems(_window("2025-12-31", "2026-01-01")) == [
        (
            12,
            17,
            "warning",
            "this window opens on 2025-12-31, before the agreement starts on 2026-01-01; "
            "only the part from 2026-01-01 is checked",
        )
    ]
    assert problems(_window("2027-12-31", "2028-01-01")) == [
        (
            12,
            37,
            "warning",
            "this window closes on 2028-01-01, after the agreement ends on 2027-12-31; "
            "only the part up to 2027-12-31 is checked",
        )
    ]


def test_anniversary_window_closing_before_it_opens(tmp_path: Path) -> None:
    clause = """\
  - id: "12.1"
    title: Price review
    kind: renegotiation
    anniversary_window: {opens_before: OPENS, closes_before: CLOSES}
"""
    bad = HEADER + clause.replace("OPENS", "4w").replace("CLOSES", "30d")
    message = (
        "this window closes 30 days before the anniversary, earlier than it opens (28 days before)"
    )
    assert problems(bad) == [(11, 59, "error", message)]
    assert rulebook_problems(tmp_path, bad) == [(11, 59, "error", message)]
    same = HEADER + clause.replace("OPENS", "4w").replace("CLOSES", "28d")
    assert problems(same) == []
    longer_unit = HEADER + clause.replace("OPENS", "3 months").replace("CLOSES", "89d")
    assert problems(longer_unit) == []


def test_window_reversed_inside_an_amendment_is_reported_once(tmp_path: Path) -> None:
    text = (
        HEADER
        + RENEGOTIATION.replace("OPENS", "2026-03-01").replace("CLOSES", "2026-03-31")
        + """\
    amended:
      - effective: 2026-06-01
        windows:
          - {opens: 2027-03-31, closes: 2027-03-01}
"""
    )
    message = "this window closes on 2027-03-01, before it opens on 2027-03-31"
    assert rulebook_problems(tmp_path, text) == [(16, 41, "error", message)]


# The term ----------------------------------------------------------------------------------------


def test_expiry_before_the_effective_date_is_one_error_at_expires(tmp_path: Path) -> None:
    text = HEADER.replace("expires: 2027-12-31", "expires: 2025-12-31") + EXCLUSIVITY
    message = "the agreement expires on 2025-12-31, before it starts on 2026-01-01"
    assert problems(text) == [(5, 10, "error", message)]
    # The agreement model's own term check says the same: reported once.
    assert rulebook_problems(tmp_path, text) == [(5, 10, "error", message)]


def test_a_one_day_agreement_is_fine() -> None:
    text = HEADER.replace("expires: 2027-12-31", "expires: 2026-01-01") + EXCLUSIVITY
    assert problems(text) == []


# Dates within the term ---------------------------------------------------------------------------

MILESTONES = """\
  - id: "6.2"
    title: Delivery milestones
    kind: milestones
    milestones:
      - {name: beta, due: DUE}
    achieved: {fact: milestone.achieved}
"""


def _milestone(due: str, header: str = HEADER) -> str:
    return header + MILESTONES.replace("DUE", due)


def test_milestone_due_outside_the_term_is_an_error() -> None:
    assert problems(_milestone("2025-12-31")) == [
        (
            12,
            27,
            "error",
            "'beta' is due on 2025-12-31, before the agreement starts on 2026-01-01, "
            "so it would never be checked",
        )
    ]
    assert problems(_milestone("2028-01-01")) == [
        (
            12,
            27,
            "error",
            "'beta' is due on 2028-01-01, after the agreement ends on 2027-12-31, "
            "so it would never be checked",
        )
    ]


@pytest.mark.parametrize("due", ["2026-01-01", "2027-12-31"])
def test_milestone_due_on_the_first_or_last_day_is_fine(due: str) -> None:
    assert problems(_milestone(due)) == []


def test_a_renewing_term_has_no_last_day() -> None:
    renewing = HEADER.replace("expires: 2027-12-31", "term: {initial: 2y, renews_for: 1y}")
    assert problems(_milestone("2035-06-30", renewing)) == []
    assert [p[:3] for p in problems(_milestone("2025-12-31", renewing))] == [(12, 27, "error")]


def test_a_broken_clause_does_not_hide_date_problems(tmp_path: Path) -> None:
    broken = MILESTONES.replace("DUE", "2025-06-30").replace("    achieved:", "    achievd:")
    text = HEADER + broken + MILESTONES.replace('"6.2"', '"6.3"').replace("DUE", "2029-01-31")
    found = rulebook_problems(tmp_path, text)
    assert [(line, column, level) for line, column, level, _ in found] == [
        (12, 27, "error"),  # due before the term, in the broken clause
        (13, 5, "error"),  # the misspelt key
        (18, 27, "error"),  # due after the term, in the next clause
    ]


RECURRING = """\
  - id: "5.1"
    title: Royalties
    kind: recurring
    period: quarter
    deliverable: {fact: payment.received}
    due_after_period_end: 30d
    checked_from: FROM
"""


def test_checked_from_before_the_term_is_a_warning_and_after_it_an_error() -> None:
    before = HEADER + RECURRING.replace("FROM", "2025-10-01")
    assert problems(before) == [
        (
            14,
            19,
            "warning",
            "'checked_from' is 2025-10-01, before the agreement starts on 2026-01-01, "
            "so it has no effect",
        )
    ]
    after = HEADER + RECURRING.replace("FROM", "2028-01-01")
    assert problems(after) == [
        (
            14,
            19,
            "error",
            "'checked_from' is 2028-01-01, after the agreement ends on 2027-12-31, "
            "so no period would ever be checked",
        )
    ]
    inside = HEADER + RECURRING.replace("FROM", "2026-04-01")
    assert problems(inside) == []


def test_any_other_date_outside_the_term_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk is generic: a date field of a kind it has never seen is checked too."""

    class Signed(BaseModel):
        model_config = ConfigDict(extra="forbid")
        signed_on: date

    class Agreement(BaseModel):
        effective: date
        expires: date
        clauses: list[Signed]

    monkeypatch.setattr(semantic_checks, "Agreement", Agreement)
    text = "effective: 2026-01-01\nexpires: 2027-12-31\nclauses:\n  - signed_on: 2025-12-01\n"
    assert problems(text) == [
        (4, 16, "warning", "2025-12-01 is before the agreement starts on 2026-01-01")
    ]
    assert problems(text.replace("2025-12-01", "2026-12-01")) == []


# Amendments ------------------------------------------------------------------------------------


def _amended(effective: str) -> str:
    return (
        HEADER + EXCLUSIVITY + f"    amended:\n      - {{effective: {effective}, severity: low}}\n"
    )


def test_amendment_before_the_effective_date_is_an_error() -> None:
    assert problems(_amended("2025-12-31")) == [
        (
            14,
            21,
            "error",
            "this amendment takes effect on 2025-12-31, before the agreement starts on 2026-01-01",
        )
    ]


def test_amendment_after_the_term_is_an_error() -> None:
    assert problems(_amended("2028-01-01")) == [
        (
            14,
            21,
            "error",
            "this amendment takes effect on 2028-01-01, after the agreement ends on 2027-12-31, "
            "so its changes would never apply",
        )
    ]


@pytest.mark.parametrize("effective", ["2026-01-01", "2027-12-31"])
def test_amendment_within_the_term_is_fine(effective: str) -> None:
    assert problems(_amended(effective)) == []


# Fact types and fields ---------------------------------------------------------------------------


def test_unknown_fact_type_is_a_warning_with_did_you_mean() -> None:
    text = HEADER + EXCLUSIVITY.replace("deal.closed", "deal.closd")
    document = load_yaml_text(text, "rules/acme.yaml")
    [problem] = check_agreement_file(document, CATALOGUE).diagnostics
    assert (problem.line, problem.column, problem.level) == (12, 16, Level.WARNING)
    assert problem.message == "unknown fact type 'deal.closd'"
    assert problem.help == "did you mean 'deal.closed'?"


def test_unknown_fact_type_without_a_close_match_names_the_catalogue() -> None:
    text = HEADER + EXCLUSIVITY.replace("deal.closed", "web.visit")
    document = load_yaml_text(text, "rules/acme.yaml")
    [problem] = check_agreement_file(document, CATALOGUE).diagnostics
    assert problem.help is not None
    assert "rules/fact-types.yaml" in problem.help


def test_fields_tested_in_where_and_unless_are_checked() -> None:
    pattern = "{fact: deal.closed, where: {chanel: direct, partner: acme}, unless: CARVE_OUT}"
    single = HEADER + EXCLUSIVITY.replace("{fact: deal.closed}", pattern).replace(
        "CARVE_OUT", "{customr: bosch}"
    )
    assert problems(single) == [
        (12, 37, "warning", "fact type 'deal.closed' has no field 'chanel'"),
        (12, 78, "warning", "fact type 'deal.closed' has no field 'customr'"),
    ]
    listed = HEADER + EXCLUSIVITY.replace("{fact: deal.closed}", pattern).replace(
        "CARVE_OUT", "[{customer: bosch}, {amount: 1, teritory: DE}]"
    )
    assert problems(listed) == [
        (12, 37, "warning", "fact type 'deal.closed' has no field 'chanel'"),
        (12, 109, "warning", "fact type 'deal.closed' has no field 'teritory'"),
    ]


def test_known_fields_and_envelope_fields_are_fine() -> None:
    pattern = "{fact: deal.closed, where: {channel: direct, partner: acme, id: x, at: y}}"
    assert problems(HEADER + EXCLUSIVITY.replace("{fact: deal.closed}", pattern)) == []


def test_without_a_catalogue_fact_types_are_not_checked() -> None:
    text = HEADER + EXCLUSIVITY.replace("deal.closed", "deal.closd")
    assert problems(text, catalogue=None) == []


RESPONSE = """\
  - id: "9.3"
    title: Incident notice
    kind: response_time
    after: {fact: incident.detected}
    expect: {fact: EXPECT}
    match_on: [MATCH]
    within: 72h
"""


def test_match_on_must_name_a_field_of_both_facts() -> None:
    text = HEADER + RESPONSE.replace("EXPECT", "notice.sent").replace("MATCH", "kind")
    document = load_yaml_text(text, "rules/acme.yaml")
    [problem] = check_agreement_file(document, CATALOGUE).diagnostics
    assert (problem.line, problem.column) == (13, 16)
    assert problem.message == "'kind' is not a field of incident.detected"
    fine = HEADER + RESPONSE.replace("EXPECT", "notice.sent").replace("MATCH", "incident")
    assert problems(fine) == []


def test_a_misspelt_setting_field_suggests_a_field_both_facts_have() -> None:
    text = HEADER + RESPONSE.replace("EXPECT", "notice.sent").replace("MATCH", "incidnt")
    document = load_yaml_text(text, "rules/acme.yaml")
    [problem] = check_agreement_file(document, CATALOGUE).diagnostics
    assert problem.message == "'incidnt' is not a field of incident.detected or notice.sent"
    assert problem.help == "did you mean 'incident'?"


def test_an_unknown_fact_type_is_not_also_blamed_for_its_fields() -> None:
    text = HEADER + RESPONSE.replace("EXPECT", "notice.snt").replace("MATCH", "incident")
    assert problems(text) == [(12, 20, "warning", "unknown fact type 'notice.snt'")]


def test_a_setting_inside_a_pattern_names_that_pattern_s_fields() -> None:
    clause = """\
  - id: "6.1"
    title: Most favoured pricing
    kind: most_favoured
    price: {fact: price.agreed, field: PRICE}
    amended:
      - {effective: 2026-07-01, match_on: [product, curency]}
"""
    text = HEADER + clause.replace("PRICE", "unit_pric")
    assert problems(text) == [
        (11, 40, "warning", "'unit_pric' is not a field of price.agreed"),
        (13, 53, "warning", "'curency' is not a field of price.agreed"),
    ]
    assert problems(HEADER + clause.replace("PRICE", "unit_price").replace("curency", "x1")) == [
        (13, 53, "warning", "'x1' is not a field of price.agreed"),
    ]


def test_a_comparison_with_the_latest_other_fact_names_that_fact_s_type_and_fields() -> None:
    """`{field: ..., of_latest: {...}}` reads another fact: its type, its tested fields, the
    field compared and `match_on` are checked against the catalogue like any pattern's."""
    clause = """\
  - id: "6.1"
    title: Most favoured price
    kind: prohibition
    by: anyone
    do:
      fact: price.agreed
      with: anyone
      where:
        unit_price:
          below:
            field: PRICE
            of_latest: {fact: LATEST, where: {curency: EUR}, match_on: [MATCH]}
"""

    def written(price: str, latest: str, match: str) -> str:
        return HEADER + clause.replace("PRICE", price).replace("LATEST", latest).replace(
            "MATCH", match
        )

    assert problems(written("unit_price", "price.agreed", "product")) == [
        (19, 53, "warning", "fact type 'price.agreed' has no field 'curency'"),
    ]
    assert problems(written("unit_pric", "price.agreed", "prodct")) == [
        (18, 20, "warning", "'unit_pric' is not a field of price.agreed"),
        (19, 53, "warning", "fact type 'price.agreed' has no field 'curency'"),
        (19, 79, "warning", "'prodct' is not a field of price.agreed"),
    ]
    assert problems(written("unit_price", "price.agred", "product")) == [
        (19, 31, "warning", "unknown fact type 'price.agred'"),
    ]


def test_a_setting_outside_any_pattern_names_fields_of_its_clause_s_patterns() -> None:
    """monthly_cap.field is about the clause's transfers, here the kind's default data.transfer."""
    clause = """\
  - id: "8.2"
    title: Data sharing
    kind: data_sharing
    monthly_cap: {field: FIELD, max: 50000}
"""
    assert problems(HEADER + clause.replace("FIELD", "records")) == []
    assert problems(HEADER + clause.replace("FIELD", "record")) == [
        (11, 26, "warning", "'record' is not a field of data.transfer")
    ]


def test_a_default_setting_is_checked_against_the_written_pattern() -> None:
    """name_field is 'milestone' unless set: the achievement fact must carry it."""
    text = _milestone("2026-06-30").replace("milestone.achieved", "payment.received")
    document = load_yaml_text(text, "rules/acme.yaml")
    [problem] = check_agreement_file(document, CATALOGUE).diagnostics
    assert (problem.line, problem.column, problem.level) == (13, 22, Level.WARNING)
    assert problem.message == (
        "fact type 'payment.received' has no field 'milestone', which 'name_field' names when "
        "it is not set"
    )
    set_explicitly = text + "    name_field: period\n"
    assert problems(set_explicitly) == []


def test_defaults_on_defaults_are_left_to_the_catalogue() -> None:
    clause = """\
  - id: "11.4"
    title: Non-solicitation
    kind: non_solicitation
    lookback: 12 months
"""
    assert problems(HEADER + clause) == []
    assert problems(HEADER + clause + "    person_field: employee\n") == [
        (12, 19, "warning", "'employee' is not a field of employee.hired or employment.ended")
    ]


def test_a_malformed_fact_type_is_reported_once_by_the_schema(tmp_path: Path) -> None:
    (tmp_path / "fact-types.yaml").write_text("fact_types:\n  deal.closed: {description: A sale}\n")
    text = HEADER + EXCLUSIVITY.replace("deal.closed", "Deal.Closed")
    found = rulebook_problems(tmp_path, text)
    assert found == [(12, 16, "error", "'Deal.Closed' is not a valid fact type name")]


def test_a_kind_with_a_field_named_like_the_kind_is_positioned_right(tmp_path: Path) -> None:
    """The milestones kind has a `milestones` field: pydantic's tag must not be read as it."""
    text = _milestone("2026-06-30").replace("    achieved:", "    achievd:")
    document_problems = rulebook_problems(tmp_path, text)
    assert document_problems == [(13, 5, "error", "unknown field 'achievd'")]
    path = tmp_path / "acme.yaml"
    [problem] = load_rulebook([str(path)]).diagnostics
    assert problem.help == "did you mean 'achieved'?"


@pytest.mark.parametrize(
    ("initial", "notice", "expected"),
    [
        # First term 2026-01-01..2026-12-31; 18 months before its last day is 2025-06-30.
        ("1y", "18 months", [(5, 57, "error")]),
        # 364 days before 2026-12-31 is 2026-01-01, the first day: still possible.
        ("1y", "364d", []),
        # 365 days before it is 2025-12-31, the day before the agreement starts.
        ("1y", "365d", [(5, 57, "error")]),
        ("2y", "18 months", []),
    ],
)
def test_notice_of_non_renewal_must_be_possible_in_the_first_term(
    initial: str, notice: str, expected: list[tuple[int, int, str]]
) -> None:
    term = f"term: {{initial: {initial}, renews_for: 1y, non_renewal_notice: {notice}}}"
    text = HEADER.replace("expires: 2027-12-31", term) + EXCLUSIVITY
    assert [p[:3] for p in problems(text)] == expected


# Triggers in agreements of three or more parties ------------------------------------------------

THREE_PARTIES = """\
agreement: licence-2026
title: Data licence
parties: {us: northwind, partners: [contoso, fabrikam]}
effective: 2026-03-01
open_ended: true
owner: legal
clauses:
  - id: "5"
    title: Notice of a change of control
    kind: obligation
    by: contoso
    when: {fact: control.changed%s}
    do: {fact: notice.sent}
    within: 10d
"""


@pytest.mark.parametrize(
    ("by", "warned"), [("", True), (", by: contoso", False), (", by: each", False)]
)
def test_a_trigger_that_does_not_say_whose_is_a_warning_among_three_parties(
    by: str, warned: bool
) -> None:
    found = problems(THREE_PARTIES % by, catalogue=None)
    expected = (
        12,  # the line of `when:`, at its value
        11,
        "warning",
        "clause 5's trigger counts control.changed facts of any of the agreement's 3 parties",
    )
    assert found == ([expected] if warned else [])


def test_a_trigger_that_does_not_say_whose_is_fine_between_two_parties() -> None:
    two = THREE_PARTIES.replace("partners: [contoso, fabrikam]", "partner: contoso")
    assert problems(two % "", catalogue=None) == []
