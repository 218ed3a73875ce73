"""What each receiver is told: routing and fallback, snoozes, new findings, reminders at lead
times, resolved findings and the repeated open count, worked out by hand night by night."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from checker.alerts.digest import DigestPlan, Item, ReceiverMemory, build_digests
from checker.alerts.notifications_loading import Notifications
from checker.alerts.routing import Router
from checker.alerts.snoozes import Snoozes
from checker.common.diagnostics import Level
from checker.findings.model import Finding, FindingKind, Severity
from tests.alerts_support import NIGHT, deadline, finding, history, notifications

RECEIVERS = """\
receivers:
  legal:
    type: slack
    url_env: LEGAL
    min_severity: medium
  privacy:
    type: teams
    url_env: PRIVACY
  ciso:
    type: webhook
    url_env: CISO
fallback: legal
"""


def _plans(
    notes: Notifications,
    found: list[Finding],
    memories: dict[str, ReceiverMemory] | None = None,
    night: date = NIGHT,
    **tracked: object,
) -> dict[str, DigestPlan]:
    plans = build_digests(
        found,
        history(found, night, **tracked),  # type: ignore[arg-type]
        night,
        notes.model,
        Snoozes.of(notes, night),
        lambda item: False,
        memories or {},
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


def test_a_finding_goes_to_every_route_it_matches(tmp_path: Path) -> None:
    notes = notifications(
        tmp_path,
        RECEIVERS
        + """\
routes:
  - to: [legal]
    owner: emea-legal
  - to: [ciso, legal]
    severity: [critical]
  - to: privacy
    kind: [breach]
    agreement: [initech-data-2025]
