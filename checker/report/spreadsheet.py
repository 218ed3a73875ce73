"""Keeping cells of CSV-like outputs from being run as formulas by a spreadsheet, and from
carrying control characters (an ESC from a fact value would recolour the terminal that `cat`s
the file)."""

from __future__ import annotations

import re

# Control characters other than tab, newline and carriage return (which CSV quoting keeps).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def spreadsheet_safe(cell: str) -> str:
    """Neutralise cells a spreadsheet would run as a formula (=, +, -, @, tab, CR); control
    characters are shown as U+FFFD, as in the other reports."""
    cell = _CONTROL.sub("\ufffd", cell)
    if cell and cell[0] in "=+-@\t\r":
        return "'" + cell
    return cell
