"""Documentation of the clause kinds, generated from the kinds themselves: the Markdown of
docs/clauses.md, and one kind as plain text for the terminal (`render_kind`).

What a kind says about itself: its module docstring (an introduction, an ``Example::`` YAML block
and details on how it is checked), its `kind_summary`, its fields with their types, defaults,
descriptions and examples, and the codes of the findings it reports (`finding_codes`). Run ``python -m checker.authoring.kind_docs --output docs/clauses.md`` (or
``make docs``) after changing any of them.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from checker.clauses import KINDS
from checker.clauses.base import Amendment, Clause, FindingCode
from checker.clauses.patterns import FactPattern
from checker.common.diagnostics import InputError
from checker.common.suggest import closest
from checker.common.text_output import write_atomically
from checker.dates.timeutil import Duration
from checker.rulebook.agreement import Agreement
from checker.rulebook.finding_codes import ANY_CLAUSE, TERM, codes_by_kind
from checker.rulebook.yaml_source import load_yaml_text

DOCS_FILE = "docs/clauses.md"
GENERATED_NOTICE = (
    "<!-- Generated from the clause kinds in checker/clauses/ and the models in checker/.\n"
    "     Do not edit: change the kinds' docstrings and fields, then run `make docs`. -->"
)
EXAMPLE_MARKER = "Example::"
TEXT_WIDTH = 96
# Models documented once under "Building blocks" rather than under every kind that uses them.
SHARED_MODELS: tuple[type[BaseModel], ...] = (FactPattern,)
_SCALARS = (str, int, float, bool)


class UnknownKind(ValueError):
    """A clause kind name that no registered kind has."""


class KindDocError(ValueError):
    """A kind's own documentation is incomplete (no docstring, no example)."""


# What a kind says about itself ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindDoc:
    """One clause kind's documentation, as the kind's class and module state it."""

    name: str
    model: type[Clause]
    summary: str
    introduction: str
    example: str  # YAML of one clause (a list item), dedented
    details: str

    def example_clause(self) -> dict[str, Any]:
        """The example as rule-file data (dates stay text, as the rule-file loader keeps them)."""
        # The rule-file loader reads whole files, whose top level is a mapping: nest the item.
        text = "clauses:\n" + textwrap.indent(self.example, "  ")
        try:
            document = load_yaml_text(text, f"the {self.name} example")
        except InputError as error:
            reasons = "; ".join(d.message for d in error.diagnostics)
            raise KindDocError(
                f"the example of kind '{self.name}' is not valid YAML: {reasons}"
            ) from None
        data = document.data["clauses"]
        if not (isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict)):
            raise KindDocError(
                f"the example of kind '{self.name}' must be one clause written as a list item"
            )
        clause: dict[str, Any] = data[0]
        return clause


def kind_names() -> list[str]:
    """Every clause kind's name, sorted."""
    return sorted(KINDS)


def kind_doc(name: str) -> KindDoc:
    """The documentation of kind `name`; raises `UnknownKind` (with a suggestion) if none."""
    if name not in KINDS:
        raise UnknownKind(_unknown_kind_message(name))
    return _kind_doc(name)


@cache
def _kind_doc(name: str) -> KindDoc:
    model = KINDS[name]
    if not model.kind_summary:
        raise KindDocError(f"kind '{name}' ({model.__name__}) has no kind_summary")
    docstring = sys.modules[model.__module__].__doc__ or ""
    before, marker, after = docstring.partition(EXAMPLE_MARKER)
    if not marker:
        raise KindDocError(
            f"the module docstring of kind '{name}' ({model.__module__}) has no "
            f"'{EXAMPLE_MARKER}' block"
        )
    example_lines: list[str] = []
    rest = after.splitlines()[1:]
    while rest and (not rest[0].strip() or rest[0].startswith((" ", "\t"))):
        example_lines.append(rest.pop(0))
    example = textwrap.dedent("\n".join(example_lines)).strip("\n")
    if not example:
        raise KindDocError(f"the '{EXAMPLE_MARKER}' block of kind '{name}' is empty")
    return KindDoc(
        name=name,
        model=model,
        summary=model.kind_summary,
        introduction=_paragraphs(before),
        example=example + "\n",
        details=_paragraphs("\n".join(rest)),
    )


