"""Waivers: approved exceptions that set named findings apart until an expiry date.

A waivers file is YAML with one top-level key, ``waivers:``, listing waivers::

    waivers:
      - id: W-2026-01                      # optional; default W1, W2, ... by position
        agreement: globex-reseller-2025
        clause: "4.1"
        subject: crm-d-1002                # optional: only the finding about this fact/period
        code: exclusivity.forbidden_activity  # optional: only findings with this code
        reason: Globex consented in writing to the direct sale to Lidl
        approved_by: Maria Weber, EMEA Legal
        approved_on: 2026-03-05            # optional, for the record
        expires: 2027-03-31                # last day the waiver applies

Rules, in the order a run applies them:

* A waiver covers the findings of its agreement and clause, narrowed to its subject and code when
  it gives them. A finding covered by several waivers is credited to the most specific one
  (subject and code, then subject, then code, then clause-wide; ties go to the first loaded).
* It is active through the end of its ``expires`` day (UTC): a run as of that day is waived, a run
  as of the next day is not. ``approved_on`` is a record only; it does not delay the waiver.
* ``error`` findings (a rule that could not be evaluated) are never waived: fail closed.
* Waived findings are reported apart and do not count towards the exit code. Findings covered only
  by an expired waiver are reported as usual, marked with that waiver, and the waiver is reported
  as expired. An active waiver that covers no finding of the run is reported as unused.
* A waiver naming an agreement or clause that is not in the loaded rule files is an error (a
  mistyped waiver would silently not apply), as is an id used twice; so is a code that no finding
  has, that the clause's kind never reports, or that is an error finding's. Ids that are not given are
  ``W1``, ``W2``, ... by position, counted across the waiver files in the order they are loaded.

Without ``--waivers``, ``run`` reads ``waivers.yaml`` (or ``waivers.yml``) from each directory
given to ``--rules``, when there is one.

This module is the waivers file: its model, loading and checking. Applying the loaded waivers to
a run's findings is `applying_waivers`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from checker.common.diagnostics import Diagnostic, InputError
from checker.common.suggest import did_you_mean
from checker.common.text_checks import not_blank
from checker.dates.timeutil import end_of_date
from checker.findings.model import Finding, FindingKind
from checker.rulebook.agreement import Agreement
from checker.rulebook.finding_codes import TERM, all_codes, check_code
from checker.rulebook.validation_errors import diagnostics_from_validation
from checker.rulebook.yaml_source import Location, SourceDocument, load_yaml

WAIVER_FILE_NAMES = ("waivers.yaml", "waivers.yml")
# The clause every agreement has besides its own: its term (expiry, renewal notice deadlines).
TERM_CLAUSE = "term"
_DUPLICATE_ID_HELP = "give each waiver its own id"
# The loader's problems with a file's overall shape, whose help speaks of agreements.
_SHAPE_HELP = {
    "file is empty": "write 'waivers: []' when there are no waivers",
    "the top level must be a mapping": "start with the line 'waivers:' and list the waivers "
    "under it, each starting with '- agreement:'",
}
_DERIVED_ID_HELP = "this waiver has no 'id:', so it is numbered by position; give it its own id"


class WaiverEntry(BaseModel):
    """One waiver as written in a waivers file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(
        default=None, description="Reference for the waiver, e.g. W-2026-01", examples=["W-2026-01"]
    )
    agreement: str = Field(
        description="The agreement id, as on the 'agreement:' line",
        examples=["globex-reseller-2025"],
    )
    clause: str = Field(
        description='The clause id, e.g. "4.1" (or "term" for the term)', examples=["4.1", "term"]
    )
    subject: str | None = Field(
        default=None,
        description="Only the finding about this fact id or period, e.g. 2026-Q2",
        examples=["crm-d-1002", "2026-Q2"],
    )
    code: str | None = Field(
        default=None,
        description="Only findings with this code, e.g. recurring.missed",
        examples=["recurring.missed", "exclusivity.forbidden_activity"],
    )
    reason: str = Field(
        description="Why the exception was granted",
        examples=["Globex consented in writing to the direct Lidl deal"],
    )
    approved_by: str = Field(description="Who approved it", examples=["Maria Weber, EMEA Legal"])
    approved_on: date | None = Field(
        default=None, description="When it was approved", examples=["2026-03-05"]
    )
    expires: date = Field(description="Last day the waiver applies", examples=["2027-03-31"])

    _not_blank = field_validator(
        "id", "agreement", "clause", "subject", "code", "reason", "approved_by"
    )(lambda cls, value: not_blank(value))

    @model_validator(mode="after")
    def _approved_before_expiry(self) -> WaiverEntry:
        if self.approved_on is not None and self.approved_on > self.expires:
            raise ValueError(
                f"the waiver expires ({self.expires}) before it was approved ({self.approved_on})"
            )
        return self


