"""Blank text in waivers and snoozes is refused with one message; other text is trimmed."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from checker.alerts.notifications_model import Snooze
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