def _unknown_kind_message(name: str) -> str:
    match = closest(name, kind_names())
    hint = f" (did you mean '{match}'?)" if match else ""
    return f"unknown clause kind '{name}'{hint}; the kinds are: {', '.join(kind_names())}"


def _paragraphs(text: str) -> str:
    """Docstring text with each paragraph's lines joined: wrapping is the renderer's job."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in text.split("\n\n")]
    return "\n\n".join(block for block in blocks if block)


# Fields ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDoc:
    """One field of a model, in the words the documentation uses."""

    name: str
    type_words: str
    required: bool
    default: str  # "" when required or when leaving it out means "not set"
    description: str
    example: str  # "" when the field declares no example


def field_docs(model: type[BaseModel]) -> list[FieldDoc]:
    """Every field of `model`. A clause's fields read as a clause does: id, title and kind first,
    then the kind's own terms, then severity and amendments."""
    docs = [_field_doc(name, info) for name, info in model.model_fields.items()]
    if not issubclass(model, Clause):
        return docs
    first, last = ("id", "title", "kind"), ("severity", "amended")
    docs.sort(key=lambda doc: (doc.name not in first, doc.name in last))
    return [_clause_field(model, doc) for doc in docs]


def _clause_field(model: type[Clause], doc: FieldDoc) -> FieldDoc:
    """The parts of a clause field that depend on the kind: `kind` itself and amendments."""
    name = next((name for name, cls in KINDS.items() if cls is model), None)
    if name is None:
        return doc
    if doc.name == "kind":
        return replace(
            doc,
            type_words="text",
            description=f"Always {name} for this kind of clause",
            example=name,
        )
    # The kind's own example says best what its id, title and amendments look like.
    example = kind_doc(name).example_clause().get(doc.name)
    if doc.name in ("id", "title", "amended") and example is not None:
        return replace(doc, example=flow(example))
    return doc


def _field_doc(name: str, info: FieldInfo) -> FieldDoc:
    default = ""
    if not info.is_required():
        value = info.get_default(call_default_factory=True)
        # Leaving out a field with no value or an empty list means "none": nothing to show.
        default = "" if value in (None, [], {}) else flow(value)
    examples = info.examples or []
    return FieldDoc(
        name=name,
        type_words=type_words(info.annotation),
        required=info.is_required(),
        default=default,
        description=(info.description or "").strip(),
        example=flow(examples[0]) if examples else "",
    )


