"""What a norm names, checked by `validate` and positioned at the value that names it: parties
(and whether the catalogue lets them be the actor at all), the agreement's values, other clauses
of the right sort, the fields of its trigger fact, and what amendments change.

Each of these passed `validate` before and then failed the run (an error finding), fired never,
or breached whatever the facts said. Expected positions are counted by hand in the texts below
(lines and columns are 1-based).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.rulebook.fact_catalog import FactCatalogue, FactTypeEntry
from checker.rulebook.loading import load_rulebook
from checker.rulebook.semantic.checks import check_agreement_file
from checker.rulebook.yaml_source import load_yaml_text
from tests.helpers import problems as semantic_problems

CATALOGUE = FactCatalogue(
    "rules/fact-types.yaml",
    {
        # Only ever our own acts: the export names no one who acted.
        "invoice.issued": FactTypeEntry(
            description="Our invoice", actor=None, counterparty="partner", fields={"invoice": "i"}
        ),
        "delivery.made": FactTypeEntry(
            description="Our delivery", actor=None, fields={"order": "ref"}
        ),
        "order.placed": FactTypeEntry(
            description="An order", fields={"order": "ref", "delivery_date": "d", "amount": "a"}
        ),
        "payment.received": FactTypeEntry(
            description="Paid", fields={"amount": "a", "paid_on": "d"}
        ),
        "sales.deal": FactTypeEntry(description="A deal", fields={"amount": "a"}),
        "audit.requested": FactTypeEntry(description="A request", fields={}),
    },
)

HEADER = """\
agreement: t
title: T
parties: {us: northwind, partner: acme}
values: {seat_price: 40, currency: EUR}
effective: 2026-01-01
expires: 2026-12-31
owner: legal
clauses:
"""
# Clause texts below start on line 9.

CATALOGUE_FILE = """\
fact_types:
  invoice.issued: {description: Our invoice, actor: null, fields: {invoice: i}}
  sales.deal: {description: A deal, fields: {amount: a}}
  audit.requested: {description: A request, fields: {}}
"""


def problems(text: str) -> list[tuple[int, int, str, str]]:
    """(line, column, level, message) of each semantic problem in `text`, as rules/t.yaml."""
    return semantic_problems(text, CATALOGUE, "rules/t.yaml")


def validated(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of everything loading the file reports, with a catalogue."""
    (tmp_path / "fact-types.yaml").write_text(CATALOGUE_FILE)
    (tmp_path / "t.yaml").write_text(text)
    book = load_rulebook([str(tmp_path)])
    return [(d.line, d.column, d.message) for d in book.diagnostics]


def _measure(by: str, fact: str = "invoice.issued") -> str:
    return f"""\
  - id: "2"
    title: An invoice each month
    kind: measure
    by: {by}
    of: {{fact: {fact}}}
    count: true
    per: month
    at_least: 1
"""


# Whose act a fact can be -------------------------------------------------------------------


def test_a_measure_of_our_own_acts_bound_on_the_partner_can_never_match() -> None:
    """The auditor's t16: `validate --strict` said OK, and the run reported a breach every month
    whatever invoices we issued."""
    assert problems(HEADER + _measure("partner")) == [
        (
            13,
            16,  # `invoice.issued` in `of`
            "error",
            "this pattern can never match: rules/fact-types.yaml gives invoice.issued no actor "
            "field (actor: null), so every invoice.issued fact is an act of ours (northwind), "
            "but the clause's 'by: partner' counts only acts of acme",
        )
    ]


@pytest.mark.parametrize("by", ["us", "northwind", "each"])
def test_a_measure_that_counts_our_acts_is_fine(by: str) -> None:
    assert problems(HEADER + _measure(by)) == []


def test_the_partners_measure_of_facts_with_an_actor_field_is_fine() -> None:
    assert problems(HEADER + _measure("partner", fact="sales.deal")) == []


