"""The layout stays true: one package per pipeline stage, and imports flow one way.

A stage may import only the stages before it in `STAGES` (and itself). Every import counts:
module level, inside functions and under `TYPE_CHECKING`, absolute and relative. The import graph
is read with `ast`, so nothing is imported to check it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

CHECKER = Path(__file__).resolve().parent.parent / "checker"
ARCHITECTURE_DOC = CHECKER.parent / "docs" / "architecture.md"

# The stages in pipeline order: each may import the ones before it, never the ones after.
STAGES = (
    "common",
    "dates",
    "facts",
    "findings",
    "engine",
    "norms",
    "clauses",
    "rulebook",
    "alerts",
    "evaluation",
    "state",
    "report",
    "scenarios",
    "authoring",
    "commands",
)
# The only modules at the top of the package: they may import any stage.
ENTRY_POINTS = {"__init__.py", "__main__.py", "cli.py"}


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every `checker` import in a module's source."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts if is_package else parts[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # `from checker import engine` imports the stage `engine`: count the names too.
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "checker"]


def stage_of(module: str) -> str | None:
    """The stage a module of `checker` belongs to; None for the package itself and its entry points."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def backward_imports(module: str, source: str, is_package: bool = False) -> list[str]:
    """The imports of a module against the flow, as `line: stage -> later stage (module)`."""
    stage = stage_of(module)
    if stage is None:
        return []
    rank = STAGES.index(stage)
    problems = []
    for line, name in imported_modules(source, module, is_package):
        target = stage_of(name)
        if target is not None and STAGES.index(target) > rank:
            problems.append(f"{line}: {stage} -> {target} ({name})")
    return problems


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(CHECKER.rglob("*.py")):
        parts = path.relative_to(CHECKER.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def test_every_module_lives_in_a_stage_package() -> None:
    top = {path.name for path in CHECKER.glob("*.py")}
    assert top == ENTRY_POINTS
    packages = {path.name for path in CHECKER.iterdir() if (path / "__init__.py").exists()}
    assert packages == set(STAGES)
    strays = [path for path in CHECKER.rglob("*.py") if not (path.parent / "__init__.py").exists()]
    assert strays == []


def test_imports_flow_one_way() -> None:
    problems = [
        f"{path.relative_to(CHECKER.parent)}:{problem}"
        for name, path in _modules()
        for problem in backward_imports(name, path.read_text(), path.name == "__init__.py")
    ]
    assert problems == [], "imports against the flow of the pipeline:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        # A rule-book module reaching for the evaluation: against the flow, however written.
        (
            "checker.rulebook.term",
            "from checker.evaluation.run import RunResult\n",
            ["1: rulebook -> evaluation (checker.evaluation.run.RunResult)"],
        ),
        (
            "checker.rulebook.term",
            "import checker.report.table\n",
            ["1: rulebook -> report (checker.report.table)"],
        ),
        (
            "checker.rulebook.term",
            "from checker import state\n",
            ["1: rulebook -> state (checker.state)"],
        ),
        (
            "checker.rulebook.term",
            "from ..alerts import config\n",
            ["1: rulebook -> alerts (checker.alerts.config)"],
        ),
        (
            "checker.rulebook.term",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from checker.state import StateStore\n",
            ["3: rulebook -> state (checker.state.StateStore)"],
        ),
        (
            "checker.rulebook.term",
            "def f():\n    from checker.commands import run\n",
            ["2: rulebook -> commands (checker.commands.run)"],
        ),
        # With the flow, within the stage, and the package itself: allowed.
        (
            "checker.rulebook.term",
            "from checker.clauses.base import Clause\nfrom checker.common.suggest import closest\n",
            [],
        ),
        (
            "checker.rulebook.term",
            "from checker.rulebook.agreement import Agreement\nfrom . import agreement\n",
            [],
        ),
        ("checker.rulebook.term", "from checker import __version__\n", []),
        ("checker.cli", "from checker.commands import run\n", []),
    ],
)
def test_backward_imports_are_found(module: str, source: str, expected: list[str]) -> None:
    assert backward_imports(module, source) == expected


def test_each_stage_says_what_it_is_for_and_may_import() -> None:
    for position, stage in enumerate(STAGES):
        docstring = ast.get_docstring(ast.parse((CHECKER / stage / "__init__.py").read_text()))
        assert docstring, f"checker/{stage}/__init__.py has no docstring"
        if position == 0:
            assert "imports no other stage" in docstring
            continue
        match = re.search(r"May import([^.]*(?:\.[a-z_]+[^.]*)*)\.", docstring)
        assert match, f"checker/{stage}/__init__.py does not say what it may import"
        named = {word for word in re.findall(r"[a-z_]+", match.group(1)) if word in STAGES}
        later = {name for name in named if STAGES.index(name) > position}
        assert later == set(), f"checker/{stage} says it may import later stages: {sorted(later)}"


def test_architecture_doc_lists_the_stages_in_order() -> None:
    headings = re.findall(r"^### `checker/([a-z_]+)/`", ARCHITECTURE_DOC.read_text(), re.M)
    assert tuple(headings) == STAGES
