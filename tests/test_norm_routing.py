"""A real run hands each agreement every fact type its norms read, not only the types of their
patterns: a comparison with the latest fact of another type (`of_latest`) found its breach when
the evaluator was called directly and nothing through `run` (found in review). Worked out by
hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

RULES = """\
agreement: acme-2026
title: Acme
parties: {us: northwind, partner: acme}
effective: 2026-01-01
expires: 2026-12-31
owner: legal
clauses:
  - id: "6.1"
    title: No sale below the list price
    kind: prohibition
    by: partner
    do:
      fact: sale.closed
      where:
        unit_price: {below: {field: unit_price, of_latest: {fact: list.price, match_on: [product]}}}
"""
CATALOGUE = """\
fact_types:
  sale.closed:
    description: A sale by the partner
    fields: {product: Product, unit_price: Price per seat}
  list.price:
    description: Our list price
    fields: {product: Product, unit_price: Price per seat}
"""
FACTS = [
    {
        "id": "lp-1",
        "type": "list.price",
        "at": "2026-02-01T09:00:00Z",
        "partner": "northwind",
        "product": "suite",
        "unit_price": 40,
    },
    # 35 is below the list price of 40 in force then: a breach. 45 is not; nor is a sale of
    # another product, which no list price covers.
    {
        "id": "s-1",
        "type": "sale.closed",
        "at": "2026-03-01T09:00:00Z",
        "partner": "acme",
        "product": "suite",
        "unit_price": 35,
    },
    {
        "id": "s-2",
        "type": "sale.closed",
        "at": "2026-03-02T09:00:00Z",
        "partner": "acme",
        "product": "suite",
        "unit_price": 45,
    },
    {
        "id": "s-3",
        "type": "sale.closed",
        "at": "2026-03-03T09:00:00Z",
        "partner": "acme",
        "product": "lite",
        "unit_price": 5,
    },
]


def test_a_run_routes_the_type_a_comparison_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "acme.yaml").write_text(RULES, encoding="utf-8")
    (rules / "fact-types.yaml").write_text(CATALOGUE, encoding="utf-8")
    facts = tmp_path / "facts.jsonl"
    facts.write_text("".join(json.dumps(line) + "\n" for line in FACTS), encoding="utf-8")
    code = main(
        [
            "run",
            "--rules",
            str(rules),
            "--facts",
            str(facts),
            "--as-of",
            "2026-04-01",
            "--workers",
            "1",
            "--format",
            "json",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    found = [
        (f["code"], f["subject"], [e["fact_id"] for e in f["evidence"]])
        for f in document["findings"]
    ]
    assert found == [("prohibition.breached", "s-1", ["lp-1", "s-1"])]
    assert document["summary"]["facts"]["irrelevant"] == 0
