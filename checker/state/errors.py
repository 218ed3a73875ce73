"""`StateError`: why a state file cannot be used or updated by this run, as a diagnostic."""

from __future__ import annotations

from checker.common.diagnostics import Diagnostic


class StateError(Exception):
    """The state file cannot be used (or updated) by this run; says which file, why, and what to do."""

    def __init__(self, path: str, message: str, help_text: str) -> None:
        super().__init__(f"{path}: {message}")
        self.diagnostic = Diagnostic(path, 0, 0, message, help=help_text)

    def render(self) -> str:
        return self.diagnostic.render()
