"""The output contract: the JSON Schema (draft 2020-12) of the `json` report and of each line of
the `jsonl` report, so that downstream tools can rely on them (`contract-checker schema
--findings`, committed as schema/findings.schema.json).

Versioned: the json report starts with `"schema_version"`, and the schema's `$id` names the same
version. A version's outputs never lose a field or change what one means; a new *major* version
does. Fields added within a version are added to this schema with them (every object here is
closed, so the tests that validate real reports against it notice any field the schema lacks).

One file describes both outputs: an object with a `summary` is a json report, any other object
is one line of a jsonl report (a finding with its waiver, `$defs/jsonl_line`).
"""

from __future__ import annotations

from typing import Any

from checker.findings.model import FindingKind, Severity
from checker.findings.tracking import Status

# The major.minor version of the json and jsonl outputs: the json report's `schema_version`.
FINDINGS_SCHEMA_VERSION = "1.0"
FINDINGS_SCHEMA_ID = (
    f"https://contract-checker.invalid/schema/findings/{FINDINGS_SCHEMA_VERSION}/"
    "findings.schema.json"
)
DIALECT = "https://json-schema.org/draft/2020-12/schema"
GENERATED_BY = "Generated from the report modules by `make docs`."

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
INSTANT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
FINGERPRINT_PATTERN = r"^[0-9a-f]{20}$"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _closed(
    description: str, properties: dict[str, Any], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """An object with exactly `properties` (all required except `optional`)."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _date(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": DATE_PATTERN, "description": description}


def _count(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "description": description}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": schema.get("description", ""), "anyOf": [{"type": "null"}, schema]}


def _finding_properties() -> dict[str, Any]:
    """The fields of `Finding.to_dict`, in its order."""
    return {
        "agreement": _text("The agreement id, as on its 'agreement:' line"),
        "clause": _text("The clause id, e.g. 4.1 (or 'term' for the agreement's term)"),
        "clause_title": _text("The clause's title"),
        "kind": {
            "enum": [kind.value for kind in FindingKind],
            "description": "breach, trigger (a right arose), deadline (falls due within the "
            "horizon), error (could not be evaluated) or unknown (the deciding data is missing)",
        },
        "code": _text("Stable, machine-readable code, e.g. exclusivity.forbidden_activity"),
        "severity": {"enum": [severity.value for severity in Severity]},
        "date": _date("When it arose, or when it falls due"),
        "subject": _text("What it is about: a fact id, a period label, a milestone..."),
        "message": _text("The finding in words (may change between versions of the rules)"),
        "owner": _text("Who owns the agreement or clause; empty when none is named"),
        "calendar": _text("The business-day calendar a date was counted on; may be empty"),
        "evidence": {
            "type": "array",
            "description": "The facts the finding rests on",
            "items": _ref("evidence"),
        },
        "fingerprint": {
            "type": "string",
            "pattern": FINGERPRINT_PATTERN,
            "description": "Stable identity (agreement, clause, kind, code, subject): the same "
            "finding has the same fingerprint every night",
        },
    }


def _status_properties() -> dict[str, Any]:
    """With --state: the finding's status and the nights it was first and last seen."""
    return {
        "status": _nullable({"enum": [status.value for status in Status]}),
        "first_seen": _nullable(_date("The as-of date of the first run that reported it")),
        "last_seen": _nullable(_date("The as-of date of the last run that reported it")),
    }


def _waiver_properties() -> dict[str, Any]:
    """The fields of `Waiver.to_dict`."""
    return {
        "id": _text("The waiver's id"),
        "agreement": _text("The agreement it covers"),
        "clause": _text("The clause it covers"),
        "subject": _nullable(_text("Only the finding about this subject")),
        "code": _nullable(_text("Only findings with this code")),
        "reason": _text("Why the exception was approved"),
        "approved_by": _text("Who approved it"),
        "approved_on": _nullable(_date("When it was approved")),
        "expires": _date("The last day it applies"),
        "source": _text("Where it is written: path:line"),
    }


def _defs() -> dict[str, Any]:
    finding = _finding_properties()
    status = _status_properties()
    return {
        "evidence": _closed(
            "A fact a finding rests on, with where it was read",
            {
                "fact_id": _text("The fact's id"),
                "type": _text("The fact's type, e.g. deal.closed"),
                "at": {"type": "string", "pattern": INSTANT_PATTERN},
                "source": _text("Where the fact was read: path:line"),
            },
        ),
        "finding_waiver": _closed(
            "The waiver naming a finding: 'waived' sets it apart, 'expired' reports it again",
            {"status": {"enum": ["waived", "expired"]}, **_waiver_properties()},
        ),
        "snooze": _closed(
            "The snooze keeping a finding out of chat (run --notify); it stays in the reports",
            {
                "scope": _text("What the snooze covers, in words"),
                "author": _text("Who snoozed it"),
                "comment": _text("Why"),
                "expires": _date("The last day it applies"),
                "source": _text("Where it is written: path:line"),
            },
        ),
        "finding": _closed(
            "A finding of the json report: its waiver (null when none names it); with --state "
            "its status, first_seen and last_seen; with --notify its snooze (null when none)",
            {
                **finding,
                "waiver": _nullable(_ref("finding_waiver")),
                **status,
                "snooze": _nullable(_ref("snooze")),
            },
            optional=(*status, "snooze"),
        ),
        "jsonl_line": _closed(
            "One line of the jsonl report: a finding, waived ones included, with its waiver "
            "(null when none names it) and, with --notify, its snooze (null when none)",
            {
                **finding,
                "waiver": _nullable(_ref("finding_waiver")),
                "snooze": _nullable(_ref("snooze")),
            },
            optional=("snooze",),
        ),
        "gone_finding": _closed(
            "A finding reported before but not tonight (with --state), as last reported",
            {**finding, **status, "stale_reason": _text("Why tonight cannot tell")},
            optional=("stale_reason",),
        ),
        "waiver": _closed("A waiver of the run", _waiver_properties()),
        "expired_waiver": _closed(
            "A waiver that expired before the as-of date",
            {
                **_waiver_properties(),
                "findings_reported_again": _count("Findings it would have covered"),
            },
        ),
        "summary": _closed(
            "What was evaluated and found",
            {
                "as_of": {"type": "string", "pattern": INSTANT_PATTERN},
                "horizon_days": _count("Deadlines due within this many days are reported"),
                "agreements": _count("Agreements evaluated"),
                "clauses": _count("Clauses evaluated"),
                "facts": _closed(
                    "Fact lines: read = accepted + rejected + duplicates + after_as_of"
                    " + superseded (earlier versions a later recorded_at corrected)"
                    " + recorded_later (recorded after --known-as-of: ignored)",
                    {
                        name: _count(name)
                        for name in (
                            "read",
                            "accepted",
                            "rejected",
                            "duplicates",
                            "after_as_of",
                            "superseded",
                            "recorded_later",
                            "irrelevant",
                        )
                    },
                ),
                "findings": _closed(
                    "Findings by kind, waived ones left out",
                    {kind.value: _count(kind.value) for kind in FindingKind},
                ),
                "waived": _count("Findings set apart by a waiver"),
                "facts_read_by_clause": {
                    "type": "array",
                    "items": _closed(
                        "Facts one clause read",
                        {
                            "agreement": _text("agreement id"),
                            "clause": _text("clause id"),
                            "facts_read": _count("facts read"),
                        },
                    ),
                },
                "clauses_reading_nothing": {
                    "type": "array",
                    "items": _closed(
                        "A clause that read no fact though facts of its types were read",
                        {
                            "agreement": _text("agreement id"),
                            "clause": _text("clause id"),
                            "facts_of_its_types": {
                                "type": "object",
                                "additionalProperties": _count("facts of this type"),
                            },
                        },
                    ),
                },
                "feeds": {
                    "type": "object",
                    "description": "Each feed the clauses read: the last instant its data is "
                    "complete tonight, or null when it has no facts",
                    "additionalProperties": {"type": ["string", "null"]},
                },
                "feeds_without_data": {
                    "type": "array",
                    "description": "Feeds the clauses read that had no facts tonight",
                    "items": _text("feed"),
                },
            },
        ),
        "history": _closed(
            "With --state: the run's place in the history of findings",
            {
                "run_id": {"type": "integer", "minimum": 1},
                "previous_as_of": _nullable(_date("The as-of date of the previous run")),
                "counts": _closed(
                    "Findings by status", {status.value: _count(status.value) for status in Status}
                ),
                "resolved": {"type": "array", "items": _ref("gone_finding")},
                "stale": {"type": "array", "items": _ref("gone_finding")},
            },
        ),
        "report": _closed(
            "The json report (--format json)",
            {
                "schema_version": {
                    "const": FINDINGS_SCHEMA_VERSION,
                    "description": "The version of this output contract",
                },
                "summary": _ref("summary"),
                "findings": {
                    "type": "array",
                    "description": "The findings not waived, in report order",
                    "items": _ref("finding"),
                },
                "waivers": _closed(
                    "What the waivers did",
                    {
                        "waived": {"type": "array", "items": _ref("finding")},
                        "expired": {"type": "array", "items": _ref("expired_waiver")},
                        "unused": {"type": "array", "items": _ref("waiver")},
                    },
                ),
                "fact_errors": {
                    "type": "array",
                    "description": "One per rejected fact line",
                    "items": _closed(
                        "A rejected fact line",
                        {"source": _text("path:line"), "reason": _text("why it was rejected")},
                    ),
                },
                "history": _ref("history"),
            },
            optional=("history",),
        ),
    }


def build_findings_schema() -> dict[str, Any]:
    """The schema of the json report and of a jsonl line."""
    return {
        "$schema": DIALECT,
        "$id": FINDINGS_SCHEMA_ID,
        "title": f"contract-checker findings (json and jsonl reports), version "
        f"{FINDINGS_SCHEMA_VERSION}",
        "description": "An object with a 'summary' is a json report (run --format json); any "
        "other is one line of a jsonl report (run --format jsonl). " + GENERATED_BY,
        "if": {"type": "object", "required": ["summary"]},
        "then": _ref("report"),
        "else": _ref("jsonl_line"),
        "$defs": _defs(),
    }
