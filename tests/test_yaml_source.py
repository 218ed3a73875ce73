"""Tests for the strict YAML loader and for turning pydantic errors into positioned diagnostics."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from checker.common.diagnostics import Diagnostic, InputError
from checker.rulebook.model_introspection import allowed_fields, allowed_values
from checker.rulebook.validation_errors import diagnostics_from_validation, validate_document
from checker.rulebook.yaml_source import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    Position,
    SourceDocument,
    load_yaml,
    load_yaml_text,
)

PATH = "rules/globex.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Exclusivity(_Strict):
    kind: Literal["exclusivity"]
    id: str
    territory: list[str]

    @field_validator("territory")
    @classmethod
    def _not_empty(cls, territory: list[str]) -> list[str]:
        if not territory:
            raise ValueError("an exclusive territory needs at least one country")
        return territory


class ResponseTime(_Strict):
    kind: Literal["response_time"]
    id: str
    within_hours: int
    severity: Literal["low", "high"] = "high"


Clause = Annotated[Exclusivity | ResponseTime, Field(discriminator="kind")]


class Agreement(_Strict):
    agreement: str
    partner: str
    effective: date
    reference: int | list[int] = 0
    clauses: list[Clause]


VALID = """\
agreement: globex-reseller-2025
partner: globex
effective: 2025-01-01
clauses:
  - id: "4.1"
    kind: exclusivity
    territory: [DE, AT]
  - id: "9.3"
    kind: response_time
    within_hours: 72
