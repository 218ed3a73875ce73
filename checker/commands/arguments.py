"""Option values several commands read the same way: an as-of instant, a horizon in days, a
whole number of at least 1, and the log levels. Parse-time helpers, light to import."""

from __future__ import annotations

import argparse

from checker.dates.timeutil import parse_instant

LOG_LEVELS = ("debug", "info", "warning", "error")


def as_of(text: str) -> int:
    try:
        return parse_instant(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"invalid --as-of '{text}': {error}") from None


def horizon(text: str) -> int:
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"--horizon must be a whole number of days, got '{text}'")
    return int(text)


def positive(text: str) -> int:
    if not text.isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return int(text)
