"""The synthetic portfolio generator: its rule files validate, the portfolio runs end to end with
breaches, every registered clause kind is used, and the same seed gives the same bytes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from checker.clauses import KINDS
from checker.cli import main
from checker.findings.exit_codes import ExitCode
from fixtures.generate import GenerateResult, generate

AGREEMENTS = 5
FACTS = 2_000
AS_OF = "2026-11-22"


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> GenerateResult:
    return generate(tmp_path_factory.mktemp("portfolio"), AGREEMENTS, FACTS, seed=7)


def _digests(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_rule_files_validate(portfolio: GenerateResult, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(portfolio.rules_dir)]) == ExitCode.OK
    assert f"OK: {AGREEMENTS} agreements" in capsys.readouterr().out


def test_runs_end_to_end_with_breaches(portfolio: GenerateResult, tmp_path: Path) -> None:
    output = tmp_path / "findings.json"
    code = main(
        [
            "run",
            "--rules",
            str(portfolio.rules_dir),
            "--facts",
            str(portfolio.facts_dir),
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--output",
            str(output),
        ]
    )
    assert code in (ExitCode.OK, ExitCode.FINDINGS)
    summary = json.loads(output.read_text(encoding="utf-8"))["summary"]
    assert summary["agreements"] == AGREEMENTS
    assert summary["facts"]["read"] == FACTS
    assert summary["facts"]["accepted"] == FACTS
    # About 30% of the facts are of types no clause reads.
    assert summary["facts"]["irrelevant"] == pytest.approx(0.3 * FACTS, abs=FACTS * 0.02)
    assert summary["findings"]["breach"] >= 1
    assert summary["findings"]["error"] == 0


def test_every_registered_kind_is_used(portfolio: GenerateResult) -> None:
    assert set(portfolio.kinds) == set(KINDS)


def test_facts_are_spread_over_files_and_not_sorted(portfolio: GenerateResult) -> None:
    files = sorted(portfolio.facts_dir.glob("*.jsonl"))
    assert len(files) > 1
    records = [json.loads(line) for path in files for line in path.read_text().splitlines()]
    assert len(records) == FACTS
    assert len({record["id"] for record in records}) == FACTS
    instants = [record["at"] for record in records]
    assert instants != sorted(instants)
    assert min(instants) >= "2025-11-22"
    assert max(instants) < AS_OF


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first, second, other = tmp_path / "first", tmp_path / "second", tmp_path / "other"
    generate(first, AGREEMENTS, FACTS, seed=11)
    generate(second, AGREEMENTS, FACTS, seed=11)
    generate(other, AGREEMENTS, FACTS, seed=12)
    assert _digests(first) == _digests(second)
    assert _digests(first) != _digests(other)


def test_large_portfolio_validates_strictly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Enough agreements that every expiry case (ended during the year, expiring inside the
    # horizon) meets every kind with dates: milestones, windows and amendments must fit the term.
    result = generate(tmp_path, 300, 3_000, seed=11)
    assert main(["validate", "--strict", str(result.rules_dir)]) == ExitCode.OK
    assert "OK: 300 agreements" in capsys.readouterr().out
