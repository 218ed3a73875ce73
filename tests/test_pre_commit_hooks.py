"""The hooks of `.pre-commit-hooks.yaml`, run by pre-commit itself in a temporary git repository
of agreements: a commit of good files passes, a commit of a bad waiver or a failing scenario is
stopped, and `validate` sees each changed file as its kind.

Offline: the hooks are declared under `repo: local` exactly as the manifest gives them (entry,
file filters, pass_filenames), except `language: unsupported`, so pre-commit runs the
contract-checker installed here instead of installing one from the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pre_commit.clientlib import load_manifest

from tests.helpers import ACME_RULE_FILE, ACME_WAIVERS

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent

RULE_FILE = "# yaml-language-server: $schema=../schema/agreement.schema.json\n" + ACME_RULE_FILE
SCENARIOS = """\
agreement: acme-2026
scenarios:
  - name: a direct deal breaks the exclusivity
    as_of: 2026-06-01
    facts:
      - {{id: d1, type: deal.closed, at: 2026-03-02, partner: northwind, territory: NL, channel: {channel}}}
    expect:
      - {{clause: "4.1", kind: breach, subject: d1}}
"""
NOTIFICATIONS = """\
receivers:
  legal:
    type: slack
    url_env: SLACK_LEGAL_WEBHOOK
fallback: legal
"""
# A CI file in the same repository: YAML, but none of contract-checker's.
WORKFLOW = "on: [push]\njobs: {}\n"


def _manifest() -> list[dict[str, Any]]:
    hooks: list[dict[str, Any]] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return hooks


def test_the_manifest_is_valid_for_pre_commit() -> None:
    hooks = load_manifest(str(MANIFEST))  # pre-commit's own schema check; raises if invalid
    assert [hook["id"] for hook in hooks] == ["contract-checker-validate", "contract-checker-test"]
    by_id = {hook["id"]: hook for hook in _manifest()}
    assert by_id["contract-checker-validate"]["entry"] == "contract-checker validate"
    assert by_id["contract-checker-test"]["entry"] == "contract-checker test"
    assert by_id["contract-checker-test"]["pass_filenames"] is False


class Repo:
    """A git repository of agreements in a temporary folder, with the hooks installed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        home = root.parent / "home"
        home.mkdir()
        (home / ".gitconfig").write_text("", encoding="utf-8")
        self.env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(home),
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Legal Ops",
            "GIT_AUTHOR_EMAIL": "legal-ops@example.com",
            "GIT_COMMITTER_NAME": "Legal Ops",
            "GIT_COMMITTER_EMAIL": "legal-ops@example.com",
            "PRE_COMMIT_HOME": str(root.parent / "pre-commit-cache"),
            "PRE_COMMIT_COLOR": "never",
            "SKIP": "",
        }
        root.mkdir()
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(["git", *args])

    def run(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.git("add", name)

    def commit(self, message: str) -> tuple[int, str]:
        """The exit code of `git commit` and what it printed (the hooks print on stderr)."""
        done = self.git("commit", "--quiet", "-m", message)
        return done.returncode, done.stdout + done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    if shutil.which("git") is None:
        pytest.fail("git is needed to run pre-commit (apt-get install git)")
    repo = Repo(tmp_path / "agreements")
    local_hooks = [{**hook, "language": "unsupported"} for hook in _manifest()]
    config = {"repos": [{"repo": "local", "hooks": local_hooks}]}
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    installed = repo.run([sys.executable, "-m", "pre_commit", "install"])
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return repo


def test_good_files_commit_and_bad_ones_are_stopped(repo: Repo) -> None:
    repo.write("rules/acme.yaml", RULE_FILE)
    repo.write("rules/acme.test.yaml", SCENARIOS.format(channel="direct"))
    repo.write("rules/waivers.yaml", ACME_WAIVERS.format(clause="4.1"))
    repo.write("notifications.yaml", NOTIFICATIONS)
    repo.write(".github/workflows/nightly.yml", WORKFLOW)
    code, said = repo.commit("Acme agreement")
    assert code == 0, said
    assert "contract-checker validate" in said
    assert "Failed" not in said

    # A waiver naming a clause the agreement does not have: the waivers file alone is changed,
    # and validate checks it as waivers against the rule files beside it.
    repo.write("rules/waivers.yaml", ACME_WAIVERS.format(clause="4.7"))
    code, said = repo.commit("Waive 4.7")
    assert code != 0
    assert "rules/waivers.yaml:3:13: error: agreement 'acme-2026' has no clause '4.7'" in said
    assert "allowed fields here: agreement" not in said  # not checked as a rule file
    assert repo.git("log", "--oneline").stdout.count("\n") == 1

    repo.write("rules/waivers.yaml", ACME_WAIVERS.format(clause="4.1"))
    # A scenario that no longer holds: the file is valid, the scenario hook fails.
    repo.write("rules/acme.test.yaml", SCENARIOS.format(channel="partner"))
    code, said = repo.commit("Scenario for partner deals")
    assert code != 0
    lines = [line for line in said.splitlines() if line.startswith("contract-checker")]
    assert any(line.startswith("contract-checker validate") and "Passed" in line for line in lines)
    assert any(line.startswith("contract-checker test") and "Failed" in line for line in lines)
    assert "a direct deal breaks the exclusivity" in said


def test_run_on_named_files_checks_each_as_its_kind(repo: Repo) -> None:
    repo.write("rules/acme.yaml", RULE_FILE)
    repo.write("rules/acme.test.yaml", SCENARIOS.format(channel="direct"))
    repo.write("rules/waivers.yaml", ACME_WAIVERS.format(clause="4.1"))
    repo.write("notifications.yaml", NOTIFICATIONS.replace("fallback: legal", "fallback: nobody"))
    result = repo.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "run",
            "contract-checker-validate",
            "--files",
            "rules/waivers.yaml",
            "rules/acme.test.yaml",
            "notifications.yaml",
        ]
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "notifications.yaml:5:11: error:" in result.stdout
    assert "FAILED: 1 error, 0 warnings." in result.stdout
