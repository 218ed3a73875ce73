"""Problems found in user input (rule files, fact files), positioned and printable."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from checker.common.terminal import terminal_safe


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem in one input file, at a 1-based line and column (0 when unknown)."""

    path: str
    line: int
    column: int
    message: str
    help: str | None = None
    level: Level = Level.ERROR
    snippet: str | None = None

    @property
    def location(self) -> str:
        if self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def render(self) -> str:
        """`file:line:col: level: message`, then the offending line with a caret and a help line;
        control characters (from a fact, a key or a file name) written as escapes."""
        lines = [terminal_safe(f"{self.location}: {self.level.value}: {self.message}")]
        if self.snippet is not None:
            lines.append(f"    {terminal_safe(self.snippet)}")
            if self.column:
                before = terminal_safe(self.snippet[: self.column - 1])
                lines.append("    " + " " * len(before) + "^")
        if self.help:
            lines.append(f"  help: {terminal_safe(self.help)}")
        return "\n".join(lines)


class InputError(Exception):
    """Raised with every diagnostic collected from one input, so callers can report them all."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.render() for d in diagnostics))
        self.diagnostics = diagnostics
