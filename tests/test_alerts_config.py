"""The notifications file: what loads, and every mistake reported at its file:line:col with help."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from checker.alerts import load_notifications
from checker.alerts.receivers import EmailReceiver, SlackReceiver, TeamsReceiver, WebhookReceiver
from checker.cli import main
from checker.common.diagnostics import Diagnostic, InputError
from checker.findings.exit_codes import ExitCode
from checker.findings.model import FindingKind, Severity
from tests.alerts_support import notifications

REPOSITORY = Path(__file__).resolve().parent.parent

MINIMAL = """\
receivers:
  legal:
    type: slack
    url_env: SLACK_LEGAL_WEBHOOK
fallback: legal
"""


def _problems(tmp_path: Path, text: str) -> list[Diagnostic]:
    path = tmp_path / "notifications.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_notifications(str(path))
    return raised.value.diagnostics


def _where(problems: list[Diagnostic]) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.message) for p in problems]


def test_the_example_file_loads_as_documented() -> None:
    loaded = load_notifications(str(REPOSITORY / "notifications.example.yaml"))
    model = loaded.model
    assert {name: type(r) for name, r in model.receivers.items()} == {
        "legal": SlackReceiver,
        "privacy": TeamsReceiver,
        "audit-trail": WebhookReceiver,
        "legal-email": EmailReceiver,
    }
    assert model.receivers["legal"].url_env == "SLACK_LEGAL_WEBHOOK"
    assert model.receivers["legal"].min_severity is Severity.MEDIUM
    assert model.receivers["privacy"].min_severity is Severity.INFO  # the default
    audit = model.receivers["audit-trail"]
    assert isinstance(audit, WebhookReceiver)
    assert audit.max_items == 100
    assert model.fallback == "legal"
    # A single value is a list of one: `owner: privacy-office`, `to: audit-trail`.
    assert model.routes[1].owner == ["privacy-office"]
    assert model.routes[3].to == ["audit-trail"]
    assert model.routes[3].kind == [FindingKind.BREACH, FindingKind.TRIGGER, FindingKind.ERROR]
    assert model.reminder_days == [30, 7, 1]
    assert model.open_count_every == 7
    assert model.delivery.attempts == 5
    assert model.receivers["legal"].max_items_per_digest == 50
    assert audit.max_items_per_digest == 50  # the default
    assert audit.secret_env == "AUDIT_WEBHOOK_SECRET"
    email = model.receivers["legal-email"]
    assert isinstance(email, EmailReceiver)
    assert (email.smtp_host, email.smtp_port, email.starttls) == ("smtp.example.com", 587, True)
    assert (email.username_env, email.password_env) == ("SMTP_USERNAME", "SMTP_PASSWORD")
    assert email.to == ["legal-team@example.com"]
    assert model.routes[4].to == ["legal-email"]
    assert loaded.snooze_lines == [65]  # the line of "- agreement: globex-reseller-2025"


def test_defaults_and_intervals(tmp_path: Path) -> None:
    loaded = notifications(tmp_path, MINIMAL)
    assert loaded.model.reminder_days == [30, 7, 1]
    assert loaded.model.open_count_every == 7
    assert loaded.model.routes == []
    assert loaded.model.delivery.timeout_seconds == 10
    weekly = notifications(tmp_path, MINIMAL + "open_count_every: 2w\nreminder_days: [1, 14, 1]\n")
    assert weekly.model.open_count_every == 14
    assert weekly.model.reminder_days == [14, 1]  # largest first, each once


def test_every_mistake_is_positioned_with_help(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        """\
        receivers:
          legal:
            type: slack
            url_env: SLACK_LEGAL_WEBHOOK
          ops:
            type: teams
            url_env: OPS_WEBHOOK
            min_severity: hgih
            max_items: 3
          Bad_Name:
            type: sms
            url_env: X
        fallback: legall
        routes:
          - to: [legal, opz]
            kind: breech
        reminder_days: [30, -1]
        open_count_every: weekly
        """,
    )
    assert _where(problems) == [
        (8, 19, "'hgih' is not one of: critical, high, medium, low, info"),
        (9, 5, "unknown field 'max_items'"),
        (10, 3, "'Bad_Name' is not a valid receiver name"),
        (11, 11, "unknown type 'sms'"),
        (13, 11, "no receiver is called 'legall'"),
        (15, 17, "no receiver is called 'opz'"),
        (16, 11, "'breech' is not one of: breach, trigger, deadline, error, unknown"),
        (17, 21, "-1 is too small here: it must be at least 0"),
        (18, 19, "'weekly' is not an interval in days or weeks (write e.g. 7d or 2w)"),
    ]
    helps = {p.message.split(" ")[0]: p.help for p in problems}
    assert helps["'hgih'"] == "did you mean 'high'?"
    assert helps["'breech'"] == "did you mean 'breach'?"
    assert [p.help for p in problems if "legall" in p.message] == ["did you mean 'legal'?"]
    assert [p.help for p in problems if "opz" in p.message] == ["did you mean 'ops'?"]
    assert all(p.path.endswith("notifications.yaml") for p in problems)


def test_a_webhook_address_in_the_file_is_an_error_and_is_never_shown(tmp_path: Path) -> None:
    secret = "https://hooks.slack.com/services/T0AAA/B0BBB/s3cr3tT0k3n"
    problems = _problems(
        tmp_path,
        f"""\
        receivers:
          legal:
            type: slack
            url_env: {secret}
        fallback: legal
        snoozes:
          - agreement: globex-reseller-2025
            author: Maria Weber
            comment: see {secret}
            expires: 2026-12-31
        """,
    )
    assert _where(problems) == [
        (
            4,
            14,
            "a web address is written here; webhook addresses must not be written in the "
            "notifications file",
        ),
        (
            9,
            14,
            "a web address is written here; webhook addresses must not be written in the "
            "notifications file",
        ),
    ]
    assert problems[0].help is not None
    assert "url_env: SLACK_LEGAL_WEBHOOK" in problems[0].help
    rendered = "\n".join(p.render() for p in problems)
    assert "s3cr3tT0k3n" not in rendered
    assert "T0AAA" not in rendered
    assert "url_env: https://hooks.slack.com/***" in rendered


def test_a_snooze_names_one_thing(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        MINIMAL
        + """\
