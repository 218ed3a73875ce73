"""Collects what the semantic checks report on one rule file, each problem positioned in the file."""

from __future__ import annotations

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
