""" "Did you mean ...?": the one place that picks the closest known name to a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def closest(word: str, options: Sequence[str]) -> str | None:
    """The option closest to `word` (case ignored when nothing is close otherwise), or None."""
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {option.lower(): option for option in options}
    return lowered.get(word.lower())


def did_you_mean(word: str, options: Sequence[str]) -> str | None:
    """`did you mean 'x'?` for the option closest to `word`, or None."""
    match = closest(word, options)
    return f"did you mean '{match}'?" if match is not None else None
