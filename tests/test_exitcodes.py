"""The exit-code contract as a function: which findings, fact errors and alert deliveries give
0, 1, 4 or 5."""

import pytest

from checker.findings.exit_codes import FAIL_ON_CHOICES, ExitCode, exit_code


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


@pytest.mark.parametrize(
    ("by_kind", "fail_on", "expected"),
    [
        # Unknown (the data that would decide it is not there): never fails by default.
        ({"unknown": 4}, "breach", ExitCode.OK),
        ({"unknown": 4}, "trigger", ExitCode.OK),
        ({"unknown": 4}, "unknown", ExitCode.FINDINGS),
        ({"unknown": 4}, "deadline", ExitCode.FINDINGS),  # any finding
        ({"unknown": 4}, "error", ExitCode.OK),
        ({"unknown": 4}, "never", ExitCode.OK),
        ({"unknown": 0}, "unknown", ExitCode.OK),
        # The "unknown" level also fails on everything "trigger" fails on, but not on deadlines.
        ({"trigger": 1}, "unknown", ExitCode.FINDINGS),
        ({"breach": 1}, "unknown", ExitCode.FINDINGS),
        ({"error": 1}, "unknown", ExitCode.FINDINGS),
        ({"deadline": 2}, "unknown", ExitCode.OK),
        ({"unknown": 3, "deadline": 2}, "breach", ExitCode.OK),
        ({"unknown": 3, "breach": 1}, "breach", ExitCode.FINDINGS),
    ],
)
def test_unknown_findings_fail_only_from_the_unknown_level(
    by_kind: dict[str, int], fail_on: str, expected: ExitCode
) -> None:
    assert exit_code(by_kind, 0, fail_on) is expected
    assert exit_code(by_kind, 1, fail_on) is ExitCode.INVALID_FACTS  # incomplete input still wins


def test_fail_on_levels_in_order_of_urgency() -> None:
    assert FAIL_ON_CHOICES == ("breach", "trigger", "unknown", "deadline", "error", "never")


def test_codes_are_the_documented_numbers() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4, 5, 6, 70]
