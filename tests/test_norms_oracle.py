"""Norms (obligation, prohibition, measure, right) against an independent oracle.

(a) The oracle (tests/oracle/norms.py, written from docs/norms.md) agrees with every hand-worked
expectation of docs/examples/norms/*.test.yaml: it is right without the evaluator's help.
(b) The evaluator agrees with the oracle on random small agreements and facts around the
boundaries that matter (due instants, periods' last days, 12 months and 90 days to the day,
30 days' notice, aliases, other partners' facts, facts after the as-of instant).
(c) Minimal cases of the four evaluator bugs the oracle found (a crossing dated at the period's
end once it closed, facts before a measure applies counted, later periods reported at risk, an
ended obligation's end-of-term instance), fixed, kept as regressions.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.dates.timeutil import (
    SECONDS_PER_DAY,
    add_months,
    iso_of_epoch,
    parse_instant,
    period_of,
)
from checker.evaluation.evaluate import evaluate_agreement
from checker.facts.model import Fact
from checker.facts.reading import fact_from_record
from checker.norms.parties import FactParties, PartyFields
from checker.rulebook.agreement import Agreement
from checker.rulebook.loading import load_rulebook
from checker.scenarios.loader import ScenarioCase, load_scenario_file
from checker.scenarios.model import Expectation
from tests.oracle.norms import (
    OracleFinding,
    end_of,
    oracle_norms,
    start_of,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples" / "norms"


# --- (a) the oracle against the hand-worked examples -------------------------------------------


def _example_cases() -> list[tuple[ScenarioCase, FactParties]]:
    book = load_rulebook([str(EXAMPLES)])
    assert not book.errors
    agreements = {a.agreement: a for a in book.agreements}
    cases = []
    for path in sorted(EXAMPLES.glob("*.test.yaml")):
        suite = load_scenario_file(str(path), agreements)
        assert suite is not None
        cases += [(case, book.fact_parties) for case in suite.cases]
    return cases


EXAMPLE_CASES = _example_cases()


def _described(expectation: Expectation, finding: OracleFinding) -> bool:
    """Whether the oracle's finding matches an expectation (message and severity aside)."""
    clause, kind, code, subject, day = finding
    return (
        expectation.clause in (None, clause)
        and (expectation.kind is None or expectation.kind.value == kind)
        and expectation.code in (None, code)
        and expectation.subject in (None, subject)
        and (expectation.date is None or expectation.date.isoformat() == day)
    )


def _oracle_of(case: ScenarioCase, fact_parties: FactParties) -> set[OracleFinding]:
    return oracle_norms(
        case.agreement, list(case.facts), fact_parties, case.as_of, case.horizon_end
    )


@pytest.mark.parametrize(
    ("case", "fact_parties"), EXAMPLE_CASES, ids=[c.name[:60] for c, _ in EXAMPLE_CASES]
)
def test_the_oracle_agrees_with_the_hand_worked_examples(
    case: ScenarioCase, fact_parties: FactParties
) -> None:
    found = _oracle_of(case, fact_parties)
    for item in case.expect:
        assert any(_described(item.expectation, f) for f in found), (
            f"line {item.line}: {item.expectation.describe()} not among {sorted(found)}"
        )
    for item in case.expect_not:
        # An `expect_not` with a message could not be judged without messages: none has one.
        assert item.expectation.message_contains is None
        matched = [f for f in found if _described(item.expectation, f)]
        assert not matched, f"line {item.line}: {item.expectation.describe()} matched {matched}"


def test_the_examples_cover_every_norm_type() -> None:
    """The hand-worked examples exercise every norm type with many expectations."""
    kinds = {clause.kind for case, _ in EXAMPLE_CASES for clause in case.agreement.clauses}
    assert {"obligation", "prohibition", "measure", "right"} <= kinds
    assert sum(len(case.expect) for case, _ in EXAMPLE_CASES) >= 30


