"""`validate` checks every file an author writes in a rules folder: rule files, waivers and
scenario files, listing every problem of all of them in one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main
from tests.helpers import ACME_RULE_FILE, ACME_SCENARIOS, ACME_WAIVERS


def _rules(tmp_path: Path, waiver_clause: str, scenario_clause: str) -> Path:
    (tmp_path / "acme.yaml").write_text(ACME_RULE_FILE, encoding="utf-8")
    (tmp_path / "waivers.yaml").write_text(ACME_WAIVERS.format(clause=waiver_clause), "utf-8")
    (tmp_path / "acme.test.yaml").write_text(ACME_SCENARIOS.format(clause=scenario_clause), "utf-8")
    return tmp_path


def test_valid_folder_counts_what_was_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _rules(tmp_path, "4.1", "4.1")
    assert main(["validate", str(rules)]) == 0
    assert capsys.readouterr().out == "OK: 1 agreement, 1 clause, 1 waiver, 1 scenario file.\n"


def test_problems_in_waivers_and_scenarios_are_listed_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _rules(tmp_path, "4.2", "4.3")
    assert main(["validate", str(rules)]) == 3
    err = capsys.readouterr().err
    # waivers.yaml line 3: `    clause: "4.2"` (value at column 13); acme.test.yaml line 8: the
    # expectation, its clause value at column 18.
    assert (
        f"{rules / 'waivers.yaml'}:3:13: error: agreement 'acme-2026' has no clause '4.2', so"
        " this waiver would never apply\n"
    ) in err
    assert (
        f"{rules / 'acme.test.yaml'}:8:18: error: agreement acme-2026 has no clause '4.3'\n" in err
    )
    assert err.count("  help: did you mean '4.1'?\n") == 2
    assert "FAILED: 2 errors, 0 warnings." in err
