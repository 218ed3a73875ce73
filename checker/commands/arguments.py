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


def complete_through(text: str) -> tuple[str, int]:
    """FEED=DATE or FEED=INSTANT: how far a feed's data is complete (a date: through its end)."""
    # Imported here: parsing the command line stays light.
    from checker.facts.completeness import complete_through_instant

    feed, equals, when = text.partition("=")
    shape = (
        f"--complete-through takes FEED=DATE or FEED=INSTANT, e.g. billing=2026-11-21, got '{text}'"
    )
    if not feed or not equals:
        raise argparse.ArgumentTypeError(shape)
    try:
        return feed, complete_through_instant(when)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{shape}: {error}") from None


def add_horizon(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--horizon", type=horizon, default=30, metavar="DAYS", help=f"{help_text} (default: 30)"
    )


def add_evaluation_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that reads facts and evaluates agreements."""
    parser.add_argument(
        "--mapping",
        metavar="FILE",
        help="YAML mapping of export columns and values onto fact fields",
    )
    parser.add_argument(
        "--workers",
        type=positive,
        default=None,
        metavar="N",
        help="worker processes evaluating agreements (default: one per available core)",
    )


def positive(text: str) -> int:
    if not text.isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return int(text)
