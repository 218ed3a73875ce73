"""Per-kind documentation: every kind documents itself with an example that loads and compiles,
docs/clauses.md is current, and one kind reads well in the terminal."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

import pytest

from checker.authoring import kind_docs, kind_docs_markdown
from checker.authoring.kind_docs import (
    KindDocError,
    UnknownKind,
    flow,
    kind_doc,
    type_words,
)
from checker.authoring.kind_docs_markdown import DOCS_FILE, render_markdown
from checker.authoring.kind_docs_terminal import render_kind
from checker.clauses import KINDS
from checker.clauses.base import Clause
from checker.dates.timeutil import Duration, parse_instant
from checker.evaluation.evaluate import compile_agreement
from checker.norms.model import is_norm
from checker.rulebook.agreement import Agreement

ROOT = Path(__file__).resolve().parent.parent
AS_OF = parse_instant("2026-11-22")
HORIZON_END = parse_instant("2026-12-22")


def _agreement_around(clause: dict[str, object]) -> Agreement:
    return Agreement.model_validate(
        {
            "agreement": "example",
            "title": "An agreement to hold the example",
            "parties": {"us": "northwind", "partner": "globex"},
            "effective": "2025-01-01",
            "expires": "2028-12-31",
            "owner": "legal",
            "clauses": [clause],
        }
    )


def test_committed_docs_are_current() -> None:
    committed = (ROOT / DOCS_FILE).read_text(encoding="utf-8")
    assert committed == render_markdown(), "docs/clauses.md is stale: run make docs"


def test_there_are_eleven_kinds_and_the_four_norms() -> None:
    assert sorted(KINDS) == [
        "cap",
        "data_sharing",
        "exclusivity",
        "measure",
        "milestones",
        "most_favoured",
        "non_compete",
        "non_solicitation",
        "obligation",
        "prohibition",
        "recurring",
        "renegotiation",
        "response_time",
        "right",
        "termination",
    ]


@pytest.mark.parametrize("name", sorted(KINDS))
def test_kind_example_loads_and_compiles(name: str) -> None:
    doc = kind_doc(name)
    assert doc.summary
    assert doc.introduction
    example = doc.example_clause()
    assert example["kind"] == name
    agreement = _agreement_around(example)
    (clause,) = agreement.clauses
    assert isinstance(clause, KINDS[name])
    assert clause.id == example["id"]
    # Every example of a clause kind also shows an amendment, so the docs show one for each
    # kind; norms are not amended (a new clause with 'from' replaces one).
    assert len(clause.amended) >= (0 if is_norm(clause) else 1)
    compiled = compile_agreement(agreement, [], AS_OF, HORIZON_END)
    assert [finding.message for finding in compiled.errors] == []


def test_render_kind_shows_fields_parts_example_and_details() -> None:
    text = render_kind("cap")
    assert text.startswith(
        "Clause kind: cap\n"
        "A value the partner reports must not exceed a limit.\n"
        "\n"
        "Cap: a value the partner reports (seats, API calls, users) must not exceed a limit.\n"
    )
    assert "  max (number; required)\n      Largest allowed value;" in text
    assert "  measure (measured field; required)\n" in text
    assert "  severity (one of: critical, high, medium, low, info; optional)\n" in text
    assert "  kind (text; required)\n      Always cap for this kind of clause\n" in text
    assert "Fields inside measure:\n  A fact pattern plus the numeric field" in text
    assert "  field (text; required)\n      Fact field holding the number, e.g. seats\n" in text
    assert (
        "Example:\n"
        '    - id: "5.2"\n'
        "      title: Licensed seats\n"
        "      kind: cap\n"
        "      measure: {fact: usage.reported, field: seats, where: {edition: enterprise}}\n"
        "      max: 250\n"
        "      amended:\n"
        "        - {effective: 2026-07-01, max: 300}\n"
    ) in text
    assert "Example: [{effective: 2026-07-01, max: 300}]" in text


def test_render_kind_orders_clause_fields_as_a_clause_reads() -> None:
    text = render_kind("response_time")
    positions = [
        text.index(f"\n  {name} (")
        for name in ("id", "title", "kind", "after", "expect", "match_on", "within", "severity")
    ]
    assert positions == sorted(positions)
    assert "  within (duration; required)\n" in text
    assert "  match_on (list of text; optional)\n" in text
    # Its docstring's details: how the time limit is counted.
    assert "How it is checked:\n  Both events are the partner's." in text
    assert "How it is checked:" not in render_kind("cap")  # cap's docstring has no details


def test_render_kind_shows_defaults_and_details() -> None:
    text = render_kind("recurring")
    assert "  right_for (duration; optional)\n" in text
    assert "      Default: 90 days\n" in text
    assert "  period (one of: month, quarter, year; required)\n" in text
    assert "How it is checked:\n  Periods are calendar months, quarters or years in UTC" in text


def test_unknown_kind_suggests_the_closest() -> None:
    with pytest.raises(UnknownKind) as raised:
        render_kind("exclusivty")
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == (
        "unknown clause kind 'exclusivty' (did you mean 'exclusivity'?); the kinds are: cap, "
        "data_sharing, exclusivity, measure, milestones, most_favoured, non_compete, "
        "non_solicitation, obligation, prohibition, recurring, renegotiation, response_time, "
        "right, termination"
    )


def test_unknown_kind_far_from_any_lists_them_all() -> None:
    with pytest.raises(UnknownKind, match=r"^unknown clause kind 'payroll'; the kinds are: cap,"):
        kind_doc("payroll")


class _Undocumented(Clause):
    kind_summary = "A kind whose module docstring has no example."

    kind: Literal["undocumented"]


class _Unsummarised(Clause):
    kind: Literal["unsummarised"]


def test_a_kind_without_an_example_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(kind_docs.KINDS, "undocumented", _Undocumented)
    with pytest.raises(KindDocError, match="has no 'Example::' block"):
        kind_doc("undocumented")


def test_a_kind_without_a_summary_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(kind_docs.KINDS, "unsummarised", _Unsummarised)
    with pytest.raises(
        KindDocError, match="kind 'unsummarised' \\(_Unsummarised\\) has no kind_summary"
    ):
        kind_doc("unsummarised")


def test_markdown_has_contents_agreement_building_blocks_and_every_kind() -> None:
    text = render_markdown()
    assert text.startswith("<!-- Generated from the clause kinds")
    assert "run `make docs`" in text.splitlines()[1]
    assert text.endswith(".\n")
    assert not text.endswith("\n\n")
    for name in KINDS:
        assert f"  - [`{name}`](#{name}): {KINDS[name].kind_summary}\n" in text
        assert f"\n## `{name}`\n" in text
    assert "\n## The agreement\n" in text
    assert "| `effective` | date | yes | First day of the agreement | `2025-10-01` |\n" in text
    assert "\n### Fields inside `term`\n" in text
    assert "\n### Fields inside `calendar`\n" in text
    assert "\n### Fact patterns\n" in text
    assert "\n### Durations\n" in text
    assert "\n### Amendments\n" in text
    assert (
        "| `right_for` | duration | no (default `90 days`) | How long that right stays open, "
        "e.g. 90d | `90d` |\n"
    ) in text


def test_main_writes_the_markdown(tmp_path: Path) -> None:
    target = tmp_path / "clauses.md"
    assert kind_docs_markdown.main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_markdown()


@pytest.mark.parametrize(
    ("annotation", "words"),
    [
        (Duration, "duration"),
        (date, "date"),
        (int | None, "whole number"),
        (list[str], "list of text"),
        (Literal["month", "quarter", "year"], "one of: month, quarter, year"),
        (dict[str, str | int | float | bool | list[str]], "conditions (field: value)"),
        (str | int | float | bool | list[str | int], "value, or list of values"),
    ],
)
def test_type_words(annotation: object, words: str) -> None:
    assert type_words(annotation) == words


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("4.1", '"4.1"'),
        ("true", '"true"'),
        ("a: b", '"a: b"'),
        ("DE, AT", '"DE, AT"'),
        ("deal.closed", "deal.closed"),
        ("2026-07-01", "2026-07-01"),
        (Duration(90, "days"), "90 days"),
        (
            {"fact": "deal.closed", "where": {"territory": ["DE", "AT"]}},
            "{fact: deal.closed, where: {territory: [DE, AT]}}",
        ),
        (100000.0, "100000"),
        (False, "false"),
    ],
)
def test_flow_writes_values_as_a_rule_file_would(value: object, written: str) -> None:
    assert flow(value) == written
