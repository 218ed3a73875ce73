"""The exit-code contract as a function: which findings, fact errors and alert deliveries give
0, 1, 4 or 5."""

import pytest

from checker.findings.exit_codes import ExitCode, exit_code


@pytest.mark.parametrize(
    ("by_kind", "fact_errors", "fail_on", "delivery_failed", "expected"),
    [
        ({}, 0, "breach", True, ExitCode.DELIVERY_FAILED),
        ({"breach": 3}, 0, "breach", True, ExitCode.DELIVERY_FAILED),  # someone must act
        ({"error": 1}, 0, "never", True, ExitCode.DELIVERY_FAILED),
        ({"breach": 1}, 1, "breach", True, ExitCode.INVALID_FACTS),  # incomplete input wins
        ({"breach": 1}, 0, "breach", False, ExitCode.FINDINGS),
        ({}, 0, "breach", False, ExitCode.OK),
    ],
)
def test_exit_code_with_alerts(
    by_kind: dict[str, int],
    fact_errors: int,
    fail_on: str,
    delivery_failed: bool,
    expected: ExitCode,
) -> None:
    assert exit_code(by_kind, fact_errors, fail_on, delivery_failed) is expected


@pytest.mark.parametrize(
    ("by_kind", "fact_errors", "fail_on", "expected"),
    [
        ({}, 0, "breach", ExitCode.OK),
        ({"deadline": 3, "trigger": 1}, 0, "breach", ExitCode.OK),
        ({"breach": 1}, 0, "breach", ExitCode.FINDINGS),
        ({"error": 1}, 0, "breach", ExitCode.FINDINGS),  # fail closed
        ({"trigger": 1}, 0, "trigger", ExitCode.FINDINGS),
        ({"deadline": 1}, 0, "trigger", ExitCode.OK),
        ({"deadline": 1}, 0, "deadline", ExitCode.FINDINGS),
        ({"breach": 5}, 0, "error", ExitCode.OK),
        ({"error": 1}, 0, "error", ExitCode.FINDINGS),
        ({"breach": 5, "error": 2}, 0, "never", ExitCode.OK),
        ({"breach": 1}, 2, "breach", ExitCode.INVALID_FACTS),  # incomplete input wins
        ({}, 1, "never", ExitCode.INVALID_FACTS),
        ({"breach": 0}, 0, "breach", ExitCode.OK),
    ],
)
def test_exit_code(
    by_kind: dict[str, int], fact_errors: int, fail_on: str, expected: ExitCode
) -> None:
    assert exit_code(by_kind, fact_errors, fail_on) is expected


def test_codes_are_the_documented_numbers() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4, 5, 6]