"""


def load_problems(text: str) -> list[str]:
    """`line:column: message` of every problem loading `text`."""
    with pytest.raises(InputError) as raised:
        load_yaml_text(text, PATH)
    return [f"{d.line}:{d.column}: {d.message}" for d in raised.value.diagnostics]


def validation_diagnostics(text: str) -> list[Diagnostic]:
    document = load_yaml_text(text, PATH)
    with pytest.raises(InputError) as raised:
        validate_document(document, Agreement)
    return raised.value.diagnostics


def validation_problems(text: str) -> list[str]:
    return [f"{d.line}:{d.column}: {d.message}" for d in validation_diagnostics(text)]


def with_lines(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


# Loading


def test_valid_file_loads_to_plain_data_and_validates() -> None:
    document = load_yaml_text(VALID, PATH)
    agreement = validate_document(document, Agreement)
    assert agreement.effective == date(2025, 1, 1)
    assert document.data["clauses"][1] == {
        "id": "9.3",
        "kind": "response_time",
        "within_hours": 72,
    }


def test_duplicate_key_is_reported_at_the_second_key() -> None:
    text = "agreement: a\npartner: globex\nclauses: []\n\nclauses: [x]\n"
    with pytest.raises(InputError) as raised:
        load_yaml_text(text, PATH)
    [problem] = raised.value.diagnostics
    assert (problem.line, problem.column) == (5, 1)
    assert problem.message == "duplicate key 'clauses' (first at line 3)"
    assert problem.snippet == "clauses: [x]"


def test_duplicate_key_in_nested_mapping() -> None:
    text = "clauses:\n  - id: a\n    kind: x\n    id: b\n"
    assert load_problems(text) == ["4:5: duplicate key 'id' (first at line 2)"]


def test_anchors_and_aliases_are_rejected() -> None:
    text = "base: &territory [DE, AT]\nclauses:\n  - territory: *territory\n"
    assert load_problems(text) == [
        "1:7: anchors are not allowed in rule files ('&territory')",
        "3:16: aliases are not allowed in rule files",
    ]


def test_explicit_tags_are_rejected() -> None:
    text = "partner: !custom globex\nrun: !!python/object/apply:os.system [ls]\ncount: !!int '3'\n"
    assert load_problems(text) == [
        "1:10: tags are not allowed in rule files ('!custom')",
        "2:6: tags are not allowed in rule files ('!!python/object/apply:os.system')",
        "3:8: tags are not allowed in rule files ('!!int')",
    ]


def test_syntax_error_has_the_problem_position_and_text() -> None:
    text = "agreement: a\ntitle: Note: exclusive\n"
    with pytest.raises(InputError) as raised:
        load_yaml_text(text, PATH)
    [problem] = raised.value.diagnostics
    assert (problem.line, problem.column) == (2, 12)
    assert problem.message == "invalid YAML: mapping values are not allowed here"
    assert problem.snippet == "title: Note: exclusive"


def test_unclosed_flow_list_and_tab_indentation() -> None:
    assert load_problems("territory: [DE, AT\npartner: x\n") == [
        "2:8: invalid YAML: expected ',' or ']', but got ':'"
    ]
    with pytest.raises(InputError) as raised:
        load_yaml_text("clauses:\n\t- id: a\n", PATH)
    [problem] = raised.value.diagnostics
    assert (problem.line, problem.column) == (2, 1)
    assert problem.help == "indent with spaces; tabs are not allowed in YAML"


def test_problems_found_before_a_syntax_error_are_kept() -> None:
    text = "a: !custom 1\nb: [\n"
    assert load_problems(text) == [
        "1:4: tags are not allowed in rule files ('!custom')",
        "3:1: invalid YAML: expected the node content, but found '<stream end>'",
    ]


def test_a_second_document_is_rejected() -> None:
    assert load_problems("agreement: a\n---\nagreement: b\n") == [
        "2:1: a rule file holds one YAML document, but a second one starts here"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n", "---\n"])
def test_empty_file(text: str) -> None:
    assert load_problems(text) == ["1:1: file is empty"]


def test_top_level_must_be_a_mapping() -> None:
    assert load_problems("# header\n- agreement: a\n") == [
        "2:1: the top level must be a mapping of fields, got a list"
    ]


def test_control_character_is_positioned() -> None:
    assert load_problems("agreement: a\npartner: glo\x07bex\n") == [
        "2:13: invalid character #x0007 (special characters are not allowed)"
    ]


def test_norway_stays_text_and_only_true_false_are_booleans() -> None:
    text = (
        "country: NO\nanswer: yes\nswitch: off\nshort: n\na: true\nb: False\nc: TRUE\nd: 'true'\n"
    )
    assert load_yaml_text(text, PATH).data == {
        "country": "NO",
        "answer": "yes",
        "switch": "off",
        "short": "n",
        "a": True,
        "b": False,
        "c": True,
        "d": "true",
    }


def test_dates_and_times_stay_text() -> None:
    text = "effective: 2026-02-30\nvalid: 2025-01-01\nat: 2026-02-10T10:00:00Z\ncutoff: 10:30\n"
    assert load_yaml_text(text, PATH).data == {
        "effective": "2026-02-30",
        "valid": "2025-01-01",
        "at": "2026-02-10T10:00:00Z",
        "cutoff": "10:30",
    }


def test_numbers_follow_yaml_1_2() -> None:
    text = (
        "a: 72\nb: -3\nc: 1.5\nd: 1e3\ne: 0\nf: 0123\ng: 0x1F\nh: .nan\ni: 1_000\n"
        "j: ~\nk:\nl: null\nm: '72'\n"
    )
    assert load_yaml_text(text, PATH).data == {
        "a": 72,
        "b": -3,
        "c": 1.5,
        "d": 1000.0,
        "e": 0,
        "f": "0123",
        "g": "0x1F",
        "h": ".nan",
        "i": "1_000",
        "j": None,
        "k": None,
        "l": None,
        "m": "72",
    }


def test_keys_are_always_text() -> None:
    assert load_yaml_text("1: a\ntrue: b\nnull: c\n", PATH).data == {
        "1": "a",
        "true": "b",
        "null": "c",
    }


def test_load_yaml_reads_a_file(tmp_path: Path) -> None:
    rule_file = tmp_path / "globex.yaml"
    rule_file.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    document = load_yaml(str(rule_file))
    assert document.path == str(rule_file)
    assert document.data["partner"] == "globex"
    assert document.position_of(("partner",)) == Position(2, 1)


def test_load_yaml_reports_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    with pytest.raises(InputError) as raised:
        load_yaml(missing)
    assert raised.value.diagnostics[0].message.startswith("cannot read file: ")

    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"agreement: a\ntitle: Vertrag M\xfcnchen\n")
    with pytest.raises(InputError) as raised:
        load_yaml(str(latin1))
    [problem] = raised.value.diagnostics
    assert (problem.line, problem.message) == (2, "file is not valid UTF-8 (byte 0xfc)")


# Positions


def test_positions_of_keys_values_and_list_items() -> None:
    document = load_yaml_text(VALID, PATH)
    assert document.key_position(("clauses", 0, "territory")) == Position(7, 5)
    assert document.value_position(("clauses", 0, "territory")) == Position(7, 16)
    assert document.value_position(("clauses", 0, "territory", 1)) == Position(7, 21)
    # A mapping entry points at its key, a list item at its value.
    assert document.position_of(("clauses", 1, "within_hours")) == Position(10, 5)
    assert document.position_of(("clauses", 1)) == Position(8, 5)
    assert document.value_position_of(("clauses", 1, "within_hours")) == Position(10, 19)


def test_position_of_strips_union_tags_and_falls_back_to_ancestors() -> None:
    document = load_yaml_text(VALID, PATH)
    assert document.data_path(("clauses", 0, "exclusivity", "territory")) == (
        "clauses",
        0,
        "territory",
    )
    assert document.position_of(("clauses", 0, "exclusivity", "territory")) == Position(7, 5)
    assert document.position_of(("clauses", 1, "response_time", "severity")) == Position(8, 5)
    assert document.position_of(("clauses", 7)) == Position(4, 1)
    assert document.position_of(()) == Position(1, 1)
    assert document.key_position(("nowhere",)) is None


# Validation errors


def test_unknown_field_in_a_list_item_suggests_the_right_name() -> None:
    text = with_lines(VALID, {"    territory: [DE, AT]": "    teritory: [DE, AT]"})
    diagnostics = validation_diagnostics(text)
    # The misspelling is also why 'territory' is missing: reported once, as the misspelling.
    assert [f"{d.line}:{d.column}: {d.message}" for d in diagnostics] == [
        "7:5: unknown field 'teritory'",
    ]
    assert diagnostics[0].help == "did you mean 'territory'?"
    assert diagnostics[0].snippet == "    teritory: [DE, AT]"


def test_unknown_field_without_a_close_match_lists_the_allowed_fields() -> None:
    text = with_lines(VALID, {"partner: globex": "partner: globex\nsigned_by: Jane"})
    [problem] = validation_diagnostics(text)
    assert (problem.line, problem.column, problem.message) == (3, 1, "unknown field 'signed_by'")
    assert problem.help == "allowed fields here: agreement, partner, effective, reference, clauses"


def test_missing_field_points_at_the_mapping_that_lacks_it() -> None:
    text = with_lines(VALID, {"    within_hours: 72\n": ""})
    assert validation_problems(text) == ["8:5: missing required field 'within_hours'"]
    top_level = with_lines(VALID, {"partner: globex\n": ""})
    assert validation_problems(top_level) == ["1:1: missing required field 'partner'"]


def test_unknown_clause_kind_suggests_the_right_kind() -> None:
    text = with_lines(VALID, {"kind: exclusivity": "kind: exclusivty"})
    [problem] = validation_diagnostics(text)
    assert (problem.line, problem.column) == (6, 11)
    assert problem.message == "unknown clause kind 'exclusivty'"
    assert problem.help == "did you mean 'exclusivity'?"


def test_missing_kind() -> None:
    text = with_lines(VALID, {"    kind: response_time\n": ""})
    [problem] = validation_diagnostics(text)
    assert (problem.line, problem.column, problem.message) == (8, 5, "missing field 'kind'")
    assert problem.help == "add 'kind:' with one of: exclusivity, response_time"


def test_invalid_date_is_a_positioned_error_not_a_crash() -> None:
    text = with_lines(VALID, {"effective: 2025-01-01": "effective: 2026-02-30"})
    [problem] = validation_diagnostics(text)
    assert (problem.line, problem.column) == (3, 12)
    assert problem.message == "'2026-02-30' is not a valid date (use YYYY-MM-DD)"
    assert problem.help == "February 2026 has 28 days"


def test_wrong_type() -> None:
    text = with_lines(VALID, {'id: "9.3"': "id: 9.3", "within_hours: 72": "within_hours: soon"})
    diagnostics = validation_diagnostics(text)
    assert [f"{d.line}:{d.column}: {d.message}" for d in diagnostics] == [
        "8:9: expected text here, got the number 9.3",
        "10:19: expected a whole number here, got the text 'soon'",
    ]
    assert diagnostics[0].help == "put the value in quotes to make it text"


def test_wrong_types_from_one_union_merge_into_one_diagnostic() -> None:
    text = with_lines(VALID, {"partner: globex": "partner: globex\nreference: {a: 1}"})
    assert validation_problems(text) == [
        "3:12: expected a whole number or a list here, got a mapping"
    ]


def test_empty_value() -> None:
    text = with_lines(VALID, {"partner: globex": "partner:"})
    [problem] = validation_diagnostics(text)
    assert (problem.line, problem.column) == (2, 9)
    assert problem.message == "expected text here, got nothing"
    assert problem.help == "fill in a value"


def test_literal_value_suggests_the_right_one() -> None:
    text = with_lines(VALID, {"within_hours: 72": "within_hours: 72\n    severity: hihg"})
    [problem] = validation_diagnostics(text)
    assert (problem.line, problem.column) == (11, 15)
    assert problem.message == "'hihg' is not one of: low, high"
    assert problem.help == "did you mean 'high'?"


def test_custom_validator_message_without_pydantic_prefix() -> None:
    text = with_lines(VALID, {"territory: [DE, AT]": "territory: []"})
    assert validation_problems(text) == ["7:16: an exclusive territory needs at least one country"]


def test_five_mistakes_give_five_diagnostics_in_one_run() -> None:
    text = """\
