"""No spam on a first night: a receiver's digest lists at most `max_items_per_digest` findings
(50 by default), the most severe and most recent first, and ends with "... and N more: see the
report" counted by kind. What it leaves out is remembered as told: it is not announced again on
later nights (nothing repeated), and still counts as open and is announced as resolved (nothing
lost). Selections and message counts are worked out by hand below."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from checker.alerts import notify, slack, teams, webhook
from checker.alerts.digest import DigestPlan, LeftOut, ReceiverMemory, build_digests
from checker.alerts.layout import left_out_words
from checker.alerts.notifications_loading import Notifications
from checker.alerts.receivers import DEFAULT_MAX_ITEMS_PER_DIGEST
from checker.alerts.snoozes import Snoozes
from checker.findings.model import Finding, FindingKind, Severity
from tests.alerts_support import (
    NIGHT,
    Sleeps,
    alert_input,
    clock,
    database,
    deadline,
    finding,
    history,
    notifications,
)

SLACK_PATH = "/services/T0AAA/B0BBB/legalS3cret"
RECEIVERS = """\
receivers:
  legal:
    type: slack
    url_env: SLACK_LEGAL_WEBHOOK
  audit:
    type: webhook
    url_env: AUDIT_WEBHOOK
    max_items: 100
    max_items_per_digest: 10
fallback: legal
routes:
  - to: [legal, audit]
    agreement: globex-reseller-2025
delivery:
  attempts: 1
"""
OLD = date(2026, 1, 1)
RECENT = date(2026, 11, 20)


def _first_night() -> list[Finding]:
    """3 critical errors, 40 recent and 1000 old high breaches, 2000 medium rights triggered and
    30 low deadlines due within the month: 3043 new findings and 30 reminders."""
    errors = [
        finding(f"err-{n}", kind=FindingKind.ERROR, severity=Severity.CRITICAL, clause="*")
        for n in range(3)
    ]
    recent = [finding(f"new-{n:04d}", day=RECENT) for n in range(40)]
    old = [finding(f"old-{n:04d}", day=OLD) for n in range(1000)]
    triggers = [
        finding(f"trg-{n:04d}", kind=FindingKind.TRIGGER, severity=Severity.MEDIUM, day=RECENT)
        for n in range(2000)
    ]
    deadlines = [
        deadline(f"due-{n:02d}", NIGHT + timedelta(days=n), severity=Severity.LOW)
        for n in range(30)
    ]
    return errors + recent + old + triggers + deadlines


FIRST_NIGHT = _first_night()


def _plans(
    notes: Notifications,
    found: list[Finding],
    memories: dict[str, ReceiverMemory],
    night: date = NIGHT,
    **tracked: Any,
) -> dict[str, DigestPlan]:
    plans = build_digests(
        found,
        history(found, night, **tracked),
        night,
        notes.model,
        Snoozes.of(notes, night),
        lambda item: False,
        memories,
    )
    return {plan.digest.receiver: plan for plan in plans}


def _remember(plan: DigestPlan, memory: ReceiverMemory, night: date) -> None:
    """What the outbox records when the plan's digest is queued."""
    for item in plan.announced:
        memory.announced[item.fingerprint] = item
    for fingerprint in plan.resolved:
        memory.announced.pop(fingerprint)
    memory.reminded.update(plan.reminded)
    if plan.open_count_sent:
        memory.open_count_sent_on = night


