"""Reading several fact files in parallel reader processes gives exactly what reading them one
after another gives: the same facts, the same repeated-id decisions, the same rejects."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.dates.timeutil import parse_instant
from checker.facts import ingest
from checker.facts.model import Fact
from checker.facts.reading import FactInput
from checker.facts.store import FactStore, KeepAll, RoutedFacts

AS_OF = parse_instant("2026-11-22")


def _line(fact_id: str, at: str, amount: int) -> str:
    return (
        f'{{"id": "{fact_id}", "type": "deal.closed", "at": "{at}", "partner": "globex",'
        f' "amount": {amount}}}'
    )


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    (tmp_path / "a.jsonl").write_text(
        "\n".join([_line("f1", "2026-01-01", 1), _line("f2", "2026-01-02", 2), "not json"]) + "\n"
    )
    # f1 again with the same content (a duplicate) and f2 with other content (rejected: a.jsonl
    # comes first in reading order whichever process reads it).
    (tmp_path / "b.jsonl").write_text(
        "\n".join([_line("f1", "2026-01-01", 1), _line("f2", "2026-01-02", 99)]) + "\n"
    )
    (tmp_path / "c.csv").write_text(
        "id,type,at,partner,amount\nf3,deal.closed,2026-01-03,globex,3\nf9,deal.closed,2027-01-01,globex,9\n"
    )
    return tmp_path


def _read(directory: Path, workers: int) -> tuple[FactInput, list[Fact]]:
    with FactStore(KeepAll(), AS_OF) as store:
        result = ingest.read_into(store, [str(directory)], None, workers)
        store.finish(result.counts, result.rejects)
        routed = RoutedFacts(store.path)
        facts = routed.facts_of(0)
        routed.close()
    return result, facts


def test_parallel_reading_equals_serial_reading(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "PARALLEL_MIN_BYTES", 0)
    serial, serial_facts = _read(inputs, workers=1)
    parallel, parallel_facts = _read(inputs, workers=2)
    assert [(f.id, f.attrs["amount"], f.source) for f in serial_facts] == [
        ("f1", 1, f"{inputs}/a.jsonl:1"),
        ("f2", 2, f"{inputs}/a.jsonl:2"),
        ("f3", 3, f"{inputs}/c.csv:2"),
    ]
    assert parallel_facts == serial_facts
    assert [(f.id, f.source) for f in parallel_facts] == [(f.id, f.source) for f in serial_facts]
    assert parallel.counts == serial.counts
    assert serial.counts.read == 7
    assert (serial.counts.accepted, serial.counts.rejected) == (3, 2)
    assert (serial.counts.duplicates, serial.counts.after_as_of) == (1, 1)
    assert [d.render() for d in parallel.rejects] == [d.render() for d in serial.rejects]
    assert [(d.path.rsplit("/", 1)[-1], d.line) for d in serial.rejects] == [
        ("a.jsonl", 3),
        ("b.jsonl", 2),
    ]


def test_files_are_shared_out_by_size_deterministically() -> None:
    files = [(n, (f"f{n}", f"f{n}", False)) for n in range(5)]
    shares = ingest._share_out(files, [10, 50, 20, 40, 30], workers=2)
    # Largest first to the lighter reader: 50->A, 40->B, 30->B (70), 20->A (70), 10->A (tie: first).
    assert [[number for number, _ in share] for share in shares] == [[0, 1, 2], [3, 4]]
