"""The scheduler and CI examples of docs/operations.md work as written.

Every `contract-checker` command line on the page is taken from its code blocks, each kind read
as the tool that runs it would: shell and crontab lines as shell, systemd units by their `Exec*=`
lines, GitHub Actions `run:` steps and GitLab `script:` items from the parsed YAML, and the
Airflow DAG by running it with stand-ins for Airflow's `DAG` and `BashOperator` (Airflow is not
installed) to get its `bash_command`s. Each command line is parsed by the real CLI parser; then
each section's `mkdir` and `contract-checker` commands run in order against the demo (the repo's
`rules/`, `fixtures/demo/` as `exports/`, `notifications.example.yaml` as `notifications.yaml`) in
a temporary folder, absolute paths moved under it, `{{ ds }}` set to the demo night, and
`--dry-run` added beside `--notify` so that nothing is sent.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from checker.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "operations.md"
# Where the examples keep the rule repository's checkout: the demo workspace stands in for it.
CHECKOUT = "/srv/legal-rules"
DEMO_NIGHT = "2026-11-22"
SCHEDULERS = ("cron", "systemd", "Airflow", "GitHub Actions", "GitLab CI")
OPERATORS = {"&&", "||", ";", "|", "&"}
# docker run options that take a value (the image name is the first word after the options).
DOCKER_VALUE_OPTIONS = {"-v", "--volume", "-e", "--env", "--env-file", "-u", "--user", "-w",
                        "--workdir", "--name", "--network", "--entrypoint", "--mount"}  # fmt: skip


@dataclass
class Block:
    section: str
    lang: str
    text: str
    line: int


@dataclass
class Command:
    """A command line of the page: `contract-checker` (its arguments), `mkdir` or `cd`."""

    section: str
    program: str
    args: list[str]
    source: str = field(compare=False)


def blocks() -> list[Block]:
    found: list[Block] = []
    section, lang, start = "", None, 0
    body: list[str] = []
    for number, line in enumerate(PAGE.read_text(encoding="utf-8").splitlines(), start=1):
        if lang is None and line.startswith("## "):
            section = line[3:].strip()
        elif lang is None and line.startswith("```"):
            lang, start, body = line[3:].strip(), number, []
        elif lang is not None and line.startswith("```"):
            found.append(Block(section, lang, "\n".join(body), start))
            lang = None
        elif lang is not None:
            body.append(line)
    return found


class _Operator:
    made: ClassVar[list[_Operator]] = []

    def __init__(self, *, task_id: str, bash_command: str, cwd: str | None = None, **_: Any):
        self.task_id, self.bash_command, self.cwd = task_id, bash_command, cwd
        _Operator.made.append(self)

    def __rshift__(self, other: _Operator) -> _Operator:
        return other


class _DAG:
    def __init__(self, **_: Any) -> None:
        pass

    def __enter__(self) -> _DAG:
        return self

    def __exit__(self, *_: object) -> None:
        return None


@contextmanager
def _airflow_stand_ins() -> Iterator[None]:
    modules = {
        name: types.ModuleType(name)
        for name in (
            "airflow",
            "airflow.sdk",
            "airflow.providers",
            "airflow.providers.standard",
            "airflow.providers.standard.operators",
            "airflow.providers.standard.operators.bash",
        )
    }
    modules["airflow.sdk"].DAG = _DAG  # type: ignore[attr-defined]
    modules["airflow.providers.standard.operators.bash"].BashOperator = _Operator  # type: ignore[attr-defined]
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module


def airflow_tasks(block: Block) -> list[_Operator]:
    _Operator.made = []
    with _airflow_stand_ins():
        exec(compile(block.text, f"{PAGE}:{block.line}", "exec"), {"__name__": "dag"})
    return list(_Operator.made)


def _yaml_scripts(node: Any) -> Iterator[str]:
    """GitHub Actions `run:` steps and GitLab `script:` items, wherever they are."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield value
            elif key in {"script", "before_script", "after_script"}:
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from _yaml_scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _yaml_scripts(item)


def shell_texts(block: Block) -> list[str]:
    """The shell text a block runs, as the tool that runs it reads the block."""
    if block.lang in {"sh", "crontab"}:
        return [block.text]
    if block.lang == "ini":  # a systemd unit: its Exec*= lines, StateDirectory= as a mkdir
        joined = block.text.replace("\\\n", " ")
        texts = []
        for line in joined.splitlines():
            key, _, value = line.partition("=")
            if key.startswith("Exec"):
                texts.append(value)
            elif key == "StateDirectory":
                texts.append(f"mkdir -p /var/lib/{value}")
        return texts
    if block.lang == "yaml":
        return list(_yaml_scripts(yaml.safe_load(block.text)))
    if block.lang == "python":
        texts = []
        for task in airflow_tasks(block):
            assert task.cwd == CHECKOUT, f"{task.task_id} runs in {task.cwd}, not {CHECKOUT}"
            texts.append(f"cd {CHECKOUT} && {task.bash_command}")
        return texts
    return []


