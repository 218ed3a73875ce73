"""The Markdown of docs/clauses.md (the agreement, building blocks and every clause kind), and the
command line that writes it (`python -m checker.authoring.kind_docs_markdown`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import BaseModel

from checker.authoring.kind_docs import (
    SHARED_MODELS,
    KindDoc,
    field_docs,
    kind_doc,
    kind_names,
    model_words,
    nested_parts,
    paragraphs,
)
from checker.common.text_output import write_atomically
from checker.findings.model import FindingCode
from checker.rulebook.agreement import Agreement
from checker.rulebook.finding_codes import ANY_CLAUSE, TERM, codes_by_kind

DOCS_FILE = "docs/clauses.md"
GENERATED_NOTICE = (
    "<!-- Generated from the clause kinds in checker/clauses/ and the models in checker/.\n"
    "     Do not edit: change the kinds' docstrings and fields, then run `make docs`. -->"
)

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
    out += ["", "## The agreement", "", paragraphs(Agreement.__doc__ or ""), "", _AGREEMENT, ""]
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
            out += [paragraphs(part.model.__doc__), ""]
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
        prog="python -m checker.authoring.kind_docs_markdown",
        description="Write the documentation of every clause kind (Markdown).",
        epilog=f"example:\n  python -m checker.authoring.kind_docs_markdown --output {DOCS_FILE}",
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