def test_the_oracle_tells_a_wrong_date_from_the_right_one() -> None:
    """A wrong expectation fails against the oracle: shift a hand-worked date by a day."""
    case, fact_parties = next(
        (c, p) for c, p in EXAMPLE_CASES if c.name.startswith("(b) revenue share")
    )
    found = _oracle_of(case, fact_parties)
    assert ("5.1", "breach", "obligation.breached", "r-q2", "2026-08-09") in found
    assert ("5.1", "breach", "obligation.breached", "r-q2", "2026-08-10") not in found
    assert not any(f[3] == "r-q1" for f in found)


def test_the_oracle_is_written_without_the_evaluator() -> None:
    """The oracle imports none of the evaluator's modules (only models, facts, parties, dates)."""
    source = (Path(__file__).parent / "oracle" / "norms.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    forbidden = (
        "checker.norms.instances",
        "checker.norms.compile",
        "checker.norms.blocks",
        "checker.norms.clause_support",
        "checker.engine",
        "checker.evaluation",
        "checker.clauses",
    )
    assert not [m for m in imported if m.startswith(forbidden)]
    assert "checker.norms.model" in imported


# --- (b) random agreements and facts -----------------------------------------------------------

# The exports of the random cases: whose act each fact type records.
FACT_PARTIES = FactParties(
    {
        "order": PartyFields("partner", None),  # the partner's orders (default actor field)
        "payment": PartyFields("partner", None),
        "report": PartyFields("partner", None),
        "notice": PartyFields("sender", "recipient"),  # either party's notices
        "incident": PartyFields(None, "affects"),  # our own records: always our acts
        "hire": PartyFields("employer", None),  # either party's hires
    }
)
ONE_PARTNER = {
    "us": {"id": "northwind", "aliases": ["nw"]},
    "partner": {"id": "acme", "aliases": ["acme-inc"]},
}
TWO_PARTNERS = {
    "us": {"id": "northwind", "aliases": ["nw"]},
    "partners": ["alpha", {"id": "beta", "aliases": ["beta-gmbh"]}],
}
OUTSIDER = "zeta"  # another partner of ours, not a party of these agreements

Record = dict[str, Any]


def _iso(instant: int) -> str:
    return iso_of_epoch(instant)


@dataclass
class Case:
    """One random agreement with its facts, as-of instant and horizon."""

    agreement: dict[str, Any]
    records: list[Record]
    as_of: int
    horizon_days: int

    def describe(self) -> str:
        return yaml.safe_dump(
            {
                "agreement": self.agreement,
                "facts": self.records,
                "as_of": _iso(self.as_of),
                "horizon_days": self.horizon_days,
            },
            sort_keys=False,
            width=120,
        )