def _words(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def commands_of(block: Block) -> list[Command]:
    found = []
    for text in shell_texts(block):
        for raw in text.replace("\\\n", " ").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            line = line.replace("{{ ds }}", DEMO_NIGHT)
            line = re.sub(r"\s+#\s.*$", "", line)  # a trailing comment
            line = re.sub(r"\s+\d*>>?&?\s*\S+", " ", line)  # redirections: >> log 2>&1
            words = _words(line)
            if block.lang == "crontab":
                words = words[5:]  # the schedule
            segment: list[str] = []
            for word in [*words, ";"]:
                if word not in OPERATORS:
                    segment.append(word)
                    continue
                command = _command(block.section, segment, line)
                if command is not None:
                    found.append(command)
                segment = []
    return found


def _command(section: str, words: list[str], source: str) -> Command | None:
    while words and (words[0] == "sudo" or re.fullmatch(r"[A-Z_]+=\S*", words[0])):
        words = words[3:] if words[:2] == ["sudo", "-u"] else words[1:]
    if not words:
        return None
    program = Path(words[0]).name
    if program == "contract-checker":
        return Command(section, program, words[1:], source)
    if program in {"mkdir", "cd"}:
        return Command(section, program, [w for w in words[1:] if not w.startswith("-")], source)
    if program == "docker" and words[1:2] == ["run"]:
        rest = words[2:]
        while rest and rest[0].startswith("-"):
            rest = rest[2:] if rest[0] in DOCKER_VALUE_OPTIONS else rest[1:]
        assert rest, f"no image in: {source}"
        assert rest[0].split("/")[-1].split(":")[0] == "contract-checker", source
        return Command(section, "contract-checker", rest[1:], source)
    return None


BLOCKS = blocks()
COMMANDS = [command for block in BLOCKS for command in commands_of(block)]
CLI = [command for command in COMMANDS if command.program == "contract-checker"]
SECTIONS = sorted({command.section for command in CLI})


def _id(command: Command) -> str:
    return f"{command.section}: contract-checker {' '.join(command.args)}"[:120]


@pytest.mark.parametrize("command", CLI, ids=[_id(command) for command in CLI])
def test_every_command_line_is_accepted_by_the_cli_parser(command: Command) -> None:
    errors = StringIO()
    code: object = 0
    try:
        with redirect_stderr(errors):
            build_parser().parse_args(command.args)
    except SystemExit as stop:  # --version and --help stop with 0; a usage error with 2
        code = stop.code
    assert code == 0, f"{command.source}\n{errors.getvalue()}"


def test_no_command_line_is_missed() -> None:
    """Each `contract-checker COMMAND` written in a code block is one of the commands checked."""
    written = sum(
        len(re.findall(r"\bcontract-checker (?:run|validate|test|schema|state|explain|--)", b.text))
        for b in BLOCKS
        if b.lang != "text"
    )
    assert written == len(CLI)


def test_every_scheduler_and_ci_system_has_its_example() -> None:
    sections = {block.section for block in BLOCKS}
    for name in SCHEDULERS:
        [section] = [s for s in sections if s.startswith(name)]
        runs = [c for c in CLI if c.section == section and c.args[:1] == ["run"]]
        assert runs, f"no 'contract-checker run' in the {section} example"
        for run in runs:
            formats = {arg.split(":")[0] for arg in _values(run.args, "--report")}
            assert {"html", "junit", "ics"} <= formats, f"{section}: {run.source}"


def test_ci_examples_validate_on_pull_requests_and_run_nightly() -> None:
    github = _yaml_block("GitHub Actions")
    triggers = github.get("on", github.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"pull_request", "schedule"} <= set(triggers)
    pull_request_steps = " ".join(_yaml_scripts(github["jobs"]["validate"]))
    assert "contract-checker validate rules/" in pull_request_steps
    assert "contract-checker test rules/" in pull_request_steps
    assert "pull_request" in github["jobs"]["validate"]["if"]

    gitlab = _yaml_block("GitLab CI")
    assert "merge_request_event" in gitlab["validate-rules"]["rules"][0]["if"]
    assert "schedule" in gitlab["nightly"]["rules"][0]["if"]
    assert gitlab["validate-rules"]["script"] == [
        "contract-checker validate rules/",
        "contract-checker test rules/",
    ]
    [nightly] = [c for c in CLI if c.section == "GitLab CI" and c.args[:1] == ["run"]]
    reports = dict(arg.split(":", 1) for arg in _values(nightly.args, "--report"))
    assert gitlab["nightly"]["artifacts"]["reports"]["junit"] == reports["junit"]
    assert set(gitlab["nightly"]["artifacts"]["paths"]) == set(reports.values())


def _yaml_block(section: str) -> dict[str, Any]:
    [block] = [b for b in BLOCKS if b.section == section and b.lang == "yaml"]
    data = yaml.safe_load(block.text)
    assert isinstance(data, dict)
    return data


def _values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == option]


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_runs_as_written_against_the_demo(
    section: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "rules", checkout / "rules")
    shutil.copytree(ROOT / "fixtures" / "demo", checkout / "exports")
    shutil.copy(ROOT / "notifications.example.yaml", checkout / "notifications.yaml")

    def moved(path: str) -> str:
        if path == CHECKOUT or path.startswith(CHECKOUT + "/"):
            return str(checkout / path[len(CHECKOUT) :].lstrip("/"))
        return str(tmp_path / "root" / path.lstrip("/"))

    def argument(arg: str) -> str:
        if arg.startswith("/"):
            return moved(arg)
        report = re.fullmatch(r"(\w+):(/.*)", arg)
        return f"{report[1]}:{moved(report[2])}" if report else arg

    monkeypatch.chdir(checkout)
    ran = 0
    for command in (c for c in COMMANDS if c.section == section):
        args = [argument(arg) for arg in command.args]
        if command.program == "cd":
            monkeypatch.chdir(args[0])
        elif command.program == "mkdir":
            for folder in args:
                Path(folder).mkdir(parents=True, exist_ok=True)
        else:
            if "--notify" in args and "--dry-run" not in args:
                args.append("--dry-run")
            ran += 1
            _run(command, args)
    assert ran


