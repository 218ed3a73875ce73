"""What docs/clauses.md (and `explain --kind`) tell an author to write is what validation
accepts: every field name its tables show is a key a rule file may use at that place, and each
form a clause field's "Fields inside" tables document is accepted there.

The tables are read from the generated Markdown itself, so a generator printing Python names
(`from_`, `with_`) or a form the model refuses (an obligation `when: {each: anniversary}`) fails
here however it came about."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from pydantic import BaseModel, ValidationError

from checker.authoring.kind_docs import kind_doc, models_in
from checker.authoring.kind_docs_markdown import render_markdown
from checker.authoring.kind_docs_terminal import render_kind
from checker.clauses import KINDS
from checker.common.diagnostics import InputError
from checker.rulebook.agreement import Agreement
from checker.rulebook.validation_errors import validate_document
from checker.rulebook.yaml_source import load_yaml_text

_HEADER = "| Field | Type | Required | Description | Example |"
_CELL_BREAK = re.compile(r"(?<!\\) \| ")
_HOLDERS = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Row:
    key: str
    required: bool
    example: str  # YAML flow text, "" when the docs show none


@dataclass(frozen=True)
class Table:
    heading: str  # "" for a kind's own fields, else the ### heading above the table
    rows: tuple[Row, ...]

    @property
    def holders(self) -> list[str]:
        """The fields a "Fields inside `a` and `b`" table is inside."""
        if not self.heading.startswith("Fields inside "):
            return []
        return _HOLDERS.findall(self.heading)


def _tables(section: str) -> list[Table]:
    tables: list[Table] = []
    heading = ""
    lines = section.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("### "):
            heading = line.removeprefix("### ")
        if line != _HEADER:
            continue
        rows = []
        for row in lines[number + 2 :]:
            if not row.startswith("| "):
                break
            cells = _CELL_BREAK.split(row.removeprefix("| ").removesuffix(" |"))
            key, _type, need, _description, example = cells
            assert re.fullmatch(r"`[^`]+`", key), row
            rows.append(
                Row(
                    key=key.strip("`"),
                    required=need == "yes",
                    example=example.strip("`").replace("\\|", "|"),
                )
            )
        tables.append(Table(heading, tuple(rows)))
    return tables


def _kind_sections() -> dict[str, str]:
    sections = render_markdown().split("\n## `")[1:]
    return {section.split("`", 1)[0]: section for section in sections}


KIND_TABLES = {name: _tables(section) for name, section in _kind_sections().items()}


def _problems(kind: str, changes: dict[str, str], *, example: bool = True) -> list[str]:
    """What validation says of the kind's own example (or of nothing else) with `changes`
    (key: YAML flow text)."""
    fields = {}
    if example:
        fields = {key: json.dumps(value) for key, value in kind_doc(kind).example_clause().items()}
    fields.update(changes)
    clause = "{" + ", ".join(f"{json.dumps(key)}: {value}" for key, value in fields.items()) + "}"
    text = (
        "agreement: keys\ntitle: Keys\nparties: {us: northwind, partner: globex}\n"
        "effective: 2025-01-01\nexpires: 2028-12-31\nowner: legal\n"
        f"clauses:\n  - {clause}\n"
    )
    try:
        validate_document(load_yaml_text(text, "keys.yaml"), Agreement)
    except InputError as error:
        return [diagnostic.message for diagnostic in error.diagnostics]
    return []


def test_the_tables_are_read() -> None:
    """The reading above finds what a reader sees: the obligation's own fields and its parts."""
    tables = KIND_TABLES["obligation"]
    assert tables[0].heading == ""
    assert [row.key for row in tables[0].rows][:5] == ["id", "title", "kind", "from", "until"]
    assert tables[0].rows[3] == Row("from", False, "2026-07-01")
    assert tables[1].holders == ["until"]
    assert ["when", "do", "notice"] in [table.holders for table in tables]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_key_a_kind_documents_is_accepted(kind: str) -> None:
    """A clause using each of its kind's documented keys (with the documented example, or null)
    has no 'unknown field' error: the docs print the keys an author writes (`from`, not the
    Python attribute `from_`)."""
    (own, *_parts) = KIND_TABLES[kind]
    assert own.heading == ""
    unknown = [
        (row.key, message)
        for row in own.rows
        for message in _problems(kind, {row.key: row.example or "null"})
        if message.startswith("unknown field")
    ]
    assert unknown == []


def _models_by_key(root: type[BaseModel]) -> dict[str, set[type[BaseModel]]]:
    """Every model reachable from `root`, under the rule-file key of each field holding it."""
    found: dict[str, set[type[BaseModel]]] = {}
    seen: set[type[BaseModel]] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            for used in models_in(info.annotation):
                found.setdefault(info.alias or name, set()).add(used)
                visit(used)

    visit(root)
    return found


