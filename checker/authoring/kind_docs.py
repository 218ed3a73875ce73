"""What each clause kind says about itself, as the documentation reads it: `KindDoc`, the fields
of a model in plain words (`FieldDoc`, `type_words`, `flow`) and the models nested in them (`Part`).

What a kind says about itself: its module docstring (an introduction, an ``Example::`` YAML block
and details on how it is checked), its `kind_summary`, its fields with their types, defaults,
descriptions and examples, and the codes of the findings it reports (`finding_codes`). The
Markdown of docs/clauses.md is `kind_docs_markdown`; one kind as plain text for the terminal is
`kind_docs_terminal`.
"""

from __future__ import annotations

import re
import sys
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from checker.clauses import KINDS
from checker.clauses.base import Amendment, Clause
from checker.common.diagnostics import InputError
from checker.common.suggest import closest
from checker.dates.timeutil import Duration
from checker.norms.fact_pattern import FactPattern
from checker.rulebook.yaml_source import load_yaml_text

EXAMPLE_MARKER = "Example::"
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
        introduction=paragraphs(before),
        example=example + "\n",
        details=paragraphs("\n".join(rest)),
    )


def _unknown_kind_message(name: str) -> str:
    match = closest(name, kind_names())
    hint = f" (did you mean '{match}'?)" if match else ""
    return f"unknown clause kind '{name}'{hint}; the kinds are: {', '.join(kind_names())}"


def paragraphs(text: str) -> str:
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
    docs = [_field_doc(info.alias or name, info) for name, info in model.model_fields.items()]
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
    """The field as an author writes it: `name` is its key in a rule file (the alias of
    `from_`, `with_`, `not_`, `for_`)."""
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
        return flow(value.model_dump(mode="python", exclude_defaults=True, by_alias=True))
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
            for used in models_in(info.annotation):
                if issubclass(used, Clause) or used is Amendment or used in SHARED_MODELS:
                    continue
                first_use = used not in holders
                fields = holders.setdefault(used, [])
                key = info.alias or name  # the key an author writes
                if key not in fields:
                    fields.append(key)
                if first_use:
                    visit(used)

    visit(model)
    return [Part(used, tuple(fields)) for used, fields in holders.items()]


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation names, itself or inside it (`list[X]`, `X | Y | None`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in get_args(annotation):
        yield from models_in(argument)