agreement: globex-reseller-2025
effective: 2026-02-30
clauses:
  - id: "4.1"
    kind: exclusivity
    teritory: [DE]
  - id: "9.3"
    kind: respons_time
  - id: 12
    kind: response_time
    within_hours: 72
"""
    assert validation_problems(text) == [
        "1:1: missing required field 'partner'",
        "2:12: '2026-02-30' is not a valid date (use YYYY-MM-DD)",
        "6:5: unknown field 'teritory'",
        "8:11: unknown clause kind 'respons_time'",
        "9:9: expected text here, got the whole number 12",
    ]


def test_diagnostics_from_validation_directly() -> None:
    document = load_yaml_text(with_lines(VALID, {"partner: globex": "partnr: globex"}), PATH)
    with pytest.raises(ValidationError) as raised:
        Agreement.model_validate(document.data)
    diagnostics = diagnostics_from_validation(document, raised.value, Agreement)
    assert [(d.line, d.column, d.message, d.help) for d in diagnostics] == [
        (2, 1, "unknown field 'partnr'", "did you mean 'partner'?"),
    ]


def test_render_shows_the_line_and_a_caret() -> None:
    text = with_lines(VALID, {"    territory: [DE, AT]": "    teritory: [DE, AT]"})
    [problem] = validation_diagnostics(text)
    assert problem.render() == (
        "rules/globex.yaml:7:5: error: unknown field 'teritory'\n"
        "        teritory: [DE, AT]\n"
        "        ^\n"
        "  help: did you mean 'territory'?"
    )


def test_allowed_fields_walks_lists_and_discriminated_unions() -> None:
    assert allowed_fields(Agreement, ()) == [
        "agreement",
        "partner",
        "effective",
        "reference",
        "clauses",
    ]
    assert allowed_fields(Agreement, ("clauses", 0, "response_time")) == [
        "kind",
        "id",
        "within_hours",
        "severity",
    ]
    assert allowed_fields(Agreement, ("clauses", 3)) == [
        "kind",
        "id",
        "territory",
        "within_hours",
        "severity",
    ]
    assert allowed_fields(Agreement, ("partner",)) == []
    assert allowed_values(Agreement, ("clauses", 0, "kind")) == ["exclusivity", "response_time"]


def test_source_document_diagnostic_helper() -> None:
    document = SourceDocument(path=PATH, data={}, text_lines=["agreement: a"])
    problem = document.diagnostic(Position(1, 12), "agreement ids are lowercase")
    assert problem.snippet == "agreement: a"
    assert problem.location == "rules/globex.yaml:1:12"


def test_libyaml_fast_path_gives_the_same_data_and_positions_as_the_checking_composer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    from checker.rulebook import yaml_source

    for path in sorted(Path("rules").glob("*.yaml")):
        text = path.read_text()
        fast = yaml_source.load_yaml_text(text, str(path))
        with monkeypatch.context() as patched:
            patched.setattr(yaml_source, "_compose_fast", lambda _text: None)
            checked = yaml_source.load_yaml_text(text, str(path))
        assert fast.data == checked.data
        assert fast.key_positions == checked.key_positions
        assert fast.value_positions == checked.value_positions


# Limits: what no rule file needs, refused before it costs minutes or gigabytes


@pytest.mark.parametrize("slow_path", ["", "# 100%\n"], ids=["libyaml", "checking composer"])
def test_nesting_is_limited_to_max_depth_levels(slow_path: str) -> None:
    def nested(levels: int) -> str:  # the top-level mapping is the first level
        return slow_path + "notes: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"

    assert load_yaml_text(nested(MAX_DEPTH), PATH).data is not None
    line = 1 + slow_path.count("\n")
    assert load_problems(nested(MAX_DEPTH + 1)) == [
        f"{line}:{7 + MAX_DEPTH}: nested more than {MAX_DEPTH} levels deep"
    ]
    assert load_problems(nested(100_000)) == [
        f"{line}:{7 + MAX_DEPTH}: nested more than {MAX_DEPTH} levels deep"
    ]


def test_block_nesting_is_limited_too() -> None:
    text = "".join("  " * level + f"k{level}:\n" for level in range(MAX_DEPTH + 5))
    assert load_problems(text) == [
        f"{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: nested more than {MAX_DEPTH} levels deep"
    ]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("agreement: a\n# " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")

    with pytest.raises(InputError) as raised:
        load_yaml(str(path))
    with pytest.raises(InputError) as from_text:
        load_yaml_text(path.read_text(encoding="utf-8"), str(path))

    [problem] = raised.value.diagnostics
    assert problem.message == "the file is 2.0 MB; a rule file may be at most 2 MB"
    assert from_text.value.diagnostics == raised.value.diagnostics


def test_a_lone_surrogate_escape_is_positioned() -> None:
    # YAML escapes are code points: a character beyond U+FFFF is written \U0001F600, and
    # "\ud83d\ude00" is two lone halves.
    text = 'agreement: a\ntitle: "bad\\ud800name"\nowner: "\\U0001F600"\n'
    assert load_problems(text) == [
        "2:8: lone surrogate '\\ud800' (half of a UTF-16 pair, not a character)"
    ]