def test_a_pattern_by_the_partner_on_our_own_acts_is_reported_at_its_by() -> None:
    text = (
        HEADER
        + """\
  - id: "1"
    title: We deliver each order
    kind: obligation
    by: us
    when: {fact: order.placed}
    do: {fact: delivery.made, by: partner, match_on: [order]}
    within: 5d
"""
    )
    assert problems(text) == [
        (
            14,
            35,
            "error",
            "this pattern can never match: rules/fact-types.yaml gives delivery.made no actor "
            "field (actor: null), so every delivery.made fact is an act of ours (northwind), "
            "but 'by: partner' counts only acts of acme",
        )
    ]


def test_a_trigger_on_our_own_acts_counts_any_partys_and_is_fine() -> None:
    """A trigger counts any party's facts unless it says `by`: our invoice creates the
    partner's duty to pay."""
    text = (
        HEADER
        + """\
  - id: "1"
    title: The partner pays each invoice
    kind: obligation
    by: partner
    when: {fact: invoice.issued}
    do: {fact: payment.received}
    within: 30d
"""
    )
    assert problems(text) == []


# Values --------------------------------------------------------------------------------------


def test_a_value_the_agreement_does_not_declare_is_an_error_at_its_name() -> None:
    text = (
        HEADER
        + """\
  - id: "4"
    title: No deal above the seat price
    kind: prohibition
    by: partner
    do: {fact: sales.deal, where: {amount: {above: {value: seat_prize}}}}
"""
    )
    assert problems(text) == [
        (13, 60, "error", "'seat_prize' is not one of the agreement's values")
    ]


def test_a_bound_on_a_value_that_is_no_number_is_an_error() -> None:
    text = HEADER + _measure("partner", fact="sales.deal").replace(
        "at_least: 1", "at_least: {value: currency}"
    )
    assert problems(text) == [
        (
            16,
            23,
            "error",
            "'currency' is 'EUR', not a number, and a bound or an amount is a number",
        )
    ]


def test_a_declared_value_is_fine() -> None:
    text = HEADER + _measure("partner", fact="sales.deal").replace(
        "at_least: 1", "at_least: {value: seat_price}"
    )
    assert problems(text) == []


# Other clauses --------------------------------------------------------------------------------

RIGHT = """\
  - id: "8"
    title: Audit
    kind: right
    holder: us
    arises: start
    exercised_by: {fact: audit.requested}
"""


def _ended_by(trigger: str) -> str:
    return f"""\
  - id: "3"
    title: Ends
    kind: prohibition
    by: partner
    do: {{fact: sales.deal}}
    ends_when: {trigger}
"""


def test_the_exercise_of_a_measure_is_an_error_naming_the_rights() -> None:
    """The auditor's t13: `ends_when: {exercise_of: "1"}`, 1 a measure, never ended anything."""
    text = HEADER + _measure("partner", fact="sales.deal") + RIGHT + _ended_by('{exercise_of: "2"}')
    report = check_agreement_file(load_yaml_text(text, "rules/t.yaml"), CATALOGUE)
    assert [(d.line, d.column, d.message, d.help) for d in report.diagnostics] == [
        (
            28,
            30,
            "clause 2 is a measure, which is never exercised: 'exercise_of' names a right",
            "clauses that are a right: 8",
        )
    ]


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        (
            '{breach_of: "8"}',
            "clause 8 is a right, which is never breached: 'breach_of' names an obligation, a "
            "prohibition or a measure",
        ),
        ('{exercise_of: "8"}', None),
        ('{breach_of: "2"}', None),
    ],
)
def test_a_clause_is_ended_only_by_what_it_can_do(trigger: str, message: str | None) -> None:
    text = HEADER + _measure("partner", fact="sales.deal") + RIGHT + _ended_by(trigger)
    expected = [] if message is None else [(28, 28, "error", message)]
    assert problems(text) == expected