""",
    )
    router = Router(notes.model)
    assert router.receivers_for(finding(owner="emea-legal")) == ["legal"]
    critical = finding(owner="emea-legal", severity=Severity.CRITICAL)
    assert router.receivers_for(critical) == ["legal", "ciso"]  # each receiver once
    initech = finding(agreement="initech-data-2025", owner="privacy-office")
    assert router.receivers_for(initech) == ["privacy"]
    # A trigger of Initech matches no route (kind breach only): the fallback takes it.
    trigger = finding(
        agreement="initech-data-2025", owner="privacy-office", kind=FindingKind.TRIGGER
    )
    assert router.receivers_for(trigger) == ["legal"]


def test_min_severity_filters_without_falling_back(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS + "routes:\n  - to: legal\n    owner: emea-legal\n")
    router = Router(notes.model)
    # legal takes medium and above; a low finding a route took is not sent to the fallback
    # either (the fallback is legal itself here, and its minimum applies too).
    assert router.receivers_for(finding(severity=Severity.LOW)) == []
    assert router.receivers_for(finding(severity=Severity.MEDIUM)) == ["legal"]
    # No route: the fallback, with its own minimum.
    other = finding(owner="procurement-legal", severity=Severity.INFO)
    assert router.receivers_for(other) == []
    assert router.receivers_for(finding(owner="procurement-legal")) == ["legal"]


def test_first_night_announces_breaches_and_triggers_sorted_by_severity(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    medium = finding("a", severity=Severity.MEDIUM)
    critical = finding("b", severity=Severity.CRITICAL, kind=FindingKind.TRIGGER)
    error = finding("c", kind=FindingKind.ERROR, clause="*")
    plans = _plans(notes, [medium, critical, error])
    legal = plans["legal"].digest
    # Most severe first: critical, then the error (high by default), then medium.
    assert [item.subject for item in legal.new] == ["b", "c", "a"]
    assert legal.open_count is not None
    assert (legal.open_count.total, legal.open_count.by_kind) == (
        3,
        {"breach": 1, "error": 1, "trigger": 1},
    )
    assert legal.reminders == ()
    assert legal.resolved == ()
    # Receivers no finding went to get an empty digest: nothing is sent to them.
    assert plans["privacy"].digest.is_empty
    assert plans["ciso"].digest.is_empty


def test_a_finding_is_announced_once_and_late_ones_catch_up(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    memory = ReceiverMemory()
    first = finding("a")
    night1 = _plans(notes, [first], {"legal": memory})["legal"]
    assert [item.subject for item in night1.digest.new] == ["a"]
    _remember(night1, memory, NIGHT)
    # Next night: "a" is open (announced already), "b" was found two nights ago on a night
    # without alerts: it is announced now, with the day it was first found.
    night2 = NIGHT + timedelta(days=1)
    late = finding("b")
    plan = _plans(
        notes,
        [first, late],
        {"legal": memory},
        night2,
        first_seen={"a": NIGHT, "b": NIGHT - timedelta(days=1)},
    )["legal"]
    assert [(item.subject, item.first_seen) for item in plan.digest.new] == [
        ("b", NIGHT - timedelta(days=1))
    ]


def test_reminders_at_each_lead_time_and_after_a_skipped_night(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS + "reminder_days: [30, 7, 1]\n")
    memory = ReceiverMemory()
    due = NIGHT + timedelta(days=30)
    renewal = deadline("renewal", due)

    def remind(night: date) -> list[tuple[int, int]]:
        plan = _plans(notes, [renewal], {"legal": memory}, night)["legal"]
        _remember(plan, memory, night)
        return [(r.days_left, r.lead_days) for r in plan.digest.reminders]

    assert remind(NIGHT - timedelta(days=1)) == []  # 31 days before: no lead time yet
    assert remind(NIGHT) == [(30, 30)]  # exactly 30 days before
    assert remind(NIGHT) == []  # a rerun of the night reminds of nothing
    assert remind(NIGHT + timedelta(days=1)) == []  # 29 days before
    # The night 7 days before is skipped: the next night still reminds, at the 7-day lead.
    assert remind(due - timedelta(days=6)) == [(6, 7)]
    assert remind(due - timedelta(days=5)) == []
    assert remind(due - timedelta(days=1)) == [(1, 1)]
    assert remind(due) == []  # every lead time reminded
    # A deadline that moves (a cure period restarted) is a new date: reminded again.
    moved = deadline("renewal", due + timedelta(days=7))
    plan = _plans(notes, [moved], {"legal": memory}, due)["legal"]
    assert [(r.days_left, r.lead_days) for r in plan.digest.reminders] == [(7, 7)]


def test_first_digest_reminds_of_a_deadline_already_inside_a_lead_time(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    in_20_days = deadline("notice", NIGHT + timedelta(days=20))
    in_45_days = deadline("later", NIGHT + timedelta(days=45))
    plan = _plans(notes, [in_20_days, in_45_days])["legal"]
    assert [(r.item.subject, r.days_left, r.lead_days) for r in plan.digest.reminders] == [
        ("notice", 20, 30)
    ]
    assert plan.reminded == [(in_20_days.fingerprint, "2026-12-12", 30)]
    # Deadlines come as reminders only: they are neither new nor counted as open.
    assert plan.digest.new == ()
    assert plan.digest.open_count is None


def test_resolved_only_when_tonight_can_tell(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    fixed, skipped, stale, gone, still = (finding(s) for s in "abcde")
    of_failed_agreement = finding("f", agreement="hooli-saas-2025")
    memory = ReceiverMemory(
        announced={
            f.fingerprint: Item.of(f, NIGHT)
            for f in (fixed, skipped, stale, gone, still, of_failed_agreement)
        }
    )
    hooli_error = finding("hooli", agreement="hooli-saas-2025", kind=FindingKind.ERROR, clause="*")
    night = NIGHT + timedelta(days=2)
    plan = _plans(
        notes,
        [still, hooli_error],
        {"legal": memory},
        night,
        resolved=[fixed],  # resolved tonight, by the state store
        stale=[stale],  # its input was missing tonight
        first_seen={"e": NIGHT},
    )["legal"]
    # "a" was resolved tonight. "b" and "d" are not reported and not stale: they went away on a
    # night without a digest, and are resolved too. "c" is stale, "e" still reported, and "f"
    # belongs to Hooli, whose evaluation failed tonight: none of these is resolved.
    assert sorted(item.subject for item in plan.digest.resolved) == ["a", "b", "d"]
    assert sorted(plan.resolved) == sorted(f.fingerprint for f in (fixed, skipped, gone))
    assert [item.subject for item in plan.digest.new] == ["hooli"]


def test_open_count_repeats_on_its_interval(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS + "open_count_every: 7d\n")
    memory = ReceiverMemory()
    breach = finding("a")

    def count(night: date) -> int | None:
        plan = _plans(notes, [breach], {"legal": memory}, night, first_seen={"a": NIGHT})["legal"]
        _remember(plan, memory, night)
        return plan.digest.open_count.total if plan.digest.open_count else None

    assert count(NIGHT) == 1
    assert count(NIGHT + timedelta(days=3)) is None
    assert count(NIGHT + timedelta(days=6)) is None
    assert count(NIGHT + timedelta(days=7)) == 1
    assert count(NIGHT + timedelta(days=8)) is None
    # Nothing open: no count, and nothing remembered as sent.
    empty = _plans(notes, [], {"legal": memory}, NIGHT + timedelta(days=30))["legal"]
    assert empty.digest.open_count is None
    assert not empty.open_count_sent


def test_snoozed_and_waived_findings_stay_out_of_chat(tmp_path: Path) -> None:
    by_print = finding("a")
    by_clause = finding("b", clause="7.1")
    by_agreement = finding("c", agreement="hooli-saas-2025")
    expired = finding("d", agreement="vandelay-2026")
    waived = finding("e")
    shown = finding("f")
    notes = notifications(
        tmp_path,
        RECEIVERS
        + f"""\
