"""The authoring guide's "See what an amendment changes before signing it" (chapter 8) works as
written: its commands are run, as they stand in docs/authoring.md, in a git repository holding
the guide's worked example (signed, on `main`) and the Luxembourg amendment (the draft, in the
working tree and in drafts/), on facts whose findings are worked out by hand:

- d1, a direct deal in the Netherlands on 2027-01-05: a breach of 3.1 in both versions, whose
  message names the territory (NL, BE before; NL, BE, LU after): one finding changed;
- d2, a direct deal in Luxembourg on 2027-01-10: a breach only once Luxembourg is in the
  territory (the amendment, from 2027-01-01): one finding added.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "authoring.md"
EXAMPLE = ROOT / "docs" / "examples" / "acme-distribution.yaml"
AMENDMENT = "      - {effective: 2027-01-01, territory: [NL, BE, LU]}\n"
DEALS = [
    {"id": "d1", "at": "2027-01-05", "territory": "NL"},
    {"id": "d2", "at": "2027-01-10", "territory": "LU"},
]


def _section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("### See what an amendment changes before signing it")
    return text[start : text.index("\n## ", start)]


def _commands() -> list[list[str]]:
    """The guide's diff commands: the lines of its sh block, and the two-folder form."""
    section = _section()
    [block] = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    lines = [line for line in block.splitlines() if line.strip()]
    lines += re.findall(r"`(contract-checker diff rules/ drafts/[^`]*)`", section)
    assert len(lines) == 3
    return [shlex.split(line) for line in lines]


def _git(repo: Path, *arguments: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "legal"
    (repo / "rules").mkdir(parents=True)
    signed = EXAMPLE.read_text(encoding="utf-8")
    (repo / "rules" / "acme-distribution.yaml").write_text(signed, encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "signed agreement")
    anchor = "        unless: {customer: [philips]}\n"
    assert signed.count(anchor) == 1
    draft = signed.replace(anchor, anchor + "    amended:\n" + AMENDMENT)
    (repo / "rules" / "acme-distribution.yaml").write_text(draft, encoding="utf-8")
    shutil.copytree(repo / "rules", repo / "drafts")
    (repo / "exports").mkdir()
    common = {"type": "deal.closed", "partner": "northwind", "product": "analytics-suite"}
    lines = [json.dumps({**common, **deal, "channel": "direct"}) for deal in DEALS]
    (repo / "exports" / "crm.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo


def test_the_guide_shows_the_revision_and_folder_forms() -> None:
    commands = _commands()
    assert [command[:4] for command in commands] == [
        ["contract-checker", "diff", "--base", "main"],
        ["contract-checker", "diff", "--base", "main"],
        ["contract-checker", "diff", "rules/", "drafts/"],
    ]


def test_the_guide_commands_work_as_written(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table, markdown, folders = _commands()
    assert main(table[1:]) == 1
    out = capsys.readouterr().out
    assert "1 added, 0 removed, 1 changed, " in out
    added = out[out.index("Added (1):") : out.index("\n\n", out.index("Added (1):") + 12)]
    assert "acme-distribution-2026" in added
    assert "2027-01-10" in added
    assert "breach" in added
    assert "Removed" not in out
    changed = out[out.index("Changed (1):") :]
    assert "d1" in changed
    assert "message: deal.closed d1" in changed
    assert main(markdown[1:]) == 1
    comment = capsys.readouterr().out
    assert comment.startswith("### contract-checker diff: rules/ at main → rules/ (working tree)")
    assert "**1 added**, **0 removed**, **1 changed**" in comment
    assert "| 2027-01-10 | acme-distribution-2026 | 3.1 | breach |" in comment
    # In the two-folder form rules/ holds the signed rules and drafts/ the amendment.
    (repo / "rules" / "acme-distribution.yaml").write_text(
        EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert main(folders[1:]) == 1
    out = capsys.readouterr().out
    assert "1 added, 0 removed, 1 changed, " in out
