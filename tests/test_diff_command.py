"""`contract-checker diff`: two rule folders (or two git revisions of one) on the same facts.

The rule folders are written here by hand, and what is added, removed and changed is worked out
by hand from the clauses and the facts:

facts (acme):  u1 2026-03-01 seats  90, storage  5, api_calls 5000
               u2 2026-04-01 seats 120, storage 12, api_calls  100
               u3 2026-05-01 seats 150, storage  8, api_calls  100

base: 5.2 seats <= 100 (high)  -> breaches u2 (120), u3 (150)
      7.1 api_calls <= 1000    -> breach u1 (5000)
head: 5.2 amended to seats <= 130 and critical -> breach u3 only
      5.3 storage <= 10 (new)  -> breach u2 (12)
      7.1 unchanged            -> breach u1, the same

so: added 5.3/u2; removed 5.2/u2; changed 5.2/u3 (severity high -> critical, and its message
names the cap of 130 instead of 100); unchanged 7.1/u1.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main

AGREEMENT = """\
agreement: acme-saas-2026
title: SaaS licence to Acme
parties: {{us: northwind, partner: acme}}
effective: 2026-01-01
expires: 2028-12-31
owner: commercial-legal
clauses:
{clauses}"""
SEATS_100 = """\
  - id: "5.2"
    title: Licensed seats
    kind: cap
    measure: {fact: usage.reported, field: seats}
    max: 100
    severity: high
"""
SEATS_130 = SEATS_100.replace("max: 100", "max: 130").replace("high", "critical")
STORAGE = """\
  - id: "5.3"
    title: Storage
    kind: cap
    measure: {fact: usage.reported, field: storage}
    max: 10
"""
API_CALLS = """\
  - id: "7.1"
    title: Fair use of the API
    kind: cap
    measure: {fact: usage.reported, field: api_calls}
    max: 1000
"""
WAIVER = """\
waivers:
  - id: W-1
    agreement: acme-saas-2026
    clause: "5.2"
    subject: u3
    reason: Acme bought the extra seats in May
    approved_by: Maria Weber, EMEA Legal
    expires: 2027-12-31
