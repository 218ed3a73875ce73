"""Load rule files (one agreement each) into validated Agreement models, collecting every problem."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from checker.common.diagnostics import Diagnostic, InputError, Level
from checker.norms.parties import FactParties
from checker.rulebook.agreement import Agreement
from checker.rulebook.fact_catalog import (
    CATALOGUE_NAMES,
    FactCatalogue,
    fact_catalogues,
    load_fact_catalogue,
)
from checker.rulebook.semantic.checks import check_agreement_file
from checker.rulebook.validation_errors import diagnostics_from_validation
from checker.rulebook.yaml_source import SourceDocument, load_yaml

RULE_FILE_SUFFIXES = (".yaml", ".yml")
# Files in a rules directory that are not agreements: scenarios (`<name>.test.yaml`), the fact-type
# catalogue and the waivers. They have their own loaders.
SCENARIO_SUFFIXES = (".test.yaml", ".test.yml")
RESERVED_NAMES = frozenset({"fact-types.yaml", "fact-types.yml", "waivers.yaml", "waivers.yml"})


def is_rule_file(name: str) -> bool:
    """Whether a file found in a rules directory is an agreement's rule file."""
    return (
        name.endswith(RULE_FILE_SUFFIXES)
        and not name.endswith(SCENARIO_SUFFIXES)
        and name not in RESERVED_NAMES
    )


@dataclass(slots=True)
class Rulebook:
    """The agreements that loaded, and every problem found in any rule file."""

    agreements: list[Agreement] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # agreement id -> rule file
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not checked, and why
    fact_parties: FactParties = field(default_factory=FactParties)  # from the catalogue
    feeds: dict[str, str] = field(default_factory=dict)  # fact type -> feed, from the catalogue
    # The fact-type catalogue the rule files were read by (its problems, if any, are listed).
    catalogue: str | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.WARNING]


def rule_files(paths: Sequence[str]) -> tuple[list[str], list[Diagnostic]]:
    """Rule files named by `paths` (files or directories, searched recursively), sorted."""
    found: list[str] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if os.path.isdir(path):
            for root, _dirs, files in os.walk(path):
                found.extend(os.path.join(root, name) for name in files if is_rule_file(name))
        elif os.path.isfile(path):
            found.append(path)
        else:
            problems.append(Diagnostic(path, 0, 0, "no such file or directory"))
    if not found and not problems:
        problems.append(Diagnostic(", ".join(paths), 0, 0, "no rule files (*.yaml) found here"))
    return sorted(set(found)), problems


def load_rulebook(paths: Sequence[str], fact_types: str | None = None) -> Rulebook:
    """Load and validate every rule file; problems in one file never stop the others.

    Each file gets the schema's checks and the semantic checks (`checker.rulebook.semantic.checks`); fact
    types and fields are checked against the catalogue `fact_types`, by default the
    `fact-types.yaml` of the rules directory (without one they are not checked, and a note says
    so). An agreement with errors is left out of the book; one with only warnings is kept.
    """
    files, problems = rule_files(paths)
    book = Rulebook(diagnostics=problems)
    errors = len(book.errors)
    catalogue = _load_catalogue(paths, files, fact_types, book)
    # None found at all (a broken or ambiguous one is an error of its own, said already).
    missing = catalogue is None and len(book.errors) == errors
    named_parties: Diagnostic | None = None  # the warning, at the first agreement naming them
    if catalogue is not None:
        book.fact_parties = catalogue.fact_parties()
        book.feeds = catalogue.feeds()
    for path in files:
        try:
            document = load_yaml(path)
        except InputError as error:
            book.diagnostics.extend(error.diagnostics)
            continue
        semantic = check_agreement_file(document, catalogue)
        try:
            agreement = Agreement.model_validate(document.data)
        except ValidationError as error:
            found = diagnostics_from_validation(document, error, Agreement, semantic.superseded)
            book.diagnostics.extend(_in_order([*found, *semantic.diagnostics]))
            continue
        book.diagnostics.extend(_in_order(semantic.diagnostics))
        if any(d.level is Level.ERROR for d in semantic.diagnostics):
            continue
        if agreement.agreement in book.sources:
            position = document.position_of(("agreement",))
            book.diagnostics.append(
                Diagnostic(
                    path,
                    position.line,
                    position.column,
                    f"agreement id '{agreement.agreement}' is also used by "
                    f"{book.sources[agreement.agreement]}",
                    help="every rule file needs its own agreement id",
                )
            )
            continue
        book.sources[agreement.agreement] = path
        book.agreements.append(agreement)
        if missing and agreement.parties is not None and named_parties is None:
            named_parties = _without_catalogue(document, len(files))
    if named_parties is not None:
        book.diagnostics.append(named_parties)
    book.agreements.sort(key=lambda a: a.agreement)
    return book


def _without_catalogue(document: SourceDocument, files: int) -> Diagnostic:
    """The warning that facts of agreements naming their parties cannot be read by party: which
    field of each fact type names the party that acted is the catalogue's to say."""
    position = document.position_of(("parties",))
    return document.diagnostic(
        position,
        f"this agreement names its parties, but no {CATALOGUE_NAMES[0]} was found next to the "
        f"rule file{'s' if files > 1 else ''}: which field of each fact type names the party "
        "that acted is unknown, so every fact is read as an act of the party its 'partner' field "
        "names (an empty one: us)",
        help=f"describe the exports in a {CATALOGUE_NAMES[0]} beside the rule files "
        "(docs/norms.md, 'Whose act is a fact?'), or give one with --fact-types FILE; a "
        "catalogue in a subfolder describes only the rule files beneath it",
        level=Level.WARNING,
    )


def _load_catalogue(
    paths: Sequence[str], files: Sequence[str], fact_types: str | None, book: Rulebook
) -> FactCatalogue | None:
    """The fact-type catalogue to check against and to read parties by, or None (with a warning
    or an error saying why); `book.catalogue` says which file was read."""
    found = [fact_types] if fact_types else fact_catalogues(paths, files)
    if len(found) > 1:
        book.diagnostics.append(
            Diagnostic(
                found[0],
                0,
                0,
                f"the rule files are in folders with {len(found)} different fact-type catalogues"
                f" ({', '.join(found)}); one run reads facts by one catalogue",
                help="put the rule files that share exports under one folder with its "
                f"{CATALOGUE_NAMES[0]}, and check each folder on its own",
            )
        )
        return None
    if not found:
        book.notes.append(
            f"fact types and fields were not checked: no {CATALOGUE_NAMES[0]} was found next to "
            "the rule files (give one with --fact-types FILE)"
        )
        return None
    (path,) = found
    book.catalogue = path
    try:
        return load_fact_catalogue(path)
    except InputError as error:
        book.diagnostics.extend(error.diagnostics)
        book.notes.append(
            f"fact types and fields were not checked: {path} has errors (listed above)"
        )
        return None


def _in_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """By position in the file; at one position, errors before warnings."""
    return sorted(diagnostics, key=lambda d: (d.line, d.column, d.level is not Level.ERROR))
