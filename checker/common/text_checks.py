"""Checks on text values shared by the models of the files authors write."""

from __future__ import annotations


def not_blank(value: str | None) -> str | None:
    """`value` without surrounding spaces; an error for text that is only spaces."""
    if value is None:
        return None
    if not value.strip():
        raise ValueError("this field is empty; write a value or remove the line")
    return value.strip()
