"""The feeds manifest: `feeds.yaml` in a facts directory (or beside a facts file) declares how far
each feed's data is complete, `complete_through: {FEED: date or instant}`; a date means the end
of that day (see checker.facts.completeness).

It is read as strictly as a rule file (`yaml_source`: duplicate keys, aliases, tags, deep nesting
and huge files refused, every problem at its line), and each feed it names, like each feed of
`run --complete-through`, is checked against the feeds the fact-type catalogue makes: a name no
fact type comes from is a warning with the closest feed, since what is declared for it applies to
nothing.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from checker.common.diagnostics import Diagnostic, InputError, Level
from checker.common.suggest import did_you_mean
from checker.facts.completeness import complete_through_instant
from checker.rulebook.fact_catalog import CATALOGUE_NAMES
from checker.rulebook.yaml_source import Position, SourceDocument, load_yaml

MANIFEST_NAME = "feeds.yaml"
_FIELD = "complete_through"
_SHAPE = (
    "a feeds manifest holds 'complete_through:' and one line per feed, like 'billing: 2026-11-21'"
)
_MOST_FEEDS_LISTED = 12


@dataclass(slots=True)
class DeclaredFeeds:
    """How far each feed is complete as declared, and warnings about the declarations."""

    through: dict[str, int] = field(default_factory=dict)  # feed -> last complete instant
    warnings: list[Diagnostic] = field(default_factory=list)


def manifest_paths(fact_paths: Sequence[str]) -> list[str]:
    """The feeds manifests of `fact_paths`: one in each facts directory, or in the directory of a
    facts file, each once (standard input and missing paths have none)."""
    found: list[str] = []
    for path in fact_paths:
        if not os.path.exists(path):
            continue  # standard input, or a path the reading reports
        directory = path if os.path.isdir(path) else os.path.dirname(path) or "."
        manifest = os.path.join(directory, MANIFEST_NAME)
        if manifest not in found and os.path.isfile(manifest):
            found.append(manifest)
    return found


def declared_feeds(
    fact_paths: Sequence[str],
    command_line: Mapping[str, int],
    known_feeds: Collection[str],
) -> DeclaredFeeds:
    """The completeness the manifests beside `fact_paths` declare, overridden by `command_line`
    (`--complete-through`), with a warning for each feed named that is not in `known_feeds`.

    Raises InputError with every problem of every manifest that cannot be read.
    """
    declared = DeclaredFeeds()
    problems: list[Diagnostic] = []
    for path in manifest_paths(fact_paths):
        try:
            document = load_yaml(path)
            through, where = _read(document)
        except InputError as error:
            problems.extend(error.diagnostics)
            continue
        declared.through.update(through)
        for feed, position in where.items():
            if feed not in known_feeds:
                declared.warnings.append(
                    document.diagnostic(
                        position, *_unknown_feed(feed, known_feeds), level=Level.WARNING
                    )
                )
    if problems:
        raise InputError(problems)
    declared.through.update(command_line)
    for feed in command_line:
        if feed not in known_feeds:
            message, help_text = _unknown_feed(feed, known_feeds)
            declared.warnings.append(
                Diagnostic("--complete-through", 0, 0, message, help_text, Level.WARNING)
            )
    return declared


def _read(document: SourceDocument) -> tuple[dict[str, int], dict[str, Position]]:
    """Each feed's declared instant and where its name is; InputError with every problem."""
    data = document.data
    if not isinstance(data, dict):
        raise InputError([document.diagnostic(Position(1, 1), _SHAPE)])
    problems = [
        document.diagnostic(
            document.position_of((key,)),
            f"unknown field '{key}'",
            help=did_you_mean(key, [_FIELD]) or _SHAPE,
        )
        for key in data
        if key != _FIELD
    ]
    if _FIELD not in data:  # an unknown field reported is most likely it, misspelt
        missing = document.diagnostic(Position(1, 1), f"'{_FIELD}' is missing", help=_SHAPE)
        raise InputError(problems or [missing])
    entries = data[_FIELD]
    if not isinstance(entries, dict):
        problems.append(
            document.diagnostic(
                document.value_position_of((_FIELD,)),
                f"'{_FIELD}' is {'empty' if entries is None else 'not a mapping'}: one line per feed",
                help=_SHAPE,
            )
        )
        raise InputError(problems)
    through: dict[str, int] = {}
    where: dict[str, Position] = {}
    for feed, value in entries.items():
        try:
            through[feed] = complete_through_instant(value)
        except ValueError as error:
            problems.append(
                document.diagnostic(
                    document.value_position_of((_FIELD, feed)), f"feed '{feed}': {error}"
                )
            )
        where[feed] = document.position_of((_FIELD, feed))
    if problems:
        raise InputError(sorted(problems))
    return through, where


def _unknown_feed(feed: str, known_feeds: Collection[str]) -> tuple[str, str]:
    """The warning for a feed no fact type comes from, and its help."""
    feeds = sorted(known_feeds)
    message = f"no fact type comes from a feed '{feed}': what is declared for it applies to nothing"
    suggestion = did_you_mean(feed, feeds)
    if suggestion is not None:
        message += f"; {suggestion}"
    listed = ", ".join(feeds[:_MOST_FEEDS_LISTED]) + (
        ", ..." if len(feeds) > _MOST_FEEDS_LISTED else ""
    )
    return message, (
        f"a fact type's feed is its 'feed:' in {CATALOGUE_NAMES[0]}, or else the fact type's own "
        f"name; the feeds here are: {listed or 'none'}"
    )