def _accepts(model: type[BaseModel], keys: list[str]) -> bool:
    """Whether validating `model` from these keys reports none of them as an unknown field."""
    try:
        model.model_validate(dict.fromkeys(keys))
    except ValidationError as error:
        return not any(details["type"] == "extra_forbidden" for details in error.errors())
    return True


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_key_inside_a_kinds_fields_is_accepted_there(kind: str) -> None:
    """Each "Fields inside `h`" table's keys are accepted together by a model that `h` holds."""
    models = _models_by_key(KINDS[kind])
    refused = [
        (table.heading, holder)
        for table in KIND_TABLES[kind]
        for holder in table.holders
        if not any(
            _accepts(model, [row.key for row in table.rows]) for model in models.get(holder, ())
        )
    ]
    assert refused == []


def test_keys_inside_the_agreements_fields_are_accepted_there() -> None:
    text = render_markdown()
    agreement = text.split("\n## The agreement\n", 1)[1].split("\n## ", 1)[0]
    blocks = text.split("\n## Building blocks\n", 1)[1].split("\n## ", 1)[0]
    models = _models_by_key(Agreement)
    tables = _tables(agreement)
    assert [row.key for row in tables[0].rows][:2] == ["agreement", "title"]
    assert _accepts(Agreement, [row.key for row in tables[0].rows])
    for table in tables[1:]:
        assert table.holders, table.heading
        for holder in table.holders:
            assert any(_accepts(model, [row.key for row in table.rows]) for model in models[holder])
    (patterns,) = _tables(blocks)  # the fact patterns of the older kinds
    assert any(
        _accepts(model, [row.key for row in patterns.rows])
        for kind in KINDS.values()
        for model in _models_by_key(kind).get("measure", ())
    ), patterns.rows


# The least a clause of each norm needs besides the field under test.
MINIMAL = {
    "obligation": {
        "id": '"1"',
        "title": "Duty",
        "kind": "obligation",
        "by": "partner",
        "do": "{fact: report.sent}",
        "within": "30d",
    },
    "right": {"id": '"1"', "title": "Right", "kind": "right", "holder": "us"},
}


def _trigger_forms(kind: str, field: str) -> list[str]:
    """Each form the "Fields inside `field`" tables document, written with the table's
    required keys and their examples."""
    forms = []
    for table in KIND_TABLES[kind][1:]:
        required = [row for row in table.rows if row.required]
        if field in table.holders and required and all(row.example for row in required):
            forms.append("{" + ", ".join(f"{row.key}: {row.example}" for row in required) + "}")
    return forms


@pytest.mark.parametrize(("kind", "field"), [("obligation", "when"), ("right", "arises")])
def test_each_documented_trigger_is_accepted(kind: str, field: str) -> None:
    """An obligation's `when: {each: anniversary}` was documented and refused; a right's
    `arises: {each: quarter}` too."""
    forms = _trigger_forms(kind, field)
    assert "{fact: deal.closed}" in forms
    refused = [
        (form, problems)
        for form in forms
        # A form referring to another clause is refused for the clause it names, not its form.
        if (
            problems := [
                problem
                for problem in _problems(kind, {**MINIMAL[kind], field: form}, example=False)
                if "which is not a norm of this agreement" not in problem
            ]
        )
    ]
    assert refused == []


def test_norms_document_only_the_triggers_they_take() -> None:
    """An obligation is never created by an anniversary (a duty each year is {each: year}); a
    right never arises at the end or at the end of each period."""
    obligation = _kind_sections()["obligation"]
    assert (
        "| `when` | one of: start, end or date or each period or on breach or on exercise or "
        "on fulfilment or pattern | yes |"
    ) in obligation
    assert "each anniversary" not in obligation
    assert (
        "| `arises` | one of: start or date or each anniversary or on breach or on exercise or "
        "on fulfilment or pattern | yes |"
    ) in _kind_sections()["right"]


def test_explain_kind_prints_the_keys_an_author_writes() -> None:
    """`explain --kind` reads the same field docs: `from`, `with`, `not` and `for`."""
    obligation = render_kind("obligation")
    assert "\n  from (date; optional)\n" in obligation
    assert "\n  with (one of: parties, others, anyone; optional)\n" in obligation
    assert "\n  not (value, or list of values; optional)\n" in obligation
    assert "\n  for (duration; optional)\n" in render_kind("right")
    for kind in KINDS:
        assert not re.search(r"\n  \w+_ \(", render_kind(kind)), kind


@pytest.mark.parametrize(
    ("kind", "field", "form", "message"),
    [
        (
            "obligation",
            "when",
            "{each: anniversary}",
            "'each: anniversary' opens a right's window; a duty each year is 'when: {each: year}'",
        ),
        (
            "right",
            "arises",
            "{each: quarter}",
            "a right arises from a fact, a breach, the start, a date or each anniversary",
        ),
        (
            "right",
            "arises",
            "end",
            "a right arises from a fact, a breach, the start, a date or each anniversary",
        ),
    ],
)
def test_a_trigger_a_norm_does_not_take_is_refused_in_one_sentence(
    kind: str, field: str, form: str, message: str
) -> None:
    """Not one error per form of trigger it does not match: what to write instead."""
    assert _problems(kind, {**MINIMAL[kind], field: form}, example=False) == [message]