snoozes:
  - author: Maria Weber
    comment: nothing named
    expires: 2026-12-31
  - fingerprint: 0123456789abcdef0123
    agreement: globex-reseller-2025
    author: Maria Weber
    comment: two things named
    expires: 2026-12-31
  - clause: "4.1"
    author: Maria Weber
    comment: a clause of no agreement
    expires: 2026-12-31
  - fingerprint: not-a-fingerprint
    author: Maria Weber
    comment: bad fingerprint
    expires: 2026-02-30
""",
    )
    assert [(p.line, p.column) for p in problems] == [(7, 5), (10, 5), (15, 5), (19, 18), (22, 14)]
    assert problems[0].message.startswith("a snooze names what it snoozes")
    assert problems[1].message.startswith("a snooze names either a 'fingerprint:' or an")
    assert problems[2].message == "'clause:' needs the 'agreement:' it belongs to"
    assert problems[3].message.startswith("'not-a-fingerprint' is not a fingerprint")
    assert problems[4].message == "'2026-02-30' is not a valid date (use YYYY-MM-DD)"
    assert problems[4].help == "February 2026 has 28 days"


def test_an_empty_file_says_how_to_start(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "# nothing yet\n")
    assert [(p.message, p.help) for p in problems] == [
        ("file is empty", "start with 'receivers:' and list who receives alerts under it")
    ]


def test_a_missing_fallback_is_reported(tmp_path: Path) -> None:
    problems = _problems(tmp_path, MINIMAL.replace("fallback: legal\n", ""))
    assert _where(problems) == [(1, 1, "missing required field 'fallback'")]


def test_validate_checks_the_agreements_clauses_and_owners_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notifications.yaml"
    path.write_text(
        MINIMAL
        + """\
routes:
  - to: legal
    owner: [emea-legall]
    agreement: globex-reseller-2052
snoozes:
  - agreement: globex-reseller-2025
    clause: "4.7"
    author: Maria Weber
    comment: wrong clause
    expires: 2026-12-31
""",
        encoding="utf-8",
    )
    rules = str(REPOSITORY / "rules")
    assert main(["validate", rules, "--notifications", str(path)]) == ExitCode.OK
    err = capsys.readouterr().err
    assert (
        f"{path}:8:13: warning: no agreement has the owner 'emea-legall', so this would never apply"
    ) in err
    assert (
        f"{path}:9:16: warning: no rule file has the agreement 'globex-reseller-2052', so this "
        "would never apply"
    ) in err
    assert (
        f"{path}:12:13: warning: agreement 'globex-reseller-2025' has no clause '4.7', so this "
        "would never apply"
    ) in err
    assert "help: did you mean 'globex-reseller-2025'?" in err
    assert "help: did you mean '4.1'?" in err
    strict = ["validate", "--strict", rules, "--notifications", str(path)]
    assert main(strict) == ExitCode.INVALID_RULES
    example = str(REPOSITORY / "notifications.example.yaml")
    assert main(["validate", "--strict", rules, "--notifications", example]) == ExitCode.OK
