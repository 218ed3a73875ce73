"""Text on its way to a terminal: control characters written as escapes, so that a fact value, a
key or a file name cannot recolour, clear or retitle the terminal that shows a message."""

from __future__ import annotations

# Characters a terminal obeys instead of showing (ESC starts escape sequences that clear the
# screen or set the window title, CR and BS overwrite, BEL rings, a newline starts what looks like
# a message of its own; bidirectional overrides reorder the text around them), as escapes.
TERMINAL_CONTROLS = {
    **{code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))},
    **{code: f"\\u{code:04x}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}


def terminal_safe(text: str) -> str:
    """`text` with every control character written as an escape, like \\x1b (a newline too)."""
    return text.translate(TERMINAL_CONTROLS)
