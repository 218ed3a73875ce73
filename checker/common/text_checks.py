"""Checks on text values shared by the models of the files authors write and the readers of
the facts."""

from __future__ import annotations

import re

# A lone surrogate (an escaped "\ud800" in JSON or YAML) is no character: it cannot be written
# as UTF-8, and a report holding one fails. Readers refuse it where it is read.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def not_blank(value: str | None) -> str | None:
    """`value` without surrounding spaces; an error for text that is only spaces."""
    if value is None:
        return None
    if not value.strip():
        raise ValueError("this field is empty; write a value or remove the line")
    return value.strip()
