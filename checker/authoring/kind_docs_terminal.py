"""One clause kind's documentation as plain text for the terminal (`explain --kind`)."""

from __future__ import annotations

import textwrap

from pydantic import BaseModel

from checker.authoring.kind_docs import field_docs, kind_doc, nested_parts, paragraphs
from checker.rulebook.finding_codes import ANY_CLAUSE, codes_by_kind

TEXT_WIDTH = 96


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
            lines += [_wrap(paragraphs(part.model.__doc__), "  ")]
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