def test_the_cap_is_50_unless_the_receiver_says_otherwise(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    assert DEFAULT_MAX_ITEMS_PER_DIGEST == 50
    assert notes.model.receivers["legal"].max_items_per_digest == 50
    assert notes.model.receivers["audit"].max_items_per_digest == 10


def test_a_first_night_lists_the_most_severe_and_most_recent_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    legal = _plans(notes, FIRST_NIGHT, {})["legal"]
    digest = legal.digest
    # 50 listed: the 3 critical errors, then the high breaches, most recent first (the 40 of
    # 20 November), then the first 7 old ones by subject. Nothing medium or low is listed.
    assert digest.item_count() == 50
    assert [item.subject for item in digest.new] == (
        [f"err-{n}" for n in range(3)]
        + [f"old-{n:04d}" for n in range(7)]  # listed in the digest's order: by date
        + [f"new-{n:04d}" for n in range(40)]
    )
    assert digest.reminders == ()
    assert digest.resolved == ()
    assert digest.left_out == LeftOut(new={"breach": 993, "trigger": 2000}, reminders=30)
    assert digest.left_out.total == 3023
    # Everything is remembered as told, listed or only counted.
    assert len(legal.announced) == 3043
    assert {fingerprint for fingerprint, _, _ in legal.reminded} == {
        item.fingerprint for item in FIRST_NIGHT if item.kind is FindingKind.DEADLINE
    }
    # The open count counts every open finding, listed or not.
    assert digest.open_count is not None
    assert digest.open_count.total == 3043


def test_the_digest_ends_with_the_count_of_what_it_left_out(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    digest = _plans(notes, FIRST_NIGHT, {})["legal"].digest
    words = (
        "... and 3023 more: see the report (993 new breaches, 2000 rights triggered, "
        "30 deadlines coming up). Only the most severe and most recent are listed here; the "
        "others will not be listed in a later digest either."
    )
    assert digest.left_out is not None
    assert left_out_words(digest.left_out) == words
    payloads = slack.render(digest)
    # Blocks, worked out by hand: each message opens with 2; then 2 for each section heading
    # and 1 per entry. Message 1: breaches (2 + 46) = 48 + 2 = 50, Slack's limit. Message 2:
    # breaches continued (2 + 1), could not be checked (2 + 3), open in all (2 + 1), not listed
    # (2 + 1).
    assert [len(payload["blocks"]) for payload in payloads] == [50, 16]
    last = payloads[-1]["blocks"]
    assert last[-2]["text"]["text"] == "*Not listed here*"
    assert last[-1]["text"]["text"] == words
    assert payloads[0]["text"] == (
        "Contract checker, as of 2026-11-22: 1040 new breaches, 2000 rights triggered, "
        "3 clauses that could not be checked, 30 deadlines coming up, 3043 open in all"
    )
    headings = [
        block["text"]["text"]
        for payload in payloads
        for block in payload["blocks"]
        if block["type"] == "section"
        and block["text"]["text"].startswith("*")
        and block["text"]["text"].endswith("*")
        and "\n" not in block["text"]["text"]
    ]
    assert headings == [
        "*New breaches (47 of 1040)*",
        "*New breaches (47 of 1040) (continued)*",
        "*Could not be checked (3)*",
        "*Open in all*",
        "*Not listed here*",
    ]
    cards = teams.render(digest)
    assert len(cards) <= 3  # cards hold 20 KB each; 50 findings fit in a few
    assert _texts(cards[-1])[-1] == teams.escape(words)


def _texts(node: Any) -> list[str]:
    """Every "text" value in a payload, in order."""
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [text for value in node.values() for text in _texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in _texts(value)]
    return []


def test_the_generic_webhook_gets_the_counts_as_data(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    audit = _plans(notes, FIRST_NIGHT, {})["audit"].digest
    [part] = webhook.render(audit, max_items=100)
    assert [entry["subject"] for entry in part["new"]] == ["err-0", "err-1", "err-2"] + [
        f"new-{n:04d}" for n in range(7)
    ]
    assert part["left_out"] == {
        "new": {"breach": 1033, "trigger": 2000},
        "reminders": 30,
        "resolved": 0,
    }
    assert part["summary"].startswith("1040 new breaches, 2000 rights triggered, 3 clauses")


def test_what_was_left_out_is_not_repeated_and_is_resolved_in_time(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    memory = ReceiverMemory()
    breaches = [finding(f"b-{n:03d}", day=OLD + timedelta(days=n)) for n in range(120)]
    night1 = _plans(notes, breaches, {"legal": memory})["legal"]
    assert night1.digest.item_count() == 50
    assert night1.digest.left_out == LeftOut(new={"breach": 70})
    # The 50 most recent are listed: b-070 to b-119.
    assert {item.subject for item in night1.digest.new} == {f"b-{n:03d}" for n in range(70, 120)}
    _remember(night1, memory, NIGHT)
    # Next night, the same 120 are open: nothing is told again, not even "... and 70 more".
    night2 = NIGHT + timedelta(days=1)
    seen = {item.subject: NIGHT for item in breaches}
    again = _plans(notes, breaches, {"legal": memory}, night2, first_seen=seen)["legal"]
    assert again.digest.is_empty
    assert again.digest.left_out is None
    # Two nights later 100 are fixed (b-000 to b-099), resolved by the state store: 50 are
    # listed as resolved (most recent first: b-050 to b-099), 50 counted.
    night3 = NIGHT + timedelta(days=3)
    plan = _plans(
        notes,
        breaches[100:],
        {"legal": memory},
        night3,
        first_seen=seen,
        resolved=breaches[:100],
    )["legal"]
    assert {item.subject for item in plan.digest.resolved} == {f"b-{n:03d}" for n in range(50, 100)}
    assert plan.digest.left_out == LeftOut(resolved=50)
    assert len(plan.resolved) == 100  # every one is forgotten: none is announced again


def test_a_digest_within_the_cap_has_no_left_out_section(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    few = [finding(f"b-{n}") for n in range(50)]
    digest = _plans(notes, few, {})["legal"].digest
    assert digest.left_out is None
    assert digest.item_count() == 50
    texts = json.dumps(slack.render(digest))
    assert "Not listed here" not in texts
    assert "more: see the report" not in texts


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_three_thousand_findings_are_two_slack_messages_once(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    notes = notifications(
        tmp_path,
        "receivers:\n  legal:\n    type: slack\n    url_env: SLACK_LEGAL_WEBHOOK\n"
        "fallback: legal\ndelivery:\n  attempts: 1\nopen_count_every: 7d\n",
    )
    httpserver.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    environ = {"SLACK_LEGAL_WEBHOOK": httpserver.url_for(SLACK_PATH)}
    # Deadlines left out: they would be reminded again at their next lead time, as they should.
    found = [item for item in FIRST_NIGHT if item.kind is not FindingKind.DEADLINE]
    seen = {item.subject: NIGHT for item in found}

    def night(offset: int, run_id: int) -> int:
        tonight = NIGHT + timedelta(days=offset)
        tracked = history(found, tonight, first_seen=seen, run_id=run_id)
        with database(tmp_path) as connection:
            report = notify(
                alert_input(found, notes, tonight, tracked),
                notes,
                connection,
                run_id,
                environ,
                sleep=Sleeps(),
                clock=clock,
            )
        assert not report.delivery_failed
        return report.tallies["legal"].sent

    assert night(0, 1) == 2  # not 3043 findings in some 70 messages
    assert night(1, 2) == 0  # the same findings the next night: nothing repeated
    assert night(7, 3) == 1  # a week later: only the open count
    bodies = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert bodies[-1]["text"] == "Contract checker, as of 2026-11-29: 3043 open in all"