def _run(command: Command, args: list[str]) -> None:
    errors = StringIO()
    try:
        with redirect_stderr(errors):
            code = main(args)
    except SystemExit as stop:  # --version
        code = stop.code if isinstance(stop.code, int) else 2
    # 1 is `run` reporting findings at or above --fail-on: the demo has some by design.
    allowed = {0, 1} if args[:1] == ["run"] else {0}
    assert code in allowed, f"exit code {code}: {command.source}\n{errors.getvalue()[-3000:]}"
    for report in _values(args, "--report"):
        written = Path(report.split(":", 1)[1])
        assert written.is_file(), f"{written}: {command.source}"
        assert written.stat().st_size > 0, f"{written}: {command.source}"


# --- Exports that are late or missing: what the page says is what the tool does ------------------

UNKNOWN_SECTION = "Exports that are late or missing: `unknown`"


def test_the_feeds_manifest_on_the_page_is_read_as_it_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [block] = [b for b in BLOCKS if b.section == UNKNOWN_SECTION and b.lang == "yaml"]
    exports = tmp_path / "exports"
    shutil.copytree(ROOT / "fixtures" / "demo", exports)
    (exports / "feeds.yaml").write_text(block.text, encoding="utf-8")
    args = ["run", "--rules", str(ROOT / "rules"), "--facts", str(exports)]
    assert main([*args, "--as-of", DEMO_NIGHT, "--workers", "1", "--format", "json"]) == 1
    feeds = json.loads(capsys.readouterr().out)["summary"]["feeds"]
    # A date is complete through the end of its day; an instant is taken as written.
    assert (feeds["billing"], feeds["crm"]) == ("2026-11-21T23:59:59Z", "2026-11-22T01:30:00Z")


def _demo_night(night: str, state: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    args = ["run", "--rules", str(ROOT / "rules"), "--facts", str(ROOT / "fixtures" / "demo")]
    args += ["--as-of", night, "--workers", "1", "--state", str(state), "--format", "json"]
    assert main([*args, "--fail-on", "error"]) == 0  # unknown findings do not fail it
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_a_feeds_manifest_not_refreshed_gives_the_new_unknown_the_page_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make nightly`, then `make nightly AS_OF=2026-11-24`: the demo's feeds.yaml says the
    notices feed is complete through 2026-11-21, so initech's incident notice due 2026-11-23
    cannot be told, and the deadline of the night before is stale, not resolved."""
    assert (ROOT / "fixtures" / "demo" / "feeds.yaml").read_text(encoding="utf-8").count(
        "2026-11-21"
    ) == 10
    state = tmp_path / "state.sqlite"
    first = _demo_night("2026-11-22", state, capsys)
    assert [
        (f["clause"], f["kind"], f["subject"])
        for f in first["findings"]
        if f["agreement"] == "initech-data-2025" and f["subject"] == "inc-0104"
    ] == [("9.3", "deadline", "inc-0104")]
    later = _demo_night("2026-11-24", state, capsys)
    [unknown] = [f for f in later["findings"] if f["kind"] == "unknown" and f["status"] == "new"]
    assert (unknown["agreement"], unknown["clause"], unknown["subject"]) == (
        "initech-data-2025",
        "9.3",
        "inc-0104",
    )
    assert unknown["message"].endswith("cannot be told: the notices feed runs only to 2026-11-21")
    assert '"the notices feed runs only to 2026-11-21"' in PAGE.read_text(encoding="utf-8")
    stale = later["history"]["stale"]
    assert [(s["clause"], s["kind"], s["subject"]) for s in stale] == [
        ("9.3", "deadline", "inc-0104")
    ]