def type_words(annotation: Any) -> str:
    """A field's type in plain words: "duration", "list of text", "one of: month, quarter"."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return type_words(args[0])
    if origin in (Union, types.UnionType):
        options = [option for option in args if option is not type(None)]
        if len(options) == 1:
            return type_words(options[0])
        if all(option in _SCALARS for option in options):
            return "value (text, number or true/false)"
        lists = [option for option in options if get_origin(option) is list]
        if len(lists) == 1 and all(option in _SCALARS for option in options if option not in lists):
            return "value, or list of values"
        if all(isinstance(option, type) and issubclass(option, Clause) for option in options):
            return "clause"
        return " or ".join(type_words(option) for option in options)
    if origin is list:
        return f"list of {type_words(args[0])}"
    if origin is dict:
        return "conditions (field: value)"
    if origin is Literal:
        return "one of: " + ", ".join(str(value) for value in args)
    if isinstance(annotation, type):
        return _class_words(annotation)
    return str(annotation)


def _class_words(cls: type) -> str:
    if issubclass(cls, Enum):
        return "one of: " + ", ".join(str(member.value) for member in cls)
    if issubclass(cls, BaseModel):
        return model_words(cls)
    simple = {
        str: "text",
        bool: "true or false",
        int: "whole number",
        float: "number",
        date: "date",
        Duration: "duration",
    }
    return simple.get(cls, cls.__name__)


def model_words(model: type[BaseModel]) -> str:
    """`MeasuredField` -> "measured field"."""
    return " ".join(re.findall(r"[A-Z][a-z0-9]*", model.__name__)).lower()


def flow(value: Any) -> str:
    """A value as it would be written in a rule file, on one line (YAML flow style)."""
    if isinstance(value, BaseModel):
        return flow(value.model_dump(mode="python", exclude_defaults=True))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    if isinstance(value, str) and _needs_quotes(value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _needs_quotes(text: str) -> bool:
    """Whether text written bare in a rule file would read as something else: "4.1" as a number,
    "true" as a flag, "a, b" as two items of a list."""
    for written, expected in ((f"value: {text}", text), (f"value: [{text}]", [text])):
        try:
            document = load_yaml_text(written + "\n", "<value>")
        except InputError:
            return True
        if document.data != {"value": expected}:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Part:
    """A model nested in another's fields (a cure period inside a milestones clause), and the
    fields that hold it."""

    model: type[BaseModel]
    fields: tuple[str, ...]

    @property
    def heading(self) -> str:
        return "Fields inside " + " and ".join(f"`{name}`" for name in self.fields)


def nested_parts(model: type[BaseModel]) -> list[Part]:
    """Models used by `model`'s fields (recursively), in order of first use, each with the
    fields that hold it; clause kinds, amendments and shared building blocks are documented
    elsewhere."""
    holders: dict[type[BaseModel], list[str]] = {}

    def visit(current: type[BaseModel]) -> None:
        for name, info in current.model_fields.items():
            for used in _models_in(info.annotation):
                if issubclass(used, Clause) or used is Amendment or used in SHARED_MODELS:
                    continue
                first_use = used not in holders
                fields = holders.setdefault(used, [])
                if name not in fields:
                    fields.append(name)
                if first_use:
                    visit(used)

    visit(model)
    return [Part(used, tuple(fields)) for used, fields in holders.items()]


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in get_args(annotation):
        yield from _models_in(argument)


# Terminal text -----------------------------------------------------------------------------


def render_kind(name: str) -> str:
    """One kind as plain text for the terminal: summary, fields, parts, example and details.

    Raises `UnknownKind` with a did-you-mean suggestion when no kind is called `name`.
    """
    doc = kind_doc(name)
    lines = [f"Clause kind: {doc.name}", doc.summary, ""]
    lines += [_wrap(paragraph, "") + "\n" for paragraph in doc.introduction.split("\n\n")]
    lines += ["Fields:", *_text_fields(doc.model), ""]
    for part in nested_parts(doc.model):
        lines.append(part.heading.replace("`", "") + ":")
        if part.model.__doc__:
            lines += [_wrap(_paragraphs(part.model.__doc__), "  ")]
        lines += [*_text_fields(part.model), ""]
    lines += ["Findings (code, kind of finding, what it means):"]
    for code in codes_by_kind()[doc.name]:
        lines += [f"  {code.code} ({code.kind.value})", _wrap(code.meaning, "      ")]
    lines += ["Like any clause, it can also have:"]
    for code in ANY_CLAUSE:
        lines += [f"  {code.code} ({code.kind.value})", _wrap(code.meaning, "      ")]
    lines += [""]
    lines += ["Example:", textwrap.indent(doc.example.rstrip("\n"), "    "), ""]
    if doc.details:
        lines.append("How it is checked:")
        lines += [_wrap(paragraph, "  ") + "\n" for paragraph in doc.details.split("\n\n")]
    lines.append("Fact patterns, durations, dates and amendments are explained in docs/clauses.md.")
    return "\n".join(lines) + "\n"


def _text_fields(model: type[BaseModel]) -> list[str]:
    lines: list[str] = []
    for field in field_docs(model):
        need = "required" if field.required else "optional"
        lines.append(f"  {field.name} ({field.type_words}; {need})")
        if field.description:
            lines.append(_wrap(field.description, "      "))
        if field.default:
            lines.append(_wrap(f"Default: {field.default}", "      "))
        if field.example:
            lines.append(_wrap(f"Example: {field.example}", "      "))
    return lines


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(
        text,
        width=TEXT_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


# Markdown ----------------------------------------------------------------------------------

_INTRODUCTION = """\
A rule file describes one agreement: a few fields about the agreement itself, then its clauses.
Every clause has an `id`, a `title` and a `kind`; the kind decides which other fields it takes.
This page lists the fields of the agreement, the building blocks the kinds share, and every kind
with its fields and an example. To read one kind in the terminal, run
`contract-checker explain --kind <kind>`. Editors that understand JSON Schema (VS Code with the
Red Hat YAML extension) suggest and check the same fields as you type, from
`schema/agreement.schema.json`."""

_FACT_PATTERNS = """\
A fact pattern picks the facts a clause looks at: the fact type (`fact`), conditions every such
fact must meet (`where`), and carve-outs (`unless`) that exempt a fact meeting all the conditions
of any one of them. A condition names a fact field and the value it must have, or a list of
values meaning "any of these": `where: {territory: [DE, AT], channel: direct}`."""

_DURATIONS = """\
A duration is a whole number and a unit: `72h` or `72 hours`, `30d` or `30 days`, `2w` or
`2 weeks` (14 days), `6m` or `6 months`, `1y` or `1 year`, and `10bd`, `10 business days` or
`10 working days`. Hours are exact (72h after 10:00 on a Monday is 10:00 on the Thursday, UTC);
days, weeks, months and years follow the calendar (a month after 31 January is the last day of
February). Business days skip weekends and the public holidays of the agreement's `calendar`
(for example `calendar: {country: DE, subdivision: BY}`), which an agreement must name to use
them."""

_AGREEMENT = """\
Give either `expires` (the last day of a fixed term) or `term` (an initial term that renews
automatically), not both. `calendar` is needed only when a clause counts in business days."""

_DATES = """\
Dates are written year-month-day: `2026-03-31`. A date that ends something (`expires`, a
milestone's `due`, a window's `closes`) includes the whole of that day, up to 23:59:59 UTC."""

_FINDINGS = """\
Every finding has a kind: `breach` (an obligation was broken), `trigger` (a right or option arose,
such as a right to terminate), `deadline` (something falls due within the horizon) or `error` (a
clause could not be checked, so it is not known to be complied with). It also has a code that says
exactly what was found, such as `milestone.missed`. Scenario files (`expect`, `expect_not`) and
waivers (`code`) name findings by these codes; a code that no finding has, or that the clause named
never reports, is an error. Each clause kind lists its codes below, under "Findings". Any agreement
can also have these findings:"""

_AMENDMENTS = """\
Any clause may list amendments under `amended`. Each amendment gives the day it takes effect
(`effective`) and the fields it changes, written as they read from that day on; everything it
does not mention stays as it was. Amendments apply in order, each to the terms as the earlier
ones left them, so each must take effect after the one before. An amendment may change any field
of its clause except `id`, `kind` and `amended`. For example, France joins an exclusive territory
from 1 July 2026:

