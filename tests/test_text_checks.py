"""Blank text in waivers and snoozes is refused with one message; other text is trimmed; a
problem shows control characters as escapes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from checker.alerts.notifications_model import Snooze
from checker.common.diagnostics import Diagnostic
from checker.common.text_checks import not_blank
from checker.rulebook.waivers import WaiverEntry

WAIVER = {
    "agreement": "acme-2026",
    "clause": "4.1",
    "reason": "Approved exception",
    "approved_by": "Legal",
    "expires": "2026-12-31",
}
SNOOZE = {"agreement": "acme-2026", "author": "Maria", "comment": "x", "expires": "2026-12-31"}


def test_not_blank_trims_and_refuses_spaces() -> None:
    assert not_blank("  Legal ") == "Legal"
    assert not_blank(None) is None
    with pytest.raises(ValueError, match="this field is empty; write a value or remove the line"):
        not_blank("   ")


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [(WaiverEntry, WAIVER, "reason"), (Snooze, SNOOZE, "author")],
)
def test_models_refuse_blank_text(model: type[BaseModel], data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match="this field is empty"):
        model.model_validate({**data, field: "  "})
    assert getattr(model.model_validate({**data, field: " Legal "}), field) == "Legal"


def test_a_diagnostic_shows_control_characters_as_escapes_with_its_caret_under_them() -> None:
    """An ESC in a file name, a message and the line shown: each written as \\x1b, and the caret
    still under the column it names (the 5th character, after two that became 4 each)."""
    diagnostic = Diagnostic(
        "b\x1b.yaml",
        3,
        5,
        "key '\x1b[2J' is unknown",
        help="see \x07",
        snippet="\x1b\x1bab: 1",
    )
    assert diagnostic.render() == (
        "b\\x1b.yaml:3:5: error: key '\\x1b[2J' is unknown\n"
        "    \\x1b\\x1bab: 1\n"
        "              ^\n"
        "  help: see \\x07"
    )