def test_the_fulfilment_of_a_prohibition_is_an_error() -> None:
    text = (
        HEADER
        + """\
  - id: "5"
    title: No deals
    kind: prohibition
    by: partner
    do: {fact: sales.deal}
  - id: "6"
    title: After
    kind: obligation
    by: us
    when: {fulfilment_of: "5"}
    do: {fact: payment.received}
    within: 10d
"""
    )
    assert problems(text) == [
        (
            18,
            27,
            "error",
            "clause 5 is a prohibition, which is never fulfilled: 'fulfilment_of' names an "
            "obligation",
        )
    ]


def test_every_mistake_is_positioned_and_reported_in_one_run(tmp_path: Path) -> None:
    """The auditor's t13: an unknown clause was reported at 1:1, and the unknown party only once
    it was removed (then with no line at all)."""
    text = (
        HEADER
        + _ended_by('{breach_of: "9"}')
        + """\
  - id: "5"
    title: Zeta
    kind: prohibition
    by: zeta
    do: {fact: sales.deal, where: {amount: {below: {value: nope}}}}
"""
    )
    found = validated(tmp_path, text)
    assert found == [
        (14, 28, "'9' is not a clause of this agreement"),
        (18, 9, "'zeta' is not a party of this agreement (northwind, acme)"),
        (19, 60, "'nope' is not one of the agreement's values"),
    ]


# The fields a norm reads from its trigger ------------------------------------------------------


def _due(field: str) -> str:
    return f"""\
  - id: "1"
    title: Pay by the delivery date
    kind: obligation
    by: partner
    when: {{fact: order.placed}}
    do: {{fact: payment.received}}
    due: {{field: {field}}}
"""


def test_a_due_date_field_of_the_trigger_is_fine() -> None:
    """The documented `due: {field: delivery_date}` was checked against the `do` fact, so
    `validate --strict` failed on the documented syntax (the auditor's t1 and t20)."""
    assert problems(HEADER + _due("delivery_date")) == []


def test_a_due_date_field_only_the_fulfilling_fact_has_is_a_warning_naming_the_trigger() -> None:
    """The due date is read from the trigger, whatever fields the fulfilling fact has."""
    assert problems(HEADER + _due("paid_on")) == [
        (15, 18, "warning", "'paid_on' is not a field of order.placed")
    ]


# Amendments -------------------------------------------------------------------------------------

AMENDED = """\
  - id: "2"
    title: Report
    kind: obligation
    by: partner
    when: {each: month}
    do: {fact: sales.deal}
    within: 10d
    amended:
      - {effective: 2026-03-01, withn: 12d}
amendments:
  - effective: 2026-07-01
    title: First amendment
    changes:
      - {id: "2", within: 20d, wthin: 3d}
      - {id: "2", kind: measure}
"""


def test_what_an_amendment_cannot_change_is_reported_at_the_key(tmp_path: Path) -> None:
    """The auditor's t17: raw pydantic text at 1:1, with a link to errors.pydantic.dev."""
    found = validated(tmp_path, HEADER + AMENDED)
    assert found == [
        (17, 33, "unknown field 'withn': an obligation clause has no such field to change"),
        (22, 32, "unknown field 'wthin': an obligation clause has no such field to change"),
        (23, 19, "an amendment cannot change a clause's 'kind'"),
    ]


def test_a_value_an_amended_clause_does_not_take_is_reported_at_it(tmp_path: Path) -> None:
    text = HEADER + AMENDED.replace("withn: 12d", "within: 12x").replace(
        '      - {id: "2", within: 20d, wthin: 3d}\n      - {id: "2", kind: measure}\n',
        '      - {id: "2", until: someday}\n',
    )
    assert validated(tmp_path, text) == [
        (
            17,
            41,
            "the clause as amended: '12x' is not a duration; write a number and a unit, e.g. "
            "72h, 30d, 2w, 6 months, 1y or 10 business days",
        ),
        (
            22,
            26,
            "'until' does not take 'someday': Last day it applies (default: the end of the "
            "term), or a tail after the end: {after_end: 2y}",
        ),
    ]