```yaml
  - id: "4.1"
    title: Exclusive territory
    kind: exclusivity
    territory: [DE, AT, CH]
    forbids:
      - {fact: deal.closed, where: {channel: direct}}
    amended:
      - {effective: 2026-07-01, territory: [DE, AT, CH, FR]}
```"""


def render_markdown() -> str:
    """The whole of docs/clauses.md: agreement fields, building blocks and every kind."""
    docs = [kind_doc(name) for name in kind_names()]
    out = [GENERATED_NOTICE, "", "# Rule files: the agreement and its clause kinds", ""]
    out += [_INTRODUCTION, "", "## Contents", ""]
    out += [
        "- [The agreement](#the-agreement)",
        "- [Findings and their codes](#findings-and-their-codes)",
        "- [Building blocks](#building-blocks): fact patterns, durations, dates, amendments",
        "- Clause kinds:",
    ]
    out += [f"  - [`{doc.name}`](#{doc.name}): {doc.summary}" for doc in docs]
    out += ["", "## The agreement", "", _paragraphs(Agreement.__doc__ or ""), "", _AGREEMENT, ""]
    out += _markdown_fields(Agreement)
    out += _markdown_parts(Agreement, "###")
    out += ["## Findings and their codes", "", _FINDINGS, ""]
    out += _markdown_codes(
        [(f"clause `{TERM}` (the agreement's own term)", code) for code in codes_by_kind()[TERM]]
        + [("any clause (`*`: the whole agreement)", code) for code in ANY_CLAUSE]
    )
    out += ["## Building blocks", ""]
    for model in SHARED_MODELS:
        out += [f"### {model_words(model).capitalize()}s", "", _FACT_PATTERNS, ""]
        out += _markdown_fields(model)
    out += ["### Durations", "", _DURATIONS, "", "### Dates", "", _DATES, ""]
    out += ["### Amendments", "", _AMENDMENTS, ""]
    for doc in docs:
        out += _markdown_kind(doc)
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_kind(doc: KindDoc) -> list[str]:
    out = [f"## `{doc.name}`", "", f"**{doc.summary}**", ""]
    out += [doc.introduction, ""]
    out += _markdown_fields(doc.model)
    out += _markdown_parts(doc.model, "###")
    out += ["### Findings", ""]
    out += _markdown_codes([("", code) for code in codes_by_kind()[doc.name]])
    out += ["### Example", "", "```yaml", doc.example.rstrip("\n"), "```", ""]
    if doc.details:
        out += ["### How it is checked", "", doc.details, ""]
    return out


def _markdown_parts(model: type[BaseModel], level: str) -> list[str]:
    out: list[str] = []
    for part in nested_parts(model):
        out += [f"{level} {part.heading}", ""]
        if part.model.__doc__:
            out += [_paragraphs(part.model.__doc__), ""]
        out += _markdown_fields(part.model)
    return out


def _markdown_fields(model: type[BaseModel]) -> list[str]:
    rows = ["| Field | Type | Required | Description | Example |", "|---|---|---|---|---|"]
    for field in field_docs(model):
        need = "yes" if field.required else "no"
        if field.default:
            need += f" (default `{field.default}`)"
        example = f"`{field.example}`" if field.example else ""
        cells = [f"`{field.name}`", field.type_words, need, field.description, example]
        rows.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return [*rows, ""]


def _markdown_codes(rows: Sequence[tuple[str, FindingCode]]) -> list[str]:
    """A table of finding codes; with a "Reported for" column when any row names what for."""
    reported_for = any(who for who, _ in rows)
    header = ["Code", "Kind", *(["Reported for"] if reported_for else []), "Meaning"]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for who, code in rows:
        cells = [f"`{code.code}`", code.kind.value, *([who] if reported_for else []), code.meaning]
        out.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return [*out, ""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# Command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m checker.authoring.kind_docs",
        description="Write the documentation of every clause kind (Markdown).",
        epilog=f"example:\n  python -m checker.authoring.kind_docs --output {DOCS_FILE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--output", metavar="FILE", help="write here (default: stdout)")
    args = parser.parse_args(argv)
    text = render_markdown()
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(args.output, text)
    except OSError as error:
        print(f"cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
