"""Confidential values out of chat (issue 10, item 6): a receiver with `redact_values: true` sees
each finding's keys and links (agreement, clause, subject, date, severity, fingerprint, evidence
fact ids and file:line), never the message that quotes prices, amounts and territories from the
facts; other receivers are unchanged, and a fallback receiver that redacts gets a redacted copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checker.alerts import notify
from checker.alerts.delivery import Reply
from checker.alerts.digest import WITHHELD, ReceiverMemory, build_digests
from checker.alerts.render import render
from checker.alerts.snoozes import Snoozes
from tests.alerts_support import (
    NIGHT,
    Sleeps,
    alert_input,
    clock,
    database,
    finding,
    history,
    notifications,
)

CONFIDENTIAL = ("EUR 12,400.50", "territory DE", "Lidl Stiftung")
PRICE_BREACH = finding(
    "inv-2026-0042",
    clause="7.3",
    title="Most favoured price",
    message="invoice inv-2026-0042 charges EUR 12,400.50 to Lidl Stiftung in territory DE, "
    "above the most favoured price",
)
TYPES = ("slack", "teams", "webhook", "email")


def _receiver(name: str, kind: str, redact: bool) -> str:
    extra = f"\n    redact_values: {str(redact).lower()}"
    if kind == "email":
        return (
            f"  {name}:\n    type: email\n    smtp_host: 127.0.0.1\n    starttls: false\n"
            f"    sender: cc@example.test\n    to: [legal@example.test]{extra}\n"
        )
    return (
        f"  {name}:\n    type: {kind}\n    url_env: {name.upper().replace('-', '_')}_URL{extra}\n"
    )


def test_a_redacting_receiver_gets_keys_and_links_and_no_values(tmp_path: Path) -> None:
    text = "receivers:\n"
    for kind in TYPES:
        text += _receiver(f"open-{kind}", kind, False) + _receiver(f"kept-{kind}", kind, True)
    text += (
        "fallback: open-slack\nroutes:\n  - to: ["
        + ", ".join(f"{how}-{kind}" for kind in TYPES for how in ("open", "kept"))
        + "]\n"
    )
    notes = notifications(tmp_path, text)
    plans = build_digests(
        [PRICE_BREACH],
        history([PRICE_BREACH]),
        NIGHT,
        notes.model,
        Snoozes.of(notes, NIGHT),
        lambda _finding: False,
        {name: ReceiverMemory() for name in notes.model.receivers},
    )
    for plan in plans:
        receiver = notes.model.receivers[plan.digest.receiver]
        shown = json.dumps(render(plan.digest, receiver), ensure_ascii=False)
        if receiver.redact_values:
            assert [value for value in CONFIDENTIAL if value in shown] == [], receiver.type
            for key in (
                PRICE_BREACH.agreement,
                "7.3",
                "inv-2026-0042",
                PRICE_BREACH.fingerprint,
                "crm.csv:2",  # where the evidence is: the link to the fact
                "2026-11-20",
            ):
                assert key in shown, (receiver.type, key)
            assert "see the report" in shown
        else:
            assert all(value in shown for value in CONFIDENTIAL), receiver.type
    # What the redacting receiver was told is remembered redacted too (the outbox keeps it).
    kept = next(plan for plan in plans if plan.digest.receiver == "kept-webhook")
    assert [item.message for item in kept.announced] == [WITHHELD]


class _Refused:
    def post(self, url: str, payload: dict[str, Any], timeout: float) -> Reply:
        return Reply(404, {}, "no such channel")


class _Recorded:
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def post(self, url: str, payload: dict[str, Any], timeout: float) -> Reply:
        self.payloads.append(payload)
        return Reply(200, {}, "ok")


def test_a_fallback_that_redacts_gets_the_undelivered_digest_redacted(tmp_path: Path) -> None:
    notes = notifications(
        tmp_path,
        """\
        receivers:
          legal: {type: slack, url_env: SLACK_URL}
          audit: {type: webhook, url_env: AUDIT_URL, redact_values: true}
        fallback: audit
        routes:
          - to: legal
        delivery: {attempts: 1}
        """,
    )
    fallback = _Recorded()
    environ = {"SLACK_URL": "http://127.0.0.1:9/s", "AUDIT_URL": "http://127.0.0.1:9/a"}
    with database(tmp_path) as connection:
        report = notify(
            alert_input([PRICE_BREACH], notes),
            notes,
            connection,
            1,
            environ,
            transports={"slack": _Refused(), "webhook": fallback},
            sleep=Sleeps(),
            clock=clock,
        )
    assert report.tallies["legal"].failed == 1
    [payload] = fallback.payloads
    sent = json.dumps(payload, ensure_ascii=False)
    assert payload["undelivered"]["receiver"] == "legal"
    assert [value for value in CONFIDENTIAL if value in sent] == []
    assert payload["new"][0]["subject"] == "inv-2026-0042"
    assert payload["new"][0]["message"] == WITHHELD
