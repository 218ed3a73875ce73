"""Progress on stderr: throttled, redrawn on a terminal, silent in logs unless asked for."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from checker.cli import main
from checker.common.progress import Progress
from checker.dates.timeutil import parse_instant
from checker.evaluation.routing import RoutingIndex
from checker.facts import ingest
from checker.facts.store import FactStore
from checker.rulebook.loading import load_rulebook


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_lines_are_throttled_by_the_interval() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, enabled=True, interactive=False, interval=10.0, clock=clock)
    progress.facts_read(50_000)
    clock.now += 9.9
    progress.facts_read(100_000)  # too soon: not shown
    clock.now += 0.1
    progress.facts_read(150_000)
    progress.done("read 160,000 fact lines")  # always shown
    assert stream.getvalue() == (
        "progress: reading facts: 50,000 lines read\n"
        "progress: reading facts: 150,000 lines read\n"
        "progress: read 160,000 fact lines\n"
    )


def test_terminal_line_is_redrawn_in_place_and_ended() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, enabled=True, interactive=True, interval=0.5, clock=clock)
    progress.agreements_evaluated(10, 1000)
    clock.now += 1
    progress.agreements_evaluated(1000, 1000)
    progress.done("evaluated 1,000 agreements")
    assert stream.getvalue() == (
        "\revaluating agreements: 10 of 1,000 done"
        "\revaluating agreements: 1,000 of 1,000 done"
        "\revaluated 1,000 agreements" + " " * 16 + "\n"  # 42 - 26 characters
    )


def test_disabled_progress_writes_nothing() -> None:
    stream = io.StringIO()
    progress = Progress(stream, enabled=False, interactive=False)
    progress.facts_read(1)
    progress.done("read 1 fact line")
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("stream", "wanted", "enabled"),
    [
        (io.StringIO(), None, False),  # a log: quiet by default
        (io.StringIO(), True, True),  # unless asked
        (Terminal(), None, True),  # a terminal: on by default
        (Terminal(), False, False),  # unless refused
    ],
)
def test_default_is_on_for_terminals_only(
    stream: io.StringIO, wanted: bool | None, enabled: bool
) -> None:
    assert Progress.for_stream(stream, wanted).enabled is enabled


def test_reading_reports_every_so_many_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "PROGRESS_EVERY", 2)
    facts = tmp_path / "facts.jsonl"
    facts.write_text(
        "".join(
            f'{{"id": "f{n}", "type": "deal.closed", "at": "2026-03-0{n}", "partner": "globex"}}\n'
            for n in range(1, 6)
        ),
        encoding="utf-8",
    )
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, enabled=True, interactive=False, interval=0.0, clock=clock)
    rulebook = load_rulebook(["rules/"])
    with FactStore(RoutingIndex(rulebook.agreements), parse_instant("2026-11-22")) as store:
        ingest.read_into(store, [str(facts)], None, 1, progress)
    assert stream.getvalue() == (
        "progress: reading facts: 2 lines read\nprogress: reading facts: 4 lines read\n"
    )


def test_run_shows_progress_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["run", "--rules", "rules/", "--facts", "fixtures/demo/", "--as-of", "2026-11-22"]
    arguments += ["--format", "json", "--output", str(tmp_path / "out.json")]
    main(arguments)
    assert "progress:" not in capsys.readouterr().err
    main([*arguments, "--progress"])
    err = capsys.readouterr().err
    # 163 lines before the norms, + 82 daily uptime readings (monitoring.jsonl) + 10 security
    # lines (security.jsonl: 5 incidents, 2 notices, 3 forwards) = 255.
    assert "progress: read 255 fact lines\n" in err
    assert "progress: evaluated 5 agreements\n" in err
