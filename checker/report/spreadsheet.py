"""Keeping cells of CSV-like outputs from being run as formulas by a spreadsheet."""

from __future__ import annotations


def spreadsheet_safe(cell: str) -> str:
    """Neutralise cells a spreadsheet would run as a formula (=, +, -, @, tab, CR)."""
    if cell and cell[0] in "=+-@\t\r":
        return "'" + cell
    return cell