snoozes:
  - fingerprint: {by_print.fingerprint}
    author: Maria Weber
    comment: being negotiated
    expires: 2026-11-22
  - agreement: globex-reseller-2025
    clause: "7.1"
    author: Maria Weber
    comment: amendment signed
    expires: 2026-12-31
  - agreement: hooli-saas-2025
    author: Ana Ruiz
    comment: under audit
    expires: 2027-01-31
  - agreement: vandelay-2026
    author: Ana Ruiz
    comment: old
    expires: 2026-11-21
  - agreement: no-such-agreement
    author: Ana Ruiz
    comment: typo
    expires: 2027-01-31
""",
    )
    snoozes = Snoozes.of(notes, NIGHT)
    found = [by_print, by_clause, by_agreement, expired, waived, shown]
    plans = build_digests(
        found,
        history(found),
        NIGHT,
        notes.model,
        snoozes,
        lambda item: item.subject == "e",
        {},
    )
    legal = next(plan.digest for plan in plans if plan.digest.receiver == "legal")
    assert sorted(item.subject for item in legal.new) == ["d", "f"]
    assert legal.open_count is not None
    assert legal.open_count.total == 2
    record = snoozes.decide(by_clause)
    assert record is not None
    assert record.describe() == "snoozed in chat until 2026-12-31 by Maria Weber: amendment signed"
    warnings = snoozes.warnings()
    assert all(w.level is Level.WARNING for w in warnings)
    assert [(w.line, w.message) for w in warnings] == [
        (
            27,
            "snooze 4 (every finding of vandelay-2026) expired on 2026-11-21: its findings are "
            "sent to chat again",
        ),
        (31, "snooze 5 (every finding of no-such-agreement) covers no finding of this run"),
    ]


# --- Unknown findings: the data that would decide them is not there ------------------------------


def _unknown(subject: str, **fields: object) -> Finding:
    return finding(
        subject,
        kind=FindingKind.UNKNOWN,
        clause="8.1",
        title="Monthly licence fee",
        message=f"cannot tell whether the fee for {subject} was paid: the billing feed runs only "
        "to 2026-10-31",
        evidence=(),
        **fields,  # type: ignore[arg-type]
    )


def test_unknown_findings_are_announced_once_and_counted_open(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    memory = ReceiverMemory()
    breach = finding("a")  # high
    fee = _unknown("2026-10")  # high
    other = _unknown("2026-09", severity=Severity.MEDIUM)
    night1 = _plans(notes, [breach, fee, other], {"legal": memory})["legal"]
    # Most severe first, then by agreement, date, clause, subject: the breach (4.1) before the
    # unknown fee of the same severity (8.1), then the medium one.
    assert [(item.kind, item.subject) for item in night1.digest.new] == [
        (FindingKind.BREACH, "a"),
        (FindingKind.UNKNOWN, "2026-10"),
        (FindingKind.UNKNOWN, "2026-09"),
    ]
    assert night1.digest.open_count is not None
    assert (night1.digest.open_count.total, night1.digest.open_count.by_kind) == (
        3,
        {"breach": 1, "unknown": 2},
    )
    _remember(night1, memory, NIGHT)
    # The next night they are still reported: told already, so nothing new.
    night2 = _plans(
        notes,
        [breach, fee, other],
        {"legal": memory},
        NIGHT + timedelta(days=1),
        first_seen={"a": NIGHT, "2026-10": NIGHT, "2026-09": NIGHT},
    )["legal"]
    assert night2.digest.new == ()
    assert night2.digest.resolved == ()


def test_a_breach_that_became_unknown_is_not_announced_as_resolved(tmp_path: Path) -> None:
    notes = notifications(tmp_path, RECEIVERS)
    missed = finding("2026-10", clause="8.1", title="Monthly licence fee", evidence=())
    memory = ReceiverMemory(announced={missed.fingerprint: Item.of(missed, NIGHT)})
    # Tonight the billing feed is late: the same clause and subject are unknown, and the state
    # store made the breach stale (checker/state/judging.py).
    unknown = _unknown("2026-10")
    assert unknown.fingerprint != missed.fingerprint  # a finding of its own
    plan = _plans(notes, [unknown], {"legal": memory}, NIGHT + timedelta(days=1), stale=[missed])[
        "legal"
    ]
    assert plan.digest.resolved == ()
    assert plan.resolved == []
    assert [(item.kind, item.subject) for item in plan.digest.new] == [
        (FindingKind.UNKNOWN, "2026-10")
    ]


def test_a_capped_digest_lists_unknown_after_rights_and_before_deadlines(tmp_path: Path) -> None:
    capped = RECEIVERS.replace(
        "min_severity: medium", "min_severity: medium\n    max_items_per_digest: 3"
    )
    notes = notifications(tmp_path, capped + "reminder_days: [30, 7, 1]\n")
    # All high: the cap then goes by kind (error, breach, right, unknown, deadline).
    error = finding("e", kind=FindingKind.ERROR, clause="*")
    breach = finding("b")
    trigger = finding("t", kind=FindingKind.TRIGGER)
    unknown = _unknown("u", day=date(2026, 11, 20))
    due = deadline("d", NIGHT + timedelta(days=7))
    digest = _plans(notes, [unknown, trigger, breach, error, due])["legal"].digest
    assert sorted(item.subject for item in digest.new) == ["b", "e", "t"]
    assert digest.reminders == ()
    assert digest.left_out is not None
    assert (digest.left_out.new, digest.left_out.reminders) == ({"unknown": 1}, 1)
    # With room for four, the unknown finding comes before the deadline.
    four = capped.replace("digest: 3", "digest: 4") + "reminder_days: [30, 7, 1]\n"
    notes = notifications(tmp_path, four, "four.yaml")
    digest = _plans(notes, [unknown, trigger, breach, error, due])["legal"].digest
    assert sorted(item.subject for item in digest.new) == ["b", "e", "t", "u"]
    assert digest.left_out is not None
    assert (digest.left_out.new, digest.left_out.reminders) == ({}, 1)
