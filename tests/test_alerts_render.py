"""Digests as Slack Block Kit messages, Teams Adaptive Cards and generic JSON: payload shape,
platform limits (a long digest is split, never refused) and escaping of fact values."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from checker.alerts import slack, teams, webhook
from checker.alerts.digest import Digest, Item, OpenCount, Reminder, Undelivered
from checker.findings.model import Evidence, FindingKind, Severity
from tests.alerts_support import NIGHT, finding

HOSTILE = "Customer <!channel> & <@U123> said <https://evil.example|click> **now** @here"


def _items(count: int, **fields: Any) -> tuple[Item, ...]:
    return tuple(Item.of(finding(f"crm-d-{n:04d}", **fields), NIGHT) for n in range(count))


def _digest(**fields: Any) -> Digest:
    return Digest(receiver="legal", as_of=NIGHT, **fields)


def _slack_texts(payload: dict[str, Any]) -> list[str]:
    texts = []
    for block in payload["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts.extend(element["text"] for element in block.get("elements", []))
    return texts


def _card(payload: dict[str, Any]) -> dict[str, Any]:
    [attachment] = payload["attachments"]
    card: dict[str, Any] = attachment["content"]
    return card


def _card_texts(card: dict[str, Any]) -> list[str]:
    texts = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            texts.append(element["text"])
        for inner in element.get("items", []):
            texts.append(inner["text"])
    return texts


def test_slack_payload_is_block_kit() -> None:
    digest = _digest(
        new=_items(1),
        reminders=(
            Reminder(
                item=Item.of(
                    finding("notice", kind=FindingKind.DEADLINE, day=NIGHT + timedelta(days=7)),
                    NIGHT,
                ),
                days_left=7,
                lead_days=7,
            ),
        ),
        open_count=OpenCount(total=4, by_kind={"breach": 3, "trigger": 1}),
    )
    [payload] = slack.render(digest)
    assert payload["text"] == (
        "Contract checker, as of 2026-11-22: 1 new breach, 1 deadline coming up, 4 open in all"
    )
    types = [block["type"] for block in payload["blocks"]]
    assert types == [
        "header",
        "context",
        "divider",
        "section",  # New breaches (1)
        "section",
        "divider",
        "section",  # Deadlines coming up (1)
        "section",
        "divider",
        "section",  # Open in all
        "section",
    ]
    header = payload["blocks"][0]["text"]
    assert header == {"type": "plain_text", "text": "Contract checker, as of 2026-11-22"}
    texts = _slack_texts(payload)
    assert texts[1] == "1 new breach, 1 deadline coming up, 4 open in all · for legal"
    assert texts[2] == "*New breaches (1)*"
    assert texts[3].startswith("*globex-reseller-2025, clause 4.1: Exclusive territory*\n")
    assert "Evidence: crm-d-0000 (deal.closed, 2026-11-20T10:00:00Z, crm.csv:2)" in texts[3]
    assert "Due in 7 days, on 2026-11-29." in texts[5]
    assert texts[7] == "4 findings are open: 3 breaches, 1 right triggered."
    assert all(
        block["text"]["type"] == "mrkdwn"
        for block in payload["blocks"]
        if block["type"] == "section"
    )


def test_a_digest_of_200_findings_is_split_into_slack_messages_within_limits() -> None:
    digest = _digest(new=_items(200), open_count=OpenCount(total=200, by_kind={"breach": 200}))
    payloads = slack.render(digest)
    # 50 blocks a message: header and context, then a divider and the section's heading (again,
    # "continued", in each later message), leaving 46 findings; 200 = 4 x 46 + 16.
    assert len(payloads) == 5
    counts = [sum(1 for t in _slack_texts(p) if t.startswith("*globex")) for p in payloads]
    assert counts == [46, 46, 46, 46, 16]
    for number, payload in enumerate(payloads, 1):
        assert len(payload["blocks"]) <= slack.MAX_BLOCKS
        assert all(len(text) <= slack.MAX_SECTION_TEXT for text in _slack_texts(payload))
        assert len(payload["blocks"][0]["text"]["text"]) <= slack.MAX_HEADER_TEXT
        assert _slack_texts(payload)[1].endswith(f"message {number} of 5")
    assert _slack_texts(payloads[1])[2] == "*New breaches (200) (continued)*"
    # Every finding is in exactly one message, in order.
    shown = [
        line.removeprefix("Fingerprint: ")
        for payload in payloads
        for text in _slack_texts(payload)
        for line in text.split("\n")
        if line.startswith("Fingerprint: ")
    ]
    assert shown == [item.fingerprint for item in digest.new]
    # The open count rides at the end of the last message.
    assert _slack_texts(payloads[-1])[-1] == "200 findings are open: 200 breaches."


def test_an_over_long_finding_is_shortened_for_slack_not_dropped() -> None:
    long_message = "x" * 10_000
    [payload] = slack.render(_digest(new=_items(1, message=long_message)))
    [section] = [t for t in _slack_texts(payload) if t.startswith("*globex")]
    assert len(section) == slack.MAX_SECTION_TEXT
    assert section.endswith("x…")


def test_slack_escapes_mentions_and_links_from_fact_values() -> None:
    item = Item.of(
        finding(
            "<!channel>",
            message=HOSTILE,
            evidence=[Evidence("<@U123>", "deal.closed", "2026-11-20T10:00:00Z", "crm.csv:2")],
        ),
        NIGHT,
    )
    [payload] = slack.render(_digest(new=(item,)))
    raw = json.dumps(payload)
    for pinging in ("<!channel>", "<@U123>", "<https://evil.example|click>", "<!here>"):
        assert pinging not in raw
    [section] = [t for t in _slack_texts(payload) if t.startswith("*globex")]
    assert (
        "Customer &lt;!channel&gt; &amp; &lt;@U123&gt; said &lt;https://evil.example|click&gt; "
        "**now** @here"
    ) in section
    assert "Subject: &lt;!channel&gt;" in section
    assert "Evidence: &lt;@U123&gt; (deal.closed" in section


def test_slack_shortening_never_cuts_an_escaped_character_in_half() -> None:
    escaped = slack.escape("<" * 2000)  # 8000 characters of "&lt;"
    cut = slack.shorten(escaped, 3000)
    assert len(cut) <= 3000
    assert cut.endswith("&lt;…")
    assert cut.removesuffix("…") == "&lt;" * 749


def test_teams_payload_is_an_adaptive_card_message() -> None:
    [payload] = teams.render(_digest(new=_items(2)))
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    body_types = [element["type"] for element in card["body"]]
    assert body_types == ["TextBlock", "TextBlock", "TextBlock", "Container", "Container"]
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": "Contract checker, as of 2026-11-22",
        "wrap": True,
        "size": "Large",
        "weight": "Bolder",
    }
    assert card["body"][2]["text"] == "New breaches (2)"
    first = card["body"][3]["items"]
    # A dash inside a line is no Markdown: only list markers at the start of a line are escaped.
    assert first[0] == {
        "type": "TextBlock",
        "text": "globex-reseller-2025, clause 4.1: Exclusive territory",
        "wrap": True,
        "weight": "Bolder",
    }
    assert all(block["wrap"] is True for block in first)


def test_teams_escapes_markdown_and_mentions() -> None:
    assert teams.escape("**bold** _x_ [link](y) <at>Bob</at> @channel & 1. item") == (
        "\\*\\*bold\\*\\* \\_x\\_ \\[link\\](y) \\<at\\>Bob\\</at\\> \\@channel \\& 1. item"
    )
    assert teams.escape("- a\n# b\n12. c\n> d") == "\\- a\n\\# b\n12\\. c\n\\> d"
    [payload] = teams.render(_digest(new=(Item.of(finding("s1", message=HOSTILE), NIGHT),)))
    texts = _card_texts(_card(payload))
    assert (
        "Customer \\<!channel\\> \\& \\<\\@U123\\> said \\<https://evil.example\\|click\\> "
        "\\*\\*now\\*\\* \\@here"
    ) in texts
    assert "<at>" not in json.dumps(payload)


def test_a_digest_of_200_findings_is_split_into_teams_cards_under_the_size_limit() -> None:
    evidence = [
        Evidence(f"fact-{n}", "deal.closed", "2026-11-20T10:00:00Z", f"exports/crm.csv:{n}")
        for n in range(12)
    ]
    digest = _digest(new=_items(200, evidence=evidence, message="m" * 600))
    payloads = teams.render(digest)
    assert len(payloads) > 1
    sizes = [len(json.dumps(p, ensure_ascii=False).encode("utf-8")) for p in payloads]
    assert max(sizes) <= teams.MAX_CARD_BYTES < 28_000
    shown = [
        text.removeprefix("Fingerprint: ")
        for payload in payloads
        for text in _card_texts(_card(payload))
        if text.startswith("Fingerprint: ")
    ]
    assert shown == [item.fingerprint for item in digest.new]
    for number, payload in enumerate(payloads, 1):
        assert _card_texts(_card(payload))[1].endswith(f"message {number} of {len(payloads)}")
    # Twelve facts of evidence: five shown, the rest counted.
    first_texts = _card_texts(_card(payloads[0]))
    assert any(text.endswith("; and 7 more facts") for text in first_texts)


def test_generic_webhook_parts_hold_at_most_max_items() -> None:
    digest = _digest(
        new=_items(120),
        resolved=_items(5, severity=Severity.LOW),
        open_count=OpenCount(total=120, by_kind={"breach": 120}),
    )
    parts = webhook.render(digest, max_items=50)
    assert [(p["part"], p["parts"]) for p in parts] == [(1, 3), (2, 3), (3, 3)]
    assert [(len(p["new"]), len(p["resolved"])) for p in parts] == [(50, 0), (50, 0), (20, 5)]
    assert parts[0]["open_count"] == {"total": 120, "by_kind": {"breach": 120}}
    assert parts[1]["open_count"] is None
    assert parts[0]["source"] == "contract-checker"
    assert parts[0]["as_of"] == "2026-11-22"
    assert parts[0]["summary"] == "120 new breaches, 5 resolved, 120 open in all"
    first = parts[0]["new"][0]
    assert first["agreement"] == "globex-reseller-2025"
    assert first["kind"] == "breach"
    assert first["evidence"] == [
        {
            "fact_id": "crm-d-0000",
            "fact_type": "deal.closed",
            "at": "2026-11-20T10:00:00Z",
            "source": "crm.csv:2",
        }
    ]
    assert first["date"] == "2026-11-20"


def test_a_fallback_copy_says_why_it_is_there() -> None:
    digest = _digest(
        new=_items(1),
        undelivered=Undelivered(receiver="privacy", reason="HTTP 404 Not Found: no_service"),
    )
    [payload] = slack.render(digest)
    texts = _slack_texts(payload)
    assert texts[1].startswith("undelivered digest for privacy: 1 new breach")
    assert texts[2] == "*Not delivered*"
    assert (
        "This digest was meant for 'privacy', but it could not be delivered there "
        "(HTTP 404 Not Found: no_service)."
    ) in texts[3]


def test_an_empty_section_list_still_renders_one_message() -> None:
    digest = _digest(open_count=OpenCount(total=2, by_kind={"trigger": 2}))
    [payload] = slack.render(digest)
    assert _slack_texts(payload)[-1] == "2 findings are open: 2 rights triggered."
    assert payload["text"].endswith("2 open in all")


# --- Unknown findings: a short "could not be checked" section -----------------------------------

UNKNOWN_MESSAGE = (
    "cannot tell whether payment.received for 2026-10 was done by 2026-11-15: the billing feed "
    "runs only to 2026-10-31"
)


def _with_unknown() -> Digest:
    unknown = finding(
        "2026-10",
        kind=FindingKind.UNKNOWN,
        clause="8.1",
        title="Monthly licence fee",
        day=NIGHT - timedelta(days=7),
        message=UNKNOWN_MESSAGE,
        evidence=(),
    )
    return _digest(
        new=(*_items(1), Item.of(unknown, NIGHT)),
        open_count=OpenCount(total=3, by_kind={"breach": 1, "unknown": 2}),
    )


def test_slack_lists_unknown_findings_in_their_own_short_section() -> None:
    digest = _with_unknown()
    [payload] = slack.render(digest)
    assert payload["text"] == (
        "Contract checker, as of 2026-11-22: 1 new breach, 1 unknown (data missing), 3 open in all"
    )
    texts = _slack_texts(payload)
    assert texts[2] == "*New breaches (1)*"
    assert texts[4] == "*Could not be checked: unknown, data missing (1)*"
    # Short: what cannot be told and why, when, and its fingerprint; no evidence.
    assert texts[5] == (
        "*globex-reseller-2025, clause 8.1: Monthly licence fee*\n"
        f"Unknown: {UNKNOWN_MESSAGE}\n"
        "Date: 2026-11-15 · Subject: 2026-10 · Severity: high\n"
        f"Fingerprint: {digest.new[1].fingerprint}"
    )
    assert texts[6] == "*Open in all*"
    assert texts[7] == "3 findings are open: 1 breach, 2 unknown (data missing)."


def test_teams_and_webhook_list_unknown_findings() -> None:
    digest = _with_unknown()
    [payload] = teams.render(digest)
    texts = _card_texts(_card(payload))
    assert "Could not be checked: unknown, data missing (1)" in texts
    assert f"Unknown: {UNKNOWN_MESSAGE}" in texts
    assert texts[-1] == "3 findings are open: 1 breach, 2 unknown (data missing)."
    [part] = webhook.render(digest, max_items=50)
    assert part["summary"] == "1 new breach, 1 unknown (data missing), 3 open in all"
    assert [(item["kind"], item["subject"]) for item in part["new"]] == [
        ("breach", "crm-d-0000"),
        ("unknown", "2026-10"),
    ]
    assert part["new"][1]["message"] == UNKNOWN_MESSAGE
    assert part["open_count"] == {"total": 3, "by_kind": {"breach": 1, "unknown": 2}}
