"""`validate FILE` checks each file as the kind of file it is (rule file, scenarios, waivers,
fact-type catalogue, notifications), recognised by name, editor modeline or top-level keys: what
a pre-commit hook over a commit's changed files needs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.authoring.file_kinds import FileKind, file_kind, kind_by_content, kind_by_name
from checker.cli import main
from tests.helpers import ACME_RULE_FILE, ACME_SCENARIOS, ACME_WAIVERS

ROOT = Path(__file__).resolve().parent.parent

FACT_TYPES = """\
fact_types:
  deal.closed:
    description: A sale closed with a customer
    fields:
      territory: Country of the customer
      channel: How it was sold
"""
NOTIFICATIONS = """\
receivers:
  legal:
    type: slack
    url_env: SLACK_LEGAL_WEBHOOK
fallback: {fallback}
"""


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rules/acme.test.yaml", FileKind.SCENARIOS),
        ("rules/acme.test.yml", FileKind.SCENARIOS),
        ("rules/waivers.yaml", FileKind.WAIVERS),
        ("waivers.yml", FileKind.WAIVERS),
        ("rules/fact-types.yaml", FileKind.FACT_TYPES),
        ("notifications.yaml", FileKind.NOTIFICATIONS),
        ("notifications.example.yaml", FileKind.NOTIFICATIONS),
        ("ops/prod.notifications.yml", FileKind.NOTIFICATIONS),
        ("rules/acme.yaml", None),
        ("rules/notifications-policy-2026.yaml", None),
    ],
)
def test_kind_by_name(name: str, kind: FileKind | None) -> None:
    assert kind_by_name(name) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("# yaml-language-server: $schema=../schema/waivers.schema.json\nx: 1\n", FileKind.WAIVERS),
        (
            "# yaml-language-server: $schema=https://example.org/s/notifications.schema.json\n",
            FileKind.NOTIFICATIONS,
        ),
        ("#yaml-language-server: $schema=schema/agreement.schema.json\n", FileKind.RULES),
        (ACME_WAIVERS, FileKind.WAIVERS),
        (ACME_SCENARIOS, FileKind.SCENARIOS),
        (FACT_TYPES, FileKind.FACT_TYPES),
        (NOTIFICATIONS, FileKind.NOTIFICATIONS),
        (ACME_RULE_FILE, FileKind.RULES),
        ("# yaml-language-server: $schema=schema/mapping.schema.json\n", FileKind.MAPPING),
        ("fields: {ts: at}\ntype_field: kind\n", FileKind.MAPPING),
        # A key indented under another is not a top-level key.
        ("agreement: x\nnotes:\n  waivers: none\n", None),
        ("just: [a, mapping]\n", None),
    ],
)
def test_kind_by_content(text: str, kind: FileKind | None) -> None:
    assert kind_by_content(text) is kind


def test_an_unrecognised_or_unreadable_file_is_a_rule_file(tmp_path: Path) -> None:
    (tmp_path / "odd.yaml").write_text("title: no agreement key yet\n")
    assert file_kind(str(tmp_path / "odd.yaml")) is FileKind.RULES
    assert file_kind(str(tmp_path / "missing.yaml")) is FileKind.RULES


def test_the_shipped_files_are_recognised() -> None:
    kinds = {path.name: file_kind(str(path)) for path in sorted((ROOT / "rules").iterdir())}
    assert kinds.pop("waivers.yaml") is FileKind.WAIVERS
    assert kinds.pop("fact-types.yaml") is FileKind.FACT_TYPES
    for name, kind in kinds.items():
        expected = FileKind.SCENARIOS if name.endswith(".test.yaml") else FileKind.RULES
        assert kind is expected, name
    assert file_kind(str(ROOT / "notifications.example.yaml")) is FileKind.NOTIFICATIONS


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "acme.yaml").write_text(ACME_RULE_FILE)
    (folder / "waivers.yaml").write_text(ACME_WAIVERS.format(clause="4.1"))
    (folder / "acme.test.yaml").write_text(ACME_SCENARIOS.format(clause="4.1"))
    (folder / "fact-types.yaml").write_text(FACT_TYPES)
    (tmp_path / "notifications.yaml").write_text(NOTIFICATIONS.format(fallback="legal"))
    return folder


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        ("rules/waivers.yaml", "OK: 1 waiver.\n"),
        ("rules/acme.test.yaml", "OK: 1 scenario file.\n"),
        ("rules/fact-types.yaml", "OK: 1 fact-type catalogue.\n"),
        ("notifications.yaml", "OK: 1 notifications file.\n"),
        ("rules/acme.yaml", "OK: 1 agreement, 1 clause, 1 scenario file.\n"),
    ],
)
def test_each_file_alone_validates_as_its_kind(
    rules: Path, capsys: pytest.CaptureFixture[str], name: str, summary: str
) -> None:
    assert main(["validate", str(rules.parent / name)]) == 0
    out, err = capsys.readouterr()
    assert out == summary
    assert "error" not in err


def test_the_shipped_waivers_file_alone_has_no_false_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", str(ROOT / "rules" / "waivers.yaml")]) == 0
    out, err = capsys.readouterr()
    assert out == "OK: 3 waivers.\n"
    assert ": error:" not in err  # (a note, if the demo rules are being edited, is fine)


def test_a_commits_changed_files_of_every_kind_together(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["acme.yaml", "waivers.yaml", "acme.test.yaml", "fact-types.yaml"]
    paths = [str(rules / name) for name in names] + [str(rules.parent / "notifications.yaml")]
    assert main(["validate", *paths]) == 0
    out, _err = capsys.readouterr()
    assert out == (
        "OK: 1 agreement, 1 clause, 1 waiver, 1 scenario file, 1 fact-type catalogue, "
        "1 notifications file.\n"
    )


def test_a_waiver_alone_is_checked_against_the_rule_files_beside_it(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rules / "waivers.yaml").write_text(ACME_WAIVERS.format(clause="4.7"))
    assert main(["validate", str(rules / "waivers.yaml")]) == 3
    err = capsys.readouterr().err
    assert f"{rules / 'waivers.yaml'}:3:13: error:" in err
    assert "4.7" in err
    assert err.rstrip().endswith("FAILED: 1 error, 0 warnings.")


def test_a_scenario_file_alone_is_checked_against_its_agreement(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rules / "acme.test.yaml").write_text(ACME_SCENARIOS.format(clause="9.9"))
    assert main(["validate", str(rules / "acme.test.yaml")]) == 3
    err = capsys.readouterr().err
    assert f"{rules / 'acme.test.yaml'}:" in err
    assert "9.9" in err


def test_a_file_named_otherwise_is_recognised_by_its_content(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = rules.parent / "approved-exceptions.yaml"
    shutil.copy(rules / "waivers.yaml", other)
    assert main(["validate", str(other)]) == 0
    assert capsys.readouterr().out == "OK: 1 waiver.\n"
    alerts = rules.parent / "alerts-prod.yaml"
    alerts.write_text(NOTIFICATIONS.format(fallback="nobody"))
    assert main(["validate", str(alerts)]) == 3
    err = capsys.readouterr().err
    assert f"{alerts}:" in err
    assert "nobody" in err
    assert "allowed fields here: agreement" not in err  # not checked as a rule file


def test_bad_catalogue_alone_is_reported_once(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rules / "fact-types.yaml").write_text(FACT_TYPES.replace("    fields:", "    felds:"))
    assert main(["validate", str(rules / "fact-types.yaml")]) == 3
    err = capsys.readouterr().err
    assert err.count(f"{rules / 'fact-types.yaml'}:4:5: error:") == 1
    # With a rule file of its folder, the catalogue is read with the rules: still once.
    assert main(["validate", str(rules / "fact-types.yaml"), str(rules / "acme.yaml")]) == 3
    err = capsys.readouterr().err
    assert err.count(f"{rules / 'fact-types.yaml'}:4:5: error:") == 1


def test_notifications_names_are_checked_when_the_rules_folder_is_given(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notifications = rules.parent / "notifications.yaml"
    notifications.write_text(
        NOTIFICATIONS.format(fallback="legal") + "routes:\n  - to: legal\n    owner: legall\n"
    )
    assert main(["validate", str(notifications)]) == 0
    captured = capsys.readouterr()
    assert "legall" not in captured.err
    assert "were not checked against rule files" in captured.err
    assert main(["validate", str(notifications), str(rules)]) == 0
    err = capsys.readouterr().err
    assert "warning: no agreement has the owner 'legall'" in err


def test_a_fact_mapping_is_checked_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "crm-mapping.yaml"
    mapping.write_text("fields: {ts: at, Partner: partner}\ntype_field: kind\n")
    assert main(["validate", str(mapping)]) == 0
    assert capsys.readouterr().out == "OK: 1 fact mapping.\n"
    mapping.write_text("type_field: kind\nfeilds: {ts: at}\n")
    assert main(["validate", str(mapping)]) == 3
    assert "unknown key 'feilds'" in capsys.readouterr().err


def test_a_broken_neighbour_does_not_hide_a_scenarios_mistakes(
    rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rules / "broken.yaml").write_text(
        ACME_RULE_FILE.replace("acme-2026", "other-2026") + "oops: 1\n"
    )
    (rules / "acme.test.yaml").write_text(ACME_SCENARIOS.format(clause="9.9"))
    assert main(["validate", str(rules / "acme.test.yaml")]) == 3
    err = capsys.readouterr().err
    assert "9.9" in err  # still checked against acme-2026, which loads
    assert "broken.yaml" not in err.split("note:")[0]  # the neighbour's own errors are not listed
    assert f"note: {rules / 'acme.test.yaml'} was checked against the rule files in" in err