class WaiversFile(BaseModel):
    """The top level of a waivers file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: list[WaiverEntry] = Field(
        description="The waivers, one list item each",
        examples=[
            [
                {
                    "id": "W-2026-01",
                    "agreement": "globex-reseller-2025",
                    "clause": "4.1",
                    "subject": "crm-d-1002",
                    "reason": "Globex consented in writing to the direct Lidl deal",
                    "approved_by": "Maria Weber, EMEA Legal",
                    "approved_on": "2026-03-05",
                    "expires": "2027-03-31",
                }
            ]
        ],
    )


@dataclass(frozen=True, slots=True)
class Waiver:
    """A loaded waiver, with where it was written."""

    id: str
    agreement: str
    clause: str
    subject: str | None
    code: str | None
    reason: str
    approved_by: str
    approved_on: date | None
    expires: date
    path: str = ""
    line: int = 0
    column: int = 0
    snippet: str | None = None

    @property
    def source(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @property
    def specificity(self) -> int:
        """3 for subject and code, 2 for subject, 1 for code, 0 for a whole clause."""
        return 2 * (self.subject is not None) + (self.code is not None)

    @property
    def scope(self) -> str:
        """What it covers, in words: "globex-reseller-2025 clause 4.1, subject crm-d-1002"."""
        text = f"{self.agreement} clause {self.clause}"
        if self.subject is not None:
            text += f", subject {self.subject}"
        if self.code is not None:
            text += f", code {self.code}"
        return text

    def covers(self, finding: Finding) -> bool:
        """Whether the finding is one this waiver names (active or not; never an error)."""
        return (
            finding.kind is not FindingKind.ERROR
            and finding.agreement == self.agreement
            and finding.clause == self.clause
            and (self.subject is None or finding.subject == self.subject)
            and (self.code is None or finding.code == self.code)
        )

    def is_active(self, as_of: int) -> bool:
        """Active through the last second of its expiry day (UTC)."""
        return as_of <= end_of_date(self.expires)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agreement": self.agreement,
            "clause": self.clause,
            "subject": self.subject,
            "code": self.code,
            "reason": self.reason,
            "approved_by": self.approved_by,
            "approved_on": self.approved_on.isoformat() if self.approved_on else None,
            "expires": self.expires.isoformat(),
            "source": self.source,
        }


@dataclass(slots=True)
class LoadedWaivers:
    """The waivers that loaded, and every problem found in any waivers file."""

    waivers: list[Waiver] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def waiver_files(rule_paths: Sequence[str], explicit: Sequence[str] | None) -> list[str]:
    """The waivers files of a run: `explicit` when given (even empty), else the waivers file of
    each directory in `rule_paths` that has one."""
    if explicit is not None:
        return list(dict.fromkeys(explicit))
    found: list[str] = []
    for path in rule_paths:
        if os.path.isdir(path):
            found.extend(
                os.path.join(path, name)
                for name in WAIVER_FILE_NAMES
                if os.path.isfile(os.path.join(path, name))
            )
    return list(dict.fromkeys(found))


def load_waivers(paths: Sequence[str], agreements: Sequence[Agreement] | None) -> LoadedWaivers:
    """Load and check every waivers file in `paths`; problems in one never stop the others.

    Agreement and clause names are checked against `agreements`; pass None when the rule files
    themselves had errors, so that a waiver on a rule file that failed to load is not blamed.
    """
    loaded = LoadedWaivers()
    first_use: dict[str, str] = {}
    for path in paths:
        try:
            document = load_yaml(path)
        except InputError as error:
            loaded.diagnostics.extend(_with_waivers_help(d) for d in error.diagnostics)
            continue
        problems: list[Diagnostic] = []
        try:
            entries = list(enumerate(WaiversFile.model_validate(document.data).waivers))
            usable = True
        except ValidationError as error:
            problems.extend(diagnostics_from_validation(document, error, WaiversFile))
            # The waivers that are well formed on their own are still checked against the rules,
            # so one run lists every problem; a file with errors is never applied.
            entries, usable = _well_formed_entries(document.data), False
        for index, entry in entries:
            item: Location = ("waivers", index)
            waiver = _waiver(document, item, entry, len(loaded.waivers) + 1)
            problems.extend(_reference_problems(document, item, entry, agreements))
            problems.extend(_code_problems(document, item, entry, agreements))
            if waiver.id in first_use:
                problems.append(
                    document.diagnostic(
                        document.value_position_of((*item, "id")),
                        f"waiver id '{waiver.id}' is also used by the waiver at "
                        f"{first_use[waiver.id]}",
                        help=_DUPLICATE_ID_HELP if entry.id else _DERIVED_ID_HELP,
                    )
                )
            first_use.setdefault(waiver.id, waiver.source)
            if usable:
                loaded.waivers.append(waiver)
        loaded.diagnostics.extend(sorted(problems, key=lambda d: (d.line, d.column)))
    return loaded


def _well_formed_entries(data: object) -> list[tuple[int, WaiverEntry]]:
    """The list items of a waivers file that failed validation which are valid waivers alone."""
    items = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    entries: list[tuple[int, WaiverEntry]] = []
    for index, item in enumerate(items):
        try:
            entries.append((index, WaiverEntry.model_validate(item)))
        except ValidationError:
            continue
    return entries


def _waiver(document: SourceDocument, item: Location, entry: WaiverEntry, number: int) -> Waiver:
    position = document.value_position_of(item)
    return Waiver(
        id=entry.id or f"W{number}",
        agreement=entry.agreement,
        clause=entry.clause,
        subject=entry.subject,
        code=entry.code,
        reason=entry.reason,
        approved_by=entry.approved_by,
        approved_on=entry.approved_on,
        expires=entry.expires,
        path=document.path,
        line=position.line,
        column=position.column,
        snippet=document.line_text(position.line),
    )


def _reference_problems(
    document: SourceDocument,
    item: Location,
    entry: WaiverEntry,
    agreements: Sequence[Agreement] | None,
) -> list[Diagnostic]:
    """An error when the waiver names an agreement or clause the rule files do not have."""
    if agreements is None:
        return []
    by_id = {agreement.agreement: agreement for agreement in agreements}
    agreement = by_id.get(entry.agreement)
    if agreement is None:
        help_text = did_you_mean(entry.agreement, list(by_id)) or (
            "use the id on the 'agreement:' line of the rule file the waiver is about"
        )
        return [
            document.diagnostic(
                document.value_position_of((*item, "agreement")),
                f"no rule file has the agreement '{entry.agreement}', so this waiver would "
                "never apply",
                help_text,
            )
        ]
    clauses = [clause.id for clause in agreement.all_clauses] + [TERM_CLAUSE]
    if entry.clause in clauses:
        return []
    help_text = did_you_mean(entry.clause, clauses) or f"its clauses are: {', '.join(clauses)}"
    return [
        document.diagnostic(
            document.value_position_of((*item, "clause")),
            f"agreement '{entry.agreement}' has no clause '{entry.clause}', so this waiver "
            "would never apply",
            help_text,
        )
    ]


def _code_problems(
    document: SourceDocument,
    item: Location,
    entry: WaiverEntry,
    agreements: Sequence[Agreement] | None,
) -> list[Diagnostic]:
    """An error when no finding has the waiver's code, when its clause never reports it, or when
    it is the code of an error finding (never waived): the waiver would never apply."""
    if entry.code is None:
        return []
    consequence = "so this waiver would never apply"
    clause_kind = _clause_kind(entry, agreements or [])
    where = document.value_position_of((*item, "code"))
    problem = check_code(entry.code, consequence, entry.clause, clause_kind, suggest_errors=False)
    if problem is not None:
        return [document.diagnostic(where, problem.message, problem.help)]
    if all_codes()[entry.code].kind is FindingKind.ERROR:
        return [
            document.diagnostic(
                where,
                f"'{entry.code}' findings are errors, and errors are never waived, {consequence}",
                "an error means the clause could not be checked at all: fix what its message"
                " names instead, and remove this waiver",
            )
        ]
    return []


def _clause_kind(entry: WaiverEntry, agreements: Sequence[Agreement]) -> str | None:
    """The kind of the clause the waiver names ("term" for the term), None when unknown."""
    if entry.clause == TERM_CLAUSE:
        return TERM
    for agreement in agreements:
        if agreement.agreement == entry.agreement:
            for clause in agreement.all_clauses:
                if clause.id == entry.clause:
                    return str(clause.kind)  # type: ignore[attr-defined]
    return None


def _with_waivers_help(diagnostic: Diagnostic) -> Diagnostic:
    """The loader's problem, with help for a waivers file where its help is about rule files."""
    for start, help_text in _SHAPE_HELP.items():
        if diagnostic.message.startswith(start):
            return replace(diagnostic, help=help_text)
    return diagnostic