"""
FACTS = [
    {"id": "u1", "at": "2026-03-01", "seats": 90, "storage": 5, "api_calls": 5000},
    {"id": "u2", "at": "2026-04-01", "seats": 120, "storage": 12, "api_calls": 100},
    {"id": "u3", "at": "2026-05-01", "seats": 150, "storage": 8, "api_calls": 100},
]
OPTIONS = ["--as-of", "2026-11-22", "--workers", "1"]


def _rules(folder: Path, *clauses: str, waivers: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acme-saas.yaml").write_text(
        AGREEMENT.format(clauses="".join(clauses)), encoding="utf-8"
    )
    if waivers is not None:
        (folder / "waivers.yaml").write_text(waivers, encoding="utf-8")
    return folder


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "usage.jsonl"
    lines = [json.dumps({"type": "usage.reported", "partner": "acme", **fact}) for fact in FACTS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    base = _rules(tmp_path / "signed", SEATS_100, API_CALLS)
    head = _rules(tmp_path / "amended", SEATS_130, STORAGE, API_CALLS)
    return base, head


def _diff_json(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, dict[str, Any]]:
    code = main(["diff", *arguments, "--format", "json", *OPTIONS])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _ids(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["clause"], r["code"], r["subject"]) for r in records]


def test_two_folders_added_removed_changed(
    folders: tuple[Path, Path], facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = folders
    code, document = _diff_json(capsys, str(base), str(head), "--facts", str(facts))
    assert code == 1  # findings differ
    assert document["counts"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1}
    assert _ids(document["added"]) == [("5.3", "cap.exceeded", "u2")]
    assert _ids(document["removed"]) == [("5.2", "cap.exceeded", "u2")]
    [changed] = document["changed"]
    assert _ids([changed["head"]]) == [("5.2", "cap.exceeded", "u3")]
    assert (
        changed["fingerprint"] == changed["base"]["fingerprint"] == changed["head"]["fingerprint"]
    )
    assert sorted(changed["changes"]) == ["message", "severity"]
    assert changed["changes"]["severity"] == {"base": "high", "head": "critical"}
    assert "100" in changed["changes"]["message"]["base"]
    assert "130" in changed["changes"]["message"]["head"]
    assert document["base"] == str(base)
    assert document["head"] == str(head)
    assert document["as_of"] == "2026-11-22T00:00:00Z"


def test_swapping_the_sides_swaps_added_and_removed(
    folders: tuple[Path, Path], facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = folders
    _, document = _diff_json(capsys, str(head), str(base), "--facts", str(facts))
    assert _ids(document["added"]) == [("5.2", "cap.exceeded", "u2")]
    assert _ids(document["removed"]) == [("5.3", "cap.exceeded", "u2")]
    assert document["changed"][0]["changes"]["severity"] == {"base": "critical", "head": "high"}


def test_same_rules_differ_in_nothing(
    folders: tuple[Path, Path], facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = folders
    code = main(["diff", str(base), str(base), "--facts", str(facts), *OPTIONS])
    assert code == 0
    out = capsys.readouterr().out
    assert "0 added, 0 removed, 0 changed, 3 unchanged." in out
    assert "No finding differs." in out


def test_a_new_waiver_changes_the_finding_it_waives(
    tmp_path: Path, facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _rules(tmp_path / "before", SEATS_100)
    head = _rules(tmp_path / "after", SEATS_100, waivers=WAIVER)
    code, document = _diff_json(capsys, str(base), str(head), "--facts", str(facts))
    assert code == 1
    assert document["counts"] == {"added": 0, "removed": 0, "changed": 1, "unchanged": 1}
    assert document["changed"][0]["changes"] == {"waiver": {"base": "", "head": "waived by W-1"}}
    _, ignoring = _diff_json(capsys, str(base), str(head), "--facts", str(facts), "--no-waivers")
    assert ignoring["counts"]["changed"] == 0


def test_table_and_markdown(
    folders: tuple[Path, Path], facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = folders
    assert main(["diff", str(base), str(head), "--facts", str(facts), *OPTIONS]) == 1
    table = capsys.readouterr().out
    assert "1 added, 1 removed, 1 changed, 1 unchanged." in table
    assert "Added (1):" in table
    assert "Removed (1):" in table
    assert "Changed (1):" in table
    assert "severity: high -> critical" in table
    markdown_file = head.parent / "comment.md"
    arguments = ["--format", "markdown", "--output", str(markdown_file)]
    assert main(["diff", str(base), str(head), "--facts", str(facts), *arguments, *OPTIONS]) == 1
    markdown = markdown_file.read_text(encoding="utf-8")
    assert markdown.startswith("### contract-checker diff: ")
    assert "**1 added**, **1 removed**, **1 changed**, 1 unchanged." in markdown
    assert "#### Added (1)\n\n| Date | Agreement | Clause | Kind | Severity | Finding |" in markdown
    assert "| 2026-04-01 | acme-saas-2026 | 5.3 | breach |" in markdown
    assert "| 2026-04-01 | acme-saas-2026 | 5.2 | breach | high |" in markdown  # removed
    assert (
        "| acme-saas-2026 | 5.2 | breach | u3 | severity: high → critical<br>message: " in markdown
    )


def _git(repo: Path, *arguments: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose rules/ holds the signed rules in its first commit and the
    amendment in its second; the working tree adds a waiver on top."""
    repo = tmp_path / "legal"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _rules(repo / "rules", SEATS_100, API_CALLS)
    (repo / "README").write_text("contracts\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "signed")
    _git(repo, "tag", "signed")
    _rules(repo / "rules", SEATS_130, STORAGE, API_CALLS)
    _git(repo, "commit", "-q", "-am", "amendment")
    (repo / "rules" / "waivers.yaml").write_text(WAIVER, encoding="utf-8")
    return repo


def test_git_revisions_of_one_folder(
    repo: Path, facts: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = str(repo / "rules")
    code, document = _diff_json(
        capsys, "--base", "signed", "--head", "main", rules, "--facts", str(facts)
    )
    assert code == 1
    assert document["base"] == f"{rules} at signed"
    assert document["head"] == f"{rules} at main"
    assert document["counts"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1}
    assert _ids(document["added"]) == [("5.3", "cap.exceeded", "u2")]
    assert _ids(document["removed"]) == [("5.2", "cap.exceeded", "u2")]
    assert sorted(document["changed"][0]["changes"]) == ["message", "severity"]
    # Against the working tree (the default head), from inside the repository: the waiver
    # written since is part of the change too.
    monkeypatch.chdir(repo)
    _, working = _diff_json(capsys, "--base", "HEAD~1", "rules/", "--facts", str(facts))
    assert working["head"] == "rules/ (working tree)"
    assert working["counts"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1}
    assert working["changed"][0]["changes"]["waiver"] == {"base": "", "head": "waived by W-1"}
    _, same = _diff_json(
        capsys, "--base", "HEAD", "--head", "main", "rules/", "--facts", str(facts)
    )
    assert same["counts"] == {"added": 0, "removed": 0, "changed": 0, "unchanged": 3}


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--base", "no-such-revision", "RULES"], "at no-such-revision: git archive: fatal: "),
        (["--base", "signed", "RULES/missing"], "missing at signed: git archive: fatal: "),
        (["--head", "main", "RULES"], "--head REV goes with --base REV"),
        (["RULES"], "give two rule folders (base, then head)"),
        (["--base", "main", "RULES", "RULES"], "with --base give one rules folder"),
    ],
)
def test_usage_problems(
    repo: Path, facts: Path, arguments: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [a.replace("RULES", str(repo / "rules")) for a in arguments]
    assert main(["diff", *arguments, "--facts", str(facts), *OPTIONS]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("contract-checker diff: ")
    assert problem in captured.err
    assert captured.out == ""


def test_stdin_is_refused(folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    base, head = folders
    assert main(["diff", str(base), str(head), "--facts", "-", *OPTIONS]) == 2
    assert "not stdin" in capsys.readouterr().err


def test_invalid_rules_on_one_side(
    folders: tuple[Path, Path], facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = folders
    (head / "acme-saas.yaml").write_text(AGREEMENT.format(clauses="  - id: 1\n"), encoding="utf-8")
    assert main(["diff", str(base), str(head), "--facts", str(facts), *OPTIONS]) == 3
    assert f"in the rule or waivers files of {head}; nothing compared." in capsys.readouterr().err


def test_problems_at_a_revision_are_shown_at_revision_and_path(
    repo: Path, facts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "rules" / "broken.yaml").write_text("agreement: broken\n", encoding="utf-8")
    _git(repo, "add", "rules/broken.yaml")
    _git(repo, "commit", "-q", "-m", "a broken file")
    _git(repo, "tag", "broken")
    (repo / "rules" / "broken.yaml").unlink()
    rules = str(repo / "rules")
    assert main(["diff", "--base", "broken", rules, "--facts", str(facts), *OPTIONS]) == 3
    err = capsys.readouterr().err
    assert "broken:rules/broken.yaml:" in err
    assert "contract-checker-diff-" not in err  # no temporary path
    assert f"in the rule or waivers files of {rules} at broken; nothing compared." in err


def test_the_command_line_knows_the_diff_formats() -> None:
    from checker.commands import diff
    from checker.report import finding_diff

    assert diff.DIFF_FORMATS == finding_diff.DIFF_FORMATS == ("table", "json", "markdown")
