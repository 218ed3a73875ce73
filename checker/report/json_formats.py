"""The json report (one document) and the jsonl report (one finding per line); both follow
schema/findings.schema.json (`checker.report.findings_schema`), whose version the json report
names in `schema_version`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from checker.evaluation.run import RunResult
from checker.findings.model import Finding
from checker.report.findings_schema import FINDINGS_SCHEMA_VERSION
from checker.report.history import history_json, status_fields
from checker.report.reading import snooze_of
from checker.report.summary import summary_dict
from checker.rulebook.applying_waivers import finding_record, waiver_record


def as_json(result: RunResult) -> str:
    waivers = result.waivers
    findings: list[dict[str, Any]] = []
    waived: list[dict[str, Any]] = []
    for finding in result.findings:
        decision = waivers.decide(finding)
        record = finding_record(finding, decision)
        if result.history is not None:  # with --state: status, first_seen, last_seen
            record.update(status_fields(result.history, finding))
        if result.snoozes is not None:  # with --notify: null, or the snooze keeping it from chat
            record["snooze"] = _snooze_field(result, finding)
        (waived if decision.waived else findings).append(record)
    document = {
        "schema_version": FINDINGS_SCHEMA_VERSION,  # schema/findings.schema.json
        "summary": summary_dict(result.summary),
        "findings": findings,
        "waivers": {
            "waived": waived,
            "expired": [
                waiver_record(w, {"findings_reported_again": waivers.reported_again(w)})
                for w in waivers.expired
            ],
            "unused": [waiver_record(w) for w in waivers.unused],
        },
        "fact_errors": [{"source": d.location, "reason": d.message} for d in result.fact_errors],
    }
    if result.history is not None:
        document["history"] = history_json(result.history)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_jsonl(result: RunResult) -> Iterator[str]:
    """One finding per line, waived ones included: `waiver` is null, or the waiver with its
    `status` ("waived", or "expired" for a finding reported again); with --notify, `snooze` is
    null or the snooze keeping the finding out of chat."""
    for finding in result.findings:
        record = finding_record(finding, result.waivers.decide(finding))
        if result.snoozes is not None:  # with --notify: null, or the snooze keeping it from chat
            record["snooze"] = _snooze_field(result, finding)
        yield json.dumps(record, ensure_ascii=False) + "\n"


def _snooze_field(result: RunResult, finding: Finding) -> dict[str, Any] | None:
    snooze = snooze_of(result, finding)
    return snooze.to_dict() if snooze is not None else None
