"""Collects what the semantic checks report on one rule file, each problem positioned in the file."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from checker.common.diagnostics import Diagnostic, Level
from checker.rulebook.yaml_source import Location, SourceDocument


class SemanticReporter:
    """The diagnostics reported on `document` so far, and the data paths they supersede (see
    `SemanticReport`)."""

    def __init__(self, document: SourceDocument) -> None:
        self.document = document
        self.diagnostics: list[Diagnostic] = []
        self.superseded: set[Location] = set()

    def report(
        self, path: Location, message: str, help_text: str, level: Level = Level.ERROR
    ) -> None:
        """A problem with the value at `path` (a data path), reported where the value starts."""
        position = self.document.value_position_of(path)
        self.diagnostics.append(self.document.diagnostic(position, message, help_text, level))

    def report_key(
        self, path: Location, message: str, help_text: str, level: Level = Level.ERROR
    ) -> None:
        """A problem with the key at the end of `path` (a field name in `where`, a clause's id)."""
        position = self.document.position_of(path)
        self.diagnostics.append(self.document.diagnostic(position, message, help_text, level))

    def value_at(self, path: Location) -> Any:
        """The raw value at `path`, or None where there is none."""
        node: Any = self.document.data
        for part in path:
            if isinstance(node, dict) and isinstance(part, str):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node


class ReportOnce:
    """Reports each problem once, however many versions of a norm share the value: once per
    place and message, or once per `key` where one is given."""

    def __init__(self, reporter: SemanticReporter) -> None:
        self.reporter = reporter
        self.seen: set[Hashable] = set()

    def __call__(
        self,
        path: Location,
        message: str,
        help_text: str,
        supersedes: bool = False,
        key: Hashable = None,
    ) -> None:
        seen = (path, message) if key is None else key
        if seen in self.seen:
            return
        self.seen.add(seen)
        self.reporter.report(path, message, help_text)
        if supersedes:
            # The agreement's own validator stops at the first of these, at the top of the file.
            self.reporter.superseded.add(())