class Generator:
    """Random agreements of one to four norms, and facts at the instants where they change."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clauses: list[dict[str, Any]] = []
        self.multi = False
        self.moments: list[int] = []  # candidate instants for facts and the as-of instant
        self.labels_unit = "quarter"

    # --- the agreement -----------------------------------------------------------------------

    def case(self) -> Case:
        rng = self.rng
        self.multi = rng.random() < 0.15
        effective = rng.choice(
            [date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 15), date(2026, 2, 1)]
        )
        term: dict[str, Any]
        ending = rng.random()
        if ending < 0.15:
            term = {"open_ended": True}
            self.last_day: date | None = None
        else:
            self.last_day = rng.choice(
                [
                    date(2026, 12, 31),
                    date(2026, 12, 31),
                    date(2026, 9, 20),
                    date(2026, 6, 30),
                    date(2027, 6, 30),
                ]
            )
            term = {"expires": self.last_day.isoformat()}
        self.effective = effective
        makers: list[Callable[[], None]] = [
            self.obligation_on_facts,
            self.obligation_periodic,
            self.obligation_fixed,
            self.prohibition,
            self.measure,
            self.rolling_measure,
            self.right,
        ]
        for _ in range(rng.randint(1, 3)):
            rng.choice(makers)()
        if rng.random() < 0.7:
            self.consequence()
        agreement = {
            "agreement": "random-norms",
            "title": "Random norms",
            "parties": TWO_PARTNERS if self.multi else ONE_PARTNER,
            "values": {"cap": 100, "floor": 50},
            "effective": effective.isoformat(),
            **term,
            "owner": "legal",
            "clauses": self.clauses,
        }
        records = self.facts()
        as_of = self.as_of()
        horizon = rng.choice([0, 10, 30, 30, 45, 60])
        return Case(agreement, records, as_of, horizon)

    def next_id(self) -> str:
        return f"c{len(self.clauses) + 1}"

    def bound_party(self, allow_each: bool = True) -> str:
        if self.multi:
            return self.rng.choice(["partners", "alpha", "us", *(["each"] if allow_each else [])])
        return self.rng.choice(["partner", "partner", "us", *(["each"] if allow_each else [])])

    def obligation_on_facts(self) -> None:
        rng = self.rng
        trigger: dict[str, Any] = {"fact": rng.choice(["incident", "order"])}
        if rng.random() < 0.3:
            trigger["where"] = {"region": "EU"}
        if rng.random() < 0.3:
            trigger["after"] = {
                "fact": "order" if trigger["fact"] == "incident" else "incident",
                "match_on": ["ref"],
                "within": rng.choice(["90d", "30d", "3 months"]),
            }
        clause: dict[str, Any] = {
            "id": self.next_id(),
            "title": "Fact-triggered obligation",
            "kind": "obligation",
            "by": self.bound_party(),
            "when": trigger,
        }
        if rng.random() < 0.35:
            clause["by"] = "partner" if not self.multi else "alpha"
            do: dict[str, Any] = {"fact": "payment"}
            if rng.random() < 0.6:
                do["match_on"] = ["ref"]
            clause["do"] = do
            clause["amount"] = {
                "sum": "amount",
                "at_least": rng.choice(
                    [
                        100,
                        {"percent": 50, "of": "amount"},
                        {"percent": 20, "of": "amount"},
                        {"field": "amount"},
                        {"value": "floor"},
                    ]
                ),
            }
        else:
            do = {"fact": "notice"}
            if rng.random() < 0.6:
                do["match_on"] = ["ref"]
            if rng.random() < 0.2:
                do["where"] = {"recipient": {"party": "other"}}
            clause["do"] = do
        due = rng.random()
        if due < 0.7:
            clause["within"] = rng.choice(["72h", "24h", "10d", "30d", "1 months"])
        elif due < 0.85:
            clause["due"] = {"field": "due_on"}
        else:
            clause["due"] = rng.choice(["2026-06-30", "2026-03-31"])
        self.clauses.append(clause)

    def obligation_periodic(self) -> None:
        rng = self.rng
        unit = rng.choice(["month", "quarter", "half-year", "year"])
        clause: dict[str, Any] = {
            "id": self.next_id(),
            "title": "Periodic obligation",
            "kind": "obligation",
            "by": self.bound_party(),
            "when": {"each": unit},
            "do": {"fact": "report"},
            "within": rng.choice(["10d", "31d", "1 months", "48h"]),
        }
        if rng.random() < 0.6:
            clause["period_field"] = "period"
            self.labels_unit = unit
        self.clauses.append(clause)

    def obligation_fixed(self) -> None:
        rng = self.rng
        when: Any = rng.choice(["start", "end", "2026-03-10", "2026-06-30"])
        if when == "end" and self.last_day is None:
            when = "start"
        self.clauses.append(
            {
                "id": self.next_id(),
                "title": "Obligation on a fixed event",
                "kind": "obligation",
                "by": self.bound_party(allow_each=False),
                "when": when,
                "do": {"fact": "report"},
                "within": rng.choice(["10d", "30d", "72h"]),
            }
        )

    def prohibition(self) -> None:
        rng = self.rng
        shape = rng.choice(["hire", "order", "others", "notice"])
        do: dict[str, Any]
        by = self.bound_party()
        if shape == "hire":
            by = rng.choice(["each", "us", "partner"]) if not self.multi else "each"
            do = {
                "fact": "hire",
                "where": {"previous_employer": {"party": "other"}},
                "after": {"field": "left_on", "within": rng.choice(["12 months", "90d"])},
            }
        elif shape == "order":
            do = {
                "fact": "order",
                "where": {"region": ["EU", "UK"], "amount": {"at_least": {"value": "cap"}}},
            }
            if rng.random() < 0.5:
                do["unless"] = {"tier": "gold"}
        elif shape == "others":
            by = "us"
            do = {"fact": "notice", "with": "others"}
        else:
            do = {
                "fact": "incident" if by == "us" else "order",
                "unless_after": {
                    "fact": "notice",
                    "match_on": ["ref"],
                    "at_least": rng.choice(["30d", "72h"]),
                },
            }
        clause: dict[str, Any] = {
            "id": self.next_id(),
            "title": "Prohibition",
            "kind": "prohibition",
            "by": by,
            "do": do,
        }
        time = rng.random()
        if time < 0.25 and self.last_day is not None:
            clause["until"] = {"after_end": rng.choice(["30d", "2 months", "1y"])}
        elif time < 0.35:
            clause["until"] = rng.choice(["2026-06-30", "2026-09-15"])
        elif time < 0.45:
            clause["from"] = rng.choice(["2026-03-15", "2026-04-01"])
        self.clauses.append(clause)

    def measure(self) -> None:
        rng = self.rng
        unit = rng.choice(["month", "month", "quarter", "quarter", "half-year", "year"])
        aggregate = rng.choice(["sum", "sum", "count", "average", "min", "max", "latest"])
        clause: dict[str, Any] = {
            "id": self.next_id(),
            "title": "Measure",
            "kind": "measure",
            "by": rng.choice(["partner", "us"])
            if not self.multi
            else rng.choice(["alpha", "partners"]),
            "of": {"fact": "order" if rng.random() < 0.7 else "report"},
            "per": unit,
        }
        clause[aggregate] = (
            True
            if aggregate == "count"
            else ("score" if clause["of"]["fact"] == "report" else "amount")
        )
        if clause["of"]["fact"] == "report" and rng.random() < 0.6:
            clause["period_field"] = "period"
            self.labels_unit = unit
        bounds = rng.random()
        small = aggregate == "count"
        if bounds < 0.45:
            clause["at_least"] = rng.choice([1, 2] if small else [50, 100, {"value": "floor"}])
            if aggregate in ("sum", "count") and rng.random() < 0.4:
                clause["carry_over"] = True
        elif bounds < 0.8:
            clause["at_most"] = rng.choice([1, 2] if small else [100, 150, {"value": "cap"}])
        else:
            clause["at_least"] = 1 if small else 50
            clause["at_most"] = 2 if small else 150
        self.clauses.append(clause)
        if rng.random() < 0.15 and aggregate != "count":
            # another measure bounded by a percentage of this one, same periods
            self.clauses.append(
                {
                    "id": self.next_id(),
                    "title": "Relative measure",
                    "kind": "measure",
                    "by": clause["by"],
                    "of": {"fact": "payment"},
                    "sum": "amount",
                    "per": unit,
                    "at_least": {"percent": 50, "of": clause["id"]},
                }
            )

    def rolling_measure(self) -> None:
        rng = self.rng
        aggregate = rng.choice(["count", "sum"])
        clause: dict[str, Any] = {
            "id": self.next_id(),
            "title": "Rolling measure",
            "kind": "measure",
            "by": "us",
            "of": {"fact": "incident"},
            "per": {"rolling": rng.choice(["12 months", "90d", "30d"])},
            "at_most": 1 if aggregate == "count" else 100,
        }
        clause[aggregate] = True if aggregate == "count" else "amount"
        self.clauses.append(clause)

    def right(self) -> None:
        """A right that arises from a fact, the start or a date; it may end other norms."""
        rng = self.rng
        arises: Any = rng.choice(
            [
                {"fact": "incident"},
                {"fact": "order", "where": {"region": "EU"}},
                "start",
                "2026-03-10",
            ]
        )
        right: dict[str, Any] = {
            "id": self.next_id(),
            "title": "Right on an event",
            "kind": "right",
            "holder": rng.choice(["us", "partner"]) if not self.multi else "us",
            "arises": arises,
            "exercised_by": {"fact": "notice", "where": {"topic": "exercise"}},
        }
        if rng.random() < 0.8:
            right["open_for"] = rng.choice(["30d", "10d", "72h", "1 months"])
        targets = [c["id"] for c in self.clauses if c["kind"] != "right"]
        if targets and rng.random() < 0.4:
            right["effect"] = {"ends": [rng.choice(targets)]}
            if rng.random() < 0.5:
                right["effect"]["after"] = rng.choice(["5d", "1 months"])
        self.clauses.append(right)
        if rng.random() < 0.3:
            self.clauses.append(
                {
                    "id": self.next_id(),
                    "title": "Obligation on an exercise",
                    "kind": "obligation",
                    "by": "partner" if not self.multi else "alpha",
                    "when": {"exercise_of": right["id"]},
                    "do": {"fact": "report"},
                    "within": rng.choice(["10d", "72h"]),
                }
            )

    def consequence(self) -> None:
        """A norm that reacts to another's breaches: an obligation, a right, or an end."""
        rng = self.rng
        sources = [c for c in self.clauses if c["kind"] in ("measure", "prohibition", "obligation")]
        if not sources:
            self.measure()
            sources = [self.clauses[-1]]
        chosen = rng.choice(sources)
        source = chosen["id"]
        repetition: dict[str, Any] = {}
        chance = rng.random()
        # Breaches "in a row" of a norm that binds several parties are left out: docs/norms.md
        # does not say whether the parties' breaches make one run or one run each.
        if chosen["by"] not in ("each", "partners"):
            if chance < 0.35:
                repetition = {"in_a_row": 2}
            elif chance < 0.45:
                repetition = {"count": 2, "in_last": 3}
        what = rng.choice(["right", "obligation", "ends_when", "ends_when"])
        if what == "right":
            right: dict[str, Any] = {
                "id": self.next_id(),
                "title": "Right on a breach",
                "kind": "right",
                "holder": "us",
                "arises": {"breach_of": source, **repetition},
                "exercised_by": {"fact": "notice", "where": {"topic": "exercise"}},
            }
            if rng.random() < 0.8:
                right["open_for"] = rng.choice(["30d", "10d", "48h", "1 months"])
            self.clauses.append(right)
        elif what == "obligation":
            self.clauses.append(
                {
                    "id": self.next_id(),
                    "title": "Obligation on a breach",
                    "kind": "obligation",
                    "by": "us",
                    "when": {"breach_of": source, **repetition},
                    "do": {"fact": "notice", "where": {"topic": "cure"}},
                    "within": rng.choice(["5d", "48h"]),
                }
            )
        else:
            before = self.depends_on(source)
            targets = [c for c in self.clauses if c["id"] not in before and "ends_when" not in c]
            if not targets:
                return
            target = rng.choice(targets)
            ends: dict[str, Any] = {"breach_of": source}
            if repetition.get("in_a_row"):
                ends["in_a_row"] = 2
            target["ends_when"] = ends

    def depends_on(self, clause_id: str) -> set[str]:
        """`clause_id` and every clause it reads, directly or not (an effect's targets read the
        right)."""
        refs: dict[str, set[str]] = {c["id"]: set() for c in self.clauses}
        for clause in self.clauses:
            for key in ("when", "arises", "ends_when", "at_least", "at_most"):
                value = clause.get(key)
                if isinstance(value, dict):
                    named = [value.get("breach_of"), value.get("exercise_of")]
                    if key in ("at_least", "at_most"):
                        named.append(value.get("of"))
                    refs[clause["id"]] |= {name for name in named if name in refs}
            for target in clause.get("effect", {}).get("ends", []):
                refs[target].add(clause["id"])
        seen: set[str] = set()
        todo = [clause_id]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += refs.get(current, set())
        return seen

    # --- facts ---------------------------------------------------------------------------------

    def seed_moments(self) -> None:
        rng = self.rng
        first = self.effective - timedelta(days=20)
        last = date(2027, 3, 31)
        day = first
        while day <= last:
            if (day + timedelta(days=1)).day == 1:  # the last day of a month
                self.moments += [end_of(day), start_of(day + timedelta(days=1))]
            day += timedelta(days=1)
        for _ in range(25):
            offset = rng.randint(0, (last - first).days)
            self.moments.append(
                start_of(first + timedelta(days=offset)) + rng.choice([0, 10 * 3600, 86_399])
            )
        self.moments += [start_of(self.effective), start_of(self.effective) - 1]
        if self.last_day is not None:
            self.moments += [end_of(self.last_day), end_of(self.last_day) + 1]
        for fixed in (date(2026, 3, 10), date(2026, 6, 30), date(2026, 3, 31)):
            self.moments += [start_of(fixed), end_of(fixed)]

    def moments_after(self, instant: int) -> list[int]:
        """The instants where a deadline or window counted from `instant` changes."""
        day = date(1970, 1, 1) + timedelta(days=instant // SECONDS_PER_DAY)
        found = [
            instant,
            instant + 1,
            instant + 24 * 3600,
            instant + 48 * 3600,
            instant + 72 * 3600,
            instant + 72 * 3600 + 1,
        ]
        for days in (5, 10, 30, 31, 90):
            found += [end_of(day + timedelta(days=days)), start_of(day + timedelta(days=days + 1))]
        for months in (1, 2, 3, 12):
            found += [
                end_of(add_months(day, months)),
                start_of(add_months(day, months) + timedelta(days=1)),
            ]
        return found

    def moment(self) -> int:
        return self.rng.choice(self.moments)

    def party_value(self, actor_of_us: bool = False) -> Any:
        names: list[str | None] = (
            ["alpha", "beta", "beta-gmbh"] if self.multi else ["acme", "acme", "acme-inc"]
        )
        names += ["northwind", "nw", OUTSIDER]
        if actor_of_us:
            names += ["", None]
        return self.rng.choice(names)

    def label(self, instant: int, unit: str) -> str:
        day = date(1970, 1, 1) + timedelta(days=instant // SECONDS_PER_DAY)
        shift = self.rng.choice([0, 0, -1, 1])
        period = period_of(day, unit)
        if shift < 0:
            period = period_of(period.start - timedelta(days=1), unit)
        elif shift > 0:
            period = period_of(period.end + timedelta(days=1), unit)
        label = period.label
        if unit == "year" and self.rng.random() < 0.5:
            return str(int(label))  # a year may be written as a number
        return label

    def facts(self) -> list[Record]:
        rng = self.rng
        self.seed_moments()
        records: list[Record] = []
        types = ["order", "payment", "report", "notice", "incident", "hire"]
        read = sorted({t for t in types if f"'{t}'" in repr(self.clauses)})
        for number in range(rng.randint(4, 26)):
            kind = rng.choice(read if read and rng.random() < 0.7 else types)
            # Responses are placed where the deadlines of earlier facts fall.
            if records and rng.random() < 0.5:
                base = parse_instant(rng.choice(records)["at"])
                at = rng.choice(self.moments_after(base))
            else:
                at = self.moment()
            record: Record = {"id": f"f{number:02d}", "type": kind, "at": _iso(at)}
            ref = rng.choice(["r1", "r2", "r3"])
            if kind in ("order", "payment", "report"):
                value = self.party_value()
                if value is not None and rng.random() < 0.95:
                    record["partner"] = value
                record["ref"] = ref
                record["amount"] = rng.choice([0, 10, 25, 50, 60, 100, 150, 200, 49.5])
                record["region"] = rng.choice(["EU", "EU", "US", "UK"])
                if rng.random() < 0.3:
                    record["tier"] = "gold"
                record["due_on"] = (
                    date(1970, 1, 1)
                    + timedelta(days=at // SECONDS_PER_DAY + rng.choice([0, 5, 30]))
                ).isoformat()
                if kind == "report":
                    record["period"] = self.label(at, self.labels_unit)
                    record["score"] = rng.choice([40, 70, 90])
            elif kind == "notice":
                record["sender"] = self.party_value(actor_of_us=True)
                record["recipient"] = self.party_value()
                record["ref"] = ref
                record["topic"] = rng.choice(["exercise", "cure", "other"])
            elif kind == "incident":
                if rng.random() < 0.85:
                    record["affects"] = self.party_value()
                record["ref"] = ref
                record["region"] = rng.choice(["EU", "US"])
                record["amount"] = rng.choice([10, 50, 100])
                record["due_on"] = (
                    date(1970, 1, 1) + timedelta(days=at // SECONDS_PER_DAY + rng.choice([0, 3]))
                ).isoformat()
            else:
                record["employer"] = self.party_value()
                record["previous_employer"] = self.party_value()
                left = date(1970, 1, 1) + timedelta(days=at // SECONDS_PER_DAY)
                back = rng.choice(["12m", "12m+1", "90", "91", "400", "0"])
                if back == "12m":
                    left = add_months(left, -12)
                elif back == "12m+1":
                    left = add_months(left, -12) - timedelta(days=1)
                else:
                    left -= timedelta(days=int(back))
                record["left_on"] = left.isoformat()
            records.append(record)
            self.moments += self.moments_after(at)[:6]
        return records

    def as_of(self) -> int:
        """A boundary instant (a period's end, a deadline of a fact), a day shortly before a
        period ends (deadlines, measures at risk), or any day."""
        rng = self.rng
        chance = rng.random()
        if chance < 0.3:
            candidates = [
                m
                for m in self.moments
                if start_of(date(2026, 2, 1)) <= m <= start_of(date(2027, 4, 1))
            ]
            return rng.choice(candidates)
        month_end = add_months(date(2026, rng.randint(2, 12), 1), 1) - timedelta(days=1)
        if chance < 0.5:
            return start_of(month_end - timedelta(days=rng.randint(0, 25)))
        if chance < 0.7:
            return start_of(month_end + timedelta(days=rng.randint(1, 20)))
        return start_of(date(2026, 2, 1) + timedelta(days=rng.randint(0, 420)))


def random_case(seed: int) -> Case:
    return Generator(seed).case()


def _facts_of(case: Case) -> list[Fact]:
    facts = [fact_from_record(dict(r), "random.jsonl", n + 1) for n, r in enumerate(case.records)]
    known = [f for f in facts if f.at <= case.as_of]  # as a run reads them: later ones ignored
    return sorted(known, key=lambda f: (f.at, f.id))


def compare(case: Case) -> tuple[set[OracleFinding], set[OracleFinding]]:
    """(evaluator's findings, oracle's findings) of a case, the term's own findings aside."""
    subject = Agreement.model_validate(case.agreement)
    horizon_end = case.as_of + case.horizon_days * SECONDS_PER_DAY
    facts = _facts_of(case)
    result = evaluate_agreement(subject, facts, case.as_of, horizon_end, FACT_PARTIES)
    got = {
        (f.clause, f.kind.value, f.code, f.subject, f.date.isoformat())
        for f in result.findings
        if f.clause != "term"
    }
    # The oracle is given every fact, later ones too: it must leave those out itself.
    every = [fact_from_record(dict(r), "random.jsonl", n + 1) for n, r in enumerate(case.records)]
    expected = oracle_norms(subject, every, FACT_PARTIES, case.as_of, horizon_end)
    return got, expected


SEEDS = range(1000)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_evaluator_agrees_with_the_oracle_on_random_cases(seed: int) -> None:
    case = random_case(seed)
    got, expected = compare(case)
    assert got == expected, (
        f"seed {seed}\nevaluator only: {sorted(got - expected)}\n"
        f"oracle only: {sorted(expected - got)}\n{case.describe()}"
    )


def test_the_random_cases_exercise_every_norm_finding() -> None:
    """The random cases are worth comparing: each code comes up often enough, facts after the
    as-of instant and facts of other partners occur, and norms of every kind are generated."""
    codes: dict[str, int] = {}
    kinds: set[str] = set()
    later_facts = outsiders = 0
    for seed in SEEDS:
        case = random_case(seed)
        for _clause, _kind, code, _subject, _day in compare(case)[1]:
            codes[code] = codes.get(code, 0) + 1
        kinds |= {clause["kind"] for clause in case.agreement["clauses"]}
        later_facts += any(parse_instant(r["at"]) > case.as_of for r in case.records)
        outsiders += any(OUTSIDER in r.values() for r in case.records)
    assert kinds == {"obligation", "prohibition", "measure", "right"}
    for code in (
        "obligation.breached",
        "obligation.due",
        "obligation.ended",
        "prohibition.breached",
        "prohibition.ended",
        "measure.breached",
        "measure.no_data",
        "measure.at_risk",
        "measure.ended",
        "right.arisen",
        "right.closing",
        "right.ended",
    ):
        assert codes.get(code, 0) >= 10, f"{code} comes up {codes.get(code, 0)} times"
    assert later_facts >= 500
    assert outsiders >= 500


def test_a_seed_gives_the_same_case_every_time() -> None:
    first, again = random_case(7), random_case(7)
    assert first.describe() == again.describe()
    assert random_case(8).describe() != first.describe()


# --- (c) the evaluator's bugs the oracle found, as regressions ----------------------------------


def _minimal(
    clauses: list[dict[str, Any]],
    records: list[Record],
    as_of: str,
    horizon_days: int = 30,
    **term: Any,
) -> Case:
    agreement = {
        "agreement": "minimal",
        "title": "Minimal case",
        "parties": ONE_PARTNER,
        "effective": "2026-01-01",
        "expires": "2026-12-31",
        "owner": "legal",
        "clauses": clauses,
        **term,
    }
    return Case(agreement, records, parse_instant(as_of), horizon_days)


CAP = {
    "id": "m",
    "title": "At most one order a month",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "order"},
    "count": True,
    "per": "month",
    "at_most": 1,
}
TWO_ORDERS = [
    {"id": "o1", "type": "order", "at": "2026-06-02T10:00:00Z", "partner": "acme"},
    {"id": "o2", "type": "order", "at": "2026-06-03T10:00:00Z", "partner": "acme"},
]


def test_a_cap_crossed_in_an_open_period_is_dated_at_the_crossing_fact() -> None:
    """While June is open, evaluator and oracle agree: the breach is dated at o2."""
    got, expected = compare(_minimal([CAP], TWO_ORDERS, "2026-06-05"))
    assert got == expected == {("m", "breach", "measure.breached", "2026-06", "2026-06-03")}


def test_a_cap_crossed_in_a_closed_period_is_still_dated_at_the_crossing_fact() -> None:
    got, expected = compare(_minimal([CAP], TWO_ORDERS, "2026-07-05"))
    assert expected == {("m", "breach", "measure.breached", "2026-06", "2026-06-03")}
    assert got == expected


MINIMUM = {
    "id": "m",
    "title": "At least one order a month",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "order"},
    "count": True,
    "per": "month",
    "at_least": 1,
}


def test_facts_before_a_measure_applies_do_not_count() -> None:
    order = {"id": "o1", "type": "order", "at": "2026-01-10T10:00:00Z", "partner": "acme"}
    case = _minimal([MINIMUM], [order], "2026-02-01", effective="2026-01-15")
    got, expected = compare(case)
    # January (from the 15th) had no order: the one of 01-10 came before the agreement. And
    # February, the current period on 02-01 with nothing yet, ends within the horizon: at risk.
    assert expected == {
        ("m", "breach", "measure.breached", "2026-01", "2026-01-31"),
        ("m", "deadline", "measure.at_risk", "2026-02", "2026-02-28"),
    }
    assert got == expected


def test_only_the_current_period_is_at_risk() -> None:
    got, expected = compare(_minimal([MINIMUM], [], "2026-01-20", horizon_days=45))
    assert expected == {("m", "deadline", "measure.at_risk", "2026-01", "2026-01-31")}
    assert got == expected


END_DUTY = [
    {
        "id": "p",
        "title": "No orders",
        "kind": "prohibition",
        "by": "partner",
        "do": {"fact": "order"},
    },
    {
        "id": "e",
        "title": "Notice at the end, unless the partner ordered",
        "kind": "obligation",
        "by": "us",
        "when": "end",
        "do": {"fact": "notice"},
        "within": "10d",
        "ends_when": {"breach_of": "p"},
    },
]


def test_an_ended_obligation_has_no_end_of_term_instance() -> None:
    order = {"id": "o1", "type": "order", "at": "2026-02-10T10:00:00Z", "partner": "acme"}
    got, expected = compare(_minimal(END_DUTY, [order], "2026-07-05", expires="2026-06-30"))
    assert expected == {
        ("p", "breach", "prohibition.breached", "o1", "2026-02-10"),
        ("e", "trigger", "obligation.ended", "ended", "2026-02-10"),
    }
    assert got == expected
