"""Which input files the fact paths name: files, directories walked for fact files, "-" for stdin
(JSON lines, or CSV when the command line names it with `stdin_path("csv")`)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from checker.common.diagnostics import Diagnostic, InputError

STDIN = "-"
STDIN_SOURCE = "<stdin>"
# Standard input read as CSV (`run --facts - --facts-format csv`): the command line puts this
# in place of "-". A NUL byte cannot be in a path or a command-line argument, so no file is
# ever taken for it.
STDIN_CSV = "-\x00csv"
STDIN_FORMATS = ("jsonl", "csv")


def stdin_path(facts_format: str) -> str:
    """What names standard input read in `facts_format` (one of STDIN_FORMATS) in fact paths."""
    return STDIN_CSV if facts_format == "csv" else STDIN


JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
CSV_SUFFIX = ".csv"

InputFile = tuple[str, str | None, bool]
"""(path as shown in sources, real path or None for stdin, read as CSV)."""


def input_files(paths: Sequence[str]) -> list[InputFile]:
    """Every input file named by `paths`, in order; InputError naming each path that is missing."""
    inputs, problems = _expand_paths(paths)
    if problems:
        raise InputError(problems)
    return inputs


def _expand_paths(
    paths: Sequence[str],
) -> tuple[list[tuple[str, str | None, bool]], list[Diagnostic]]:
    """(display path, real path or None for stdin, is CSV) per input file, and unreadable paths."""
    inputs: list[tuple[str, str | None, bool]] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path in (STDIN, STDIN_CSV):
            inputs.append((STDIN_SOURCE, None, path == STDIN_CSV))
        elif os.path.isdir(path):
            inputs.extend(_directory_inputs(path, problems))
        elif os.path.exists(path):
            inputs.append((_shown(path), path, path.lower().endswith(CSV_SUFFIX)))
        else:
            problems.append(Diagnostic(path, 0, 0, "cannot read: no such file or directory"))
    return inputs, problems


def _directory_inputs(
    directory: str, problems: list[Diagnostic]
) -> list[tuple[str, str | None, bool]]:
    def unreadable(error: OSError) -> None:
        where = error.filename if isinstance(error.filename, str) else directory
        problems.append(Diagnostic(where, 0, 0, f"cannot read: {error.strerror}"))

    found: list[tuple[list[str], str, bool]] = []
    for root, _subdirectories, names in os.walk(directory, onerror=unreadable):
        for name in names:
            suffix = os.path.splitext(name)[1].lower()
            if suffix == CSV_SUFFIX or suffix in JSON_LINES_SUFFIXES:
                relative = os.path.relpath(os.path.join(root, name), directory)
                found.append((relative.split(os.sep), relative, suffix == CSV_SUFFIX))
    found.sort()
    inputs: list[tuple[str, str | None, bool]] = []
    for _parts, relative, is_csv in found:
        joined = os.path.join(directory, relative)
        inputs.append((_shown(joined), joined, is_csv))
    return inputs


def _shown(path: str) -> str:
    """`path` as sources and reports show it: a name that is not UTF-8 gets its bytes escaped
    (`caf\\xe9.csv`), since no report could print it as it is."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


__all__ = [
    "CSV_SUFFIX",
    "JSON_LINES_SUFFIXES",
    "STDIN",
    "STDIN_CSV",
    "STDIN_FORMATS",
    "STDIN_SOURCE",
    "InputFile",
    "input_files",
    "stdin_path",
]
