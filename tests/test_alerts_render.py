"""Digests as Slack Block Kit messages, Teams Adaptive Cards and generic JSON: payload shape,
platform limits (a long digest is split, never refused) and escaping of fact values."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from checker.alerts import layout, mail, slack, teams, webhook
from checker.alerts.digest import Digest, Item, LeftOut, OpenCount, Reminder, Undelivered
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

BILLING = "the billing feed has no data"
POINTER = (
    "Neither compliant nor breaches: the data that would decide them is not there tonight. The "
    "report lists each finding."
)


def _unknown(subject: str, *, cause: str = BILLING, **fields: Any) -> Item:
    """An unknown finding worded as an obligation's is ("...; whether it was done cannot be told:
    <cause>")."""
    fields = {"agreement": "hooli-saas-2025", "clause": "8.1", **fields}
    message = (
        f"hooli had to do payment.received for {subject} by 2026-11-15; whether it was done "
        f"cannot be told: {cause}"
    )
    made = finding(subject, kind=FindingKind.UNKNOWN, message=message, evidence=(), **fields)
    return Item.of(made, NIGHT)


def _missing_billing_feed() -> Digest:
    """One breach; the billing feed missing: 11 monthly fees of 8.1 and one fee of 10.1 unknown;
    an availability month without readings; a notice the notices feed does not reach."""
    months = [f"2025-{m}" for m in ("11", "12")] + [f"2026-{m:02d}" for m in range(1, 10)]
    availability = finding(
        "2026-08",
        agreement="hooli-saas-2025",
        clause="9.1",
        kind=FindingKind.UNKNOWN,
        message="average of uptime_percent of service.uptime for 2026-08 cannot be told: no "
        "facts in the period to take it from",
        evidence=(),
    )
    new = (
        *_items(1),
        *(_unknown(month) for month in months),
        _unknown("setup", clause="10.1"),
        Item.of(availability, NIGHT),
        _unknown(
            "inc-0104",
            agreement="globex-reseller-2025",
            clause="10.2",
            cause="the notices feed runs only to 2026-11-21",
        ),
    )
    return _digest(new=new, open_count=OpenCount(total=15, by_kind={"breach": 1, "unknown": 14}))


# By hand: agreements in order; hooli's billing findings (11 of 8.1, 1 of 10.1) on one line, its
# availability month on another; no fingerprint, no evidence; then where each finding is.
MISSING_BILLING_LINES = [
    "globex-reseller-2025, clause 10.2: 1 finding cannot be told: the notices feed runs only to "
    "2026-11-21",
    "hooli-saas-2025, clauses 8.1, 10.1: 12 findings cannot be told: the billing feed has no data",
    "hooli-saas-2025, clause 9.1: 1 finding cannot be told: no facts in the period to take it from",
    POINTER,
]


def test_slack_tells_unknown_findings_by_agreement_and_cause() -> None:
    digest = _missing_billing_feed()
    [payload] = slack.render(digest)
    assert payload["text"] == (
        "Contract checker, as of 2026-11-22: 1 new breach, 14 unknown (data missing), "
        "15 open in all"
    )
    texts = _slack_texts(payload)
    assert texts[2] == "*New breaches (1)*"
    at = texts.index("*Could not be checked: unknown, data missing (14)*")
    assert texts[at + 1 : at + 5] == MISSING_BILLING_LINES
    assert texts[at + 5] == "*Open in all*"
    # 14 findings in 4 blocks, not 14 with a fingerprint each: the opening (header, context),
    # each section a divider and its heading, then 1 breach, 4 unknown lines, the open count.
    assert not any("Fingerprint" in text for text in texts[at:])
    assert len(payload["blocks"]) == 2 + (2 + 1) + (2 + 4) + (2 + 1)


def test_teams_and_email_tell_unknown_findings_by_agreement_and_cause() -> None:
    digest = _missing_billing_feed()
    [payload] = teams.render(digest)
    texts = _card_texts(_card(payload))
    at = texts.index("Could not be checked: unknown, data missing (14)")
    assert texts[at + 1 : at + 5] == MISSING_BILLING_LINES
    [message] = mail.render(digest)
    section = message["text"].split("Could not be checked: unknown, data missing (14)\n")[1]
    assert section.split("\n\n\n")[0] == "-" * 48 + "\n" + "\n\n".join(MISSING_BILLING_LINES)


def test_webhook_keeps_each_unknown_finding_for_the_service() -> None:
    """A program reads the webhook: it gets every finding with its fingerprint, as before."""
    digest = _missing_billing_feed()
    [part] = webhook.render(digest, max_items=50)
    assert part["summary"] == "1 new breach, 14 unknown (data missing), 15 open in all"
    assert [item["kind"] for item in part["new"]] == ["breach", *["unknown"] * 14]
    assert part["new"][1]["fingerprint"] == digest.new[1].fingerprint


def test_many_agreements_without_data_are_counted_after_ten_lines() -> None:
    new = tuple(_unknown("2026-10", agreement=f"partner-{n:02d}") for n in range(1, 13))
    sections = layout.sections(_digest(new=new))
    [unknown] = sections
    assert unknown.title == "Could not be checked: unknown, data missing (12)"
    lines = [line for entry in unknown.entries for line in entry.lines]
    assert lines == [
        *(
            f"partner-{n:02d}, clause 8.1: 1 finding cannot be told: the billing feed has no data"
            for n in range(1, 11)
        ),
        "... and 2 more findings (2 agreements) that cannot be told.",
        POINTER,
    ]


def test_many_clauses_are_counted_after_three() -> None:
    new = tuple(_unknown("2026-10", clause=clause) for clause in ("12", "3", "7.2", "7.10", "1"))
    [unknown] = layout.sections(_digest(new=new))
    assert unknown.entries[0].lines == (
        "hooli-saas-2025, clauses 1, 3, 7.2 and 2 more: 5 findings cannot be told: the billing "
        "feed has no data",
    )


def test_a_redacting_receiver_is_not_told_why() -> None:
    new = (_unknown("2026-09").redacted(), _unknown("2026-10").redacted())
    [unknown] = layout.sections(_digest(new=new))
    assert [entry.lines for entry in unknown.entries] == [
        (
            "hooli-saas-2025, clause 8.1: 2 findings cannot be told (why is withheld from this "
            "channel: see the report)",
        ),
        (POINTER,),
    ]


def test_a_message_that_does_not_say_why_points_to_the_report() -> None:
    item = Item.of(
        finding("2026-10", kind=FindingKind.UNKNOWN, message="no monitoring data", evidence=()),
        NIGHT,
    )
    [unknown] = layout.sections(_digest(new=(item,)))
    assert unknown.entries[0].lines == (
        "globex-reseller-2025, clause 4.1: 1 finding cannot be told (why: see the report)",
    )


def test_unknown_findings_the_cap_left_out_are_counted_in_the_heading() -> None:
    digest = _digest(
        new=(_unknown("2026-09"), _unknown("2026-10")), left_out=LeftOut(new={"unknown": 5})
    )
    sections = layout.sections(digest)
    assert [section.title for section in sections] == [
        "Could not be checked: unknown, data missing (2 of 7)",
        "Not listed here",
    ]
    assert sections[0].entries[0].lines == (
        "hooli-saas-2025, clause 8.1: 2 findings cannot be told: the billing feed has no data",
    )
    assert (
        sections[1]
        .entries[0]
        .lines[0]
        .startswith("... and 5 more: see the report (5 unknown (data missing)).")
    )
