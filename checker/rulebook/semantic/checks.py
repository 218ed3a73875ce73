"""Checks on what a rule file means, beyond its schema: each problem positioned at its key or value.

The schema (the pydantic models) says whether each value is well formed. These checks say whether
the values make sense together:

* clause ids are unique (the error points at the second use and names the line of the first);
* windows close after they open: `opens`/`closes` dates, `opens_before`/`closes_before` durations,
  the agreement's own `effective`/`expires`, and the time to give notice of non-renewal in a
  renewing term's first term;
* dates lie within the agreement's term (for a renewing term: not before `effective`);
* amendments take effect while the agreement is in force; an agreement's amendments come in
  date order, add clauses under new ids and remove or change only clauses in force then;
* fact types and fact fields a clause names are in the fact-type catalogue (warnings). Fields are
  those tested in `where`/`unless`, and those named by any setting called `field`, `match_on` or
  `<something>_field` (written, or left to its default): such a setting names fields of the fact
  patterns in the nearest mapping around it that has any (`price.field` of the price pattern,
  `monthly_cap.field` of the clause's transfers, `match_on` of both patterns of its clause).

The checks read the loaded YAML data, guided by the models' field types, instead of validated
models: a clause with a misspelt key still has its dates and fact types checked, and so does every
clause after it. They look only at values that are themselves well formed, so a malformed value
is reported once, by the schema.

This module runs them in order. The walk over the data is `walk`; each family of checks has its
own module (`clause_ids`, `business_days`, `dates`, `catalogue`), and all of them report through
`reporter`.

Errors and warnings, and why:

* a milestone due outside the term, a window wholly outside it, an amendment taking effect before
  the agreement starts or after it ends, `checked_from` after the term: **errors**, because the
  tool would silently never check (or never apply) what the author wrote;
* a window partly outside the term, `checked_from` before the term starts, any other clause date
  outside the term: **warnings**, because the tool does something sensible (it checks the part
  inside the term, or the option has no effect) and the date may be what the contract says;
* unknown fact types and fields: **warnings**, because the catalogue may simply be behind the
  facts; an author should look, but the agreement can still be evaluated;
* what a norm names (`norms`): a party that is not one of the agreement's, a value it does not
  declare, a clause it does not have or one of the wrong sort (the exercise of a measure):
  **errors**, because the run would fail on it or the norm would never fire;
* a norm pattern that can never match because the catalogue says its facts are never the acts
  of the party whose acts count (`actor: null`: only ours): an **error**, a false breach;
* a fact trigger that does not say whose facts count, in an agreement of three or more parties
  (`triggers`): a **warning**, because any party's fact is a valid reading, but rarely the
  intended one there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.common.diagnostics import Diagnostic
from checker.rulebook.agreement import Agreement
from checker.rulebook.fact_catalog import FactCatalogue
from checker.rulebook.semantic.amendments import check_amended_terms, check_amendments
from checker.rulebook.semantic.business_days import check_business_days_have_a_calendar
from checker.rulebook.semantic.catalogue import (
    check_actors,
    check_fact_types,
    check_field_settings,
)
from checker.rulebook.semantic.clause_ids import check_unique_clause_ids
from checker.rulebook.semantic.dates import check_dates, check_term, check_windows
from checker.rulebook.semantic.norms import check_norms, norm_versions, parties_of
from checker.rulebook.semantic.reporter import SemanticReporter
from checker.rulebook.semantic.triggers import check_triggers_say_whose
from checker.rulebook.semantic.walk import Found, walk_model
from checker.rulebook.yaml_source import Location, SourceDocument


@dataclass(frozen=True, slots=True)
class SemanticReport:
    """What the checks found in one rule file.

    `superseded` holds the data paths where a model's own validator would report, less precisely,
    a problem these checks have reported (see `diagnostics_from_validation`).
    """

    diagnostics: list[Diagnostic]
    superseded: frozenset[Location]


def check_agreement_file(
    document: SourceDocument, catalogue: FactCatalogue | None
) -> SemanticReport:
    """Every semantic problem in the agreement loaded as `document`."""
    reporter = SemanticReporter(document)
    if isinstance(document.data, dict):
        _run(reporter, document.data, catalogue)
    return SemanticReport(reporter.diagnostics, frozenset(reporter.superseded))


def _run(reporter: SemanticReporter, data: dict[str, Any], catalogue: FactCatalogue | None) -> None:
    found = Found()
    walk_model(found, data, Agreement, (), ())
    check_unique_clause_ids(reporter, data)
    check_amendments(reporter, data)
    check_business_days_have_a_calendar(reporter, data, found)
    check_triggers_say_whose(reporter, data)
    term = check_term(reporter, data)
    check_windows(reporter, found, term)
    if term is not None:
        check_dates(reporter, found, term)
    check_amended_terms(reporter, data, found.clause_kinds)
    versions = norm_versions(data)
    parties = parties_of(data)
    check_norms(reporter, data, versions, found.clause_kinds, parties)
    if catalogue is not None:
        check_fact_types(reporter, found, catalogue)
        check_field_settings(reporter, found, catalogue)
        if parties is not None:
            check_actors(reporter, versions, catalogue, parties)
