"""Reading fact files: envelope validation, rejects with line numbers, CSV, mapping, ordering."""

from __future__ import annotations

import gc
import io
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from checker.common.diagnostics import Diagnostic, InputError
from checker.dates.timeutil import parse_instant
from checker.facts.mapping import FactMapping, load_mapping
from checker.facts.model import FactCounts
from checker.facts.reading import FactInput, read_facts

# Hand-computed instants. 2026-01-01 is 20454 days after 1970-01-01
# (56 years * 365 + 14 leap days), 2026-02-10 is 40 days later.
JAN_01 = 1_767_225_600  # 2026-01-01T00:00:00Z = 20454 * 86400
FEB_10 = 1_770_681_600  # 2026-02-10T00:00:00Z = 20494 * 86400
FEB_10_10H = FEB_10 + 10 * 3600  # 2026-02-10T10:00:00Z = 1_770_717_600
LATE = 2_000_000_000  # an as-of after every fact in these tests (2033-05-18)

TYPE_HELP = "lowercase letters, digits and '_', in parts joined by '.', like 'deal.closed'"


def fact_line(**fields: Any) -> str:
    return json.dumps(fields)


GOOD = fact_line(id="g1", type="deal.closed", at="2026-02-10T10:00:00Z", partner="initech")


def write(directory: Path, name: str, *lines: str) -> str:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def content(result: FactInput) -> list[tuple[Any, ...]]:
    """Everything about the kept facts except where they were read from."""
    return [(f.id, f.type, f.at, f.partner, f.attrs) for f in result.facts]


def reasons(result: FactInput) -> list[tuple[int, str]]:
    return [(d.line, d.message) for d in result.rejects]


def test_canonical_line_becomes_fact(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts.jsonl",
        '{"id": "f1", "type": "deal.closed", "at": "2026-02-10T10:00:00Z", "partner": "initech",'
        ' "territory": "DE", "amount": 90000, "rate": 12.5, "won": true, "note": null,'
        ' "tags": ["a", 1, false, null]}',
    )

    result = read_facts([path], LATE)

    [fact] = result.facts
    assert (fact.id, fact.type, fact.at, fact.partner) == (
        "f1",
        "deal.closed",
        FEB_10_10H,
        "initech",
    )
    assert fact.attrs == {
        "territory": "DE",
        "amount": 90000,
        "rate": 12.5,
        "won": True,
        "note": None,
        "tags": ["a", 1, False, None],
    }
    assert fact.source == f"{path}:1"
    assert result.rejects == []
    assert result.counts == FactCounts(read=1, accepted=1)


@pytest.mark.parametrize(
    ("at", "epoch"),
    [
        ("2026-02-10T12:00:00+02:00", FEB_10_10H),  # 12:00 at UTC+2 is 10:00 UTC
        ("2026-02-10T04:30:00-05:30", FEB_10_10H),  # 04:30 at UTC-5:30 is 10:00 UTC
        ("2026-02-10T01:00:00+02:00", FEB_10 - 3600),  # 23:00 UTC the day before
        ("2026-02-10T10:00:00Z", FEB_10_10H),
        ("2026-02-10T10:00:00.900Z", FEB_10_10H),  # fractions of a second are dropped
        ("2026-02-10", FEB_10),  # a bare date is 00:00 UTC
        ("2026-01-01", JAN_01),
    ],
)
def test_at_is_converted_to_utc_epoch_seconds(tmp_path: Path, at: str, epoch: int) -> None:
    path = write(tmp_path, "facts.jsonl", fact_line(id="f1", type="deal.closed", at=at))

    [fact] = read_facts([path], LATE).facts

    assert fact.at == epoch


@pytest.mark.parametrize(
    "at",
    [
        "2026-02-10T10:00:00Z",
        "2026-02-10T10:00:00.999999+05:45",
        "2026-02-10 10:00:00+00:00",
        "2026-02-10T10:00Z",
        " 2026-02-10T10:00:00Z ",
        " 2026-02-10",
        "1969-12-31T23:59:59.5Z",  # -0.5 s truncates to 0, as parse_instant does
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-05:00",
    ],
)
def test_at_agrees_with_timeutil_parse_instant(tmp_path: Path, at: str) -> None:
    path = write(tmp_path, "facts.jsonl", fact_line(id="f1", type="deal.closed", at=at))

    result = read_facts([path], 300_000_000_000)

    assert [f.at for f in result.facts] == [parse_instant(at)]


def test_integer_id_becomes_its_decimal_string_and_partner_is_optional(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts.jsonl",
        fact_line(id=42, type="deal.closed", at="2026-02-10"),
        fact_line(id="f2", type="deal.closed", at="2026-02-10", partner=None),
    )

    result = read_facts([path], LATE)

    assert [(f.id, f.partner) for f in result.facts] == [("42", None), ("f2", None)]


# The reason is Python's own json message: 3.13 names a trailing comma and points at it.
TRAILING_COMMA = (
    "not JSON: Illegal trailing comma before end of object at column 12"
    if sys.version_info >= (3, 13)
    else "not JSON: Expecting property name enclosed in double quotes at column 13"
)

BAD_LINES = [
    ('{"id": "x" "type": 1}', "not JSON: Expecting ',' delimiter at column 12"),
    ('{"id": "f1",}', TRAILING_COMMA),
    ("nope", "not JSON: Expecting value at column 1"),
    ('{"id": "f1"} {}', "not JSON: Extra data at column 14"),
    (
        '{"id": "f1", "type": "deal.closed", "at": "2026-02-10", "amount": NaN}',
        "not JSON: NaN is not a JSON number",
    ),
    ("[1, 2]", "not an object: the line is a list"),
    ('"f1"', "not an object: the line is a string"),
    ("17", "not an object: the line is a number"),
    (fact_line(id="f1", type="deal.closed"), "missing field 'at'"),
    (fact_line(at="2026-02-10"), "missing fields 'id', 'type'"),
    (fact_line(id="", type="deal.closed", at="2026-02-10"), "'id' is empty"),
    (fact_line(id="  ", type="deal.closed", at="2026-02-10"), "'id' is empty"),
    (
        fact_line(id=True, type="deal.closed", at="2026-02-10"),
        "'id' must be a string or an integer, got a boolean",
    ),
    (
        fact_line(id=1.5, type="deal.closed", at="2026-02-10"),
        "'id' must be a string or an integer, got a number",
    ),
    (
        fact_line(id=None, type="deal.closed", at="2026-02-10"),
        "'id' must be a string or an integer, got null",
    ),
    (
        fact_line(id="f1", type="Deal.Closed", at="2026-02-10"),
        f"'type' 'Deal.Closed' is not a dotted name ({TYPE_HELP})",
    ),
    (
        fact_line(id="f1", type="deal..closed", at="2026-02-10"),
        f"'type' 'deal..closed' is not a dotted name ({TYPE_HELP})",
    ),
    (
        fact_line(id="f1", type="deal.closed ", at="2026-02-10"),
        f"'type' 'deal.closed ' is not a dotted name ({TYPE_HELP})",
    ),
    (
        fact_line(id="f1", type=["deal.closed"], at="2026-02-10"),
        "'type' must be a string, got a list",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="2026-02-10T10:00:00"),
        "'at' has no UTC offset: '2026-02-10T10:00:00' (add 'Z' or an offset like '+01:00')",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="2026-02-30"),
        "'at' is not an ISO-8601 instant or date: '2026-02-30' (day is out of range for month)",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="2026-02-30T10:00:00Z"),
        "'at' is not an ISO-8601 instant or date: '2026-02-30T10:00:00Z'"
        " (day is out of range for month)",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="last tuesday"),
        "'at' is not an ISO-8601 instant or date: 'last tuesday'"
        " (Invalid isoformat string: 'last tuesday')",
    ),
    (
        fact_line(id="f1", type="deal.closed", at=1770717600),
        "'at' must be a string (an ISO-8601 instant with offset, or a date), got a number",
    ),
    (
        fact_line(id="f1", type="deal.closed", at=None),
        "'at' must be a string (an ISO-8601 instant with offset, or a date), got null",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="2026-02-10", partner=7),
        "'partner' must be a non-empty string, got a number",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="2026-02-10", partner=""),
        "'partner' must be a non-empty string, got an empty string",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="2026-02-10", meta={"owner": "ann"}),
        "field 'meta' is an object; attribute values must be strings, numbers, booleans,"
        " nulls or lists of those",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="2026-02-10", tags=["a", {"b": 1}]),
        "field 'tags' is a list containing an object; a list may hold only strings, numbers,"
        " booleans and nulls",
    ),
    (
        fact_line(id="f1", type="deal.closed", at="2026-02-10", tags=[[1]]),
        "field 'tags' is a list containing a list; a list may hold only strings, numbers,"
        " booleans and nulls",
    ),
]


@pytest.mark.parametrize(("bad_line", "reason"), BAD_LINES)
def test_bad_line_is_rejected_with_reason_and_line_and_reading_goes_on(
    tmp_path: Path, bad_line: str, reason: str
) -> None:
    after = fact_line(id="g2", type="deal.closed", at="2026-02-10T11:00:00Z")
    path = write(tmp_path, "facts.jsonl", GOOD, "", bad_line, after)

    result = read_facts([path], LATE)

    assert result.rejects == [Diagnostic(path, 3, 0, reason)]
    assert [(f.id, f.source) for f in result.facts] == [("g1", f"{path}:1"), ("g2", f"{path}:4")]
    assert result.counts == FactCounts(read=3, accepted=2, rejected=1)


def test_undecodable_bytes_reject_only_their_line(tmp_path: Path) -> None:
    path = tmp_path / "facts.jsonl"
    bad = b'{"id": "f1", "type": "deal.closed", "at": "2026-02-10", "who": "M\xfcller"}'
    good = fact_line(id="g2", type="deal.closed", at="2026-02-10", who="Müller")
    path.write_bytes(GOOD.encode() + b"\n" + bad + b"\n" + good.encode("utf-8") + b"\n")

    result = read_facts([str(path)], LATE)

    # 13 + 23 + 20 characters of fields, then '"who": "M' ends at column 65.
    assert reasons(result) == [(2, "not UTF-8: byte 0xfc at column 66")]
    assert [(f.id, f.attrs) for f in result.facts] == [
        ("g2", {"who": "Müller"}),
        ("g1", {}),
    ]


def test_blank_lines_crlf_bom_and_surrounding_whitespace_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "facts.jsonl"
    text = (
        "\ufeff" + fact_line(id="f1", type="deal.closed", at="2026-02-10") + "\r\n"
        "\r\n"
        "   \t\n"
        "  " + fact_line(id="f2", type="deal.closed", at="2026-02-10") + "  \r\n"
    )
    path.write_bytes(text.encode("utf-8"))

    result = read_facts([str(path)], LATE)

    assert [f.source for f in result.facts] == [f"{path}:1", f"{path}:4"]
    assert result.counts == FactCounts(read=2, accepted=2)


def test_identical_repeat_is_counted_once_and_different_repeat_is_rejected(
    tmp_path: Path,
) -> None:
    first = write(
        tmp_path,
        "a.jsonl",
        fact_line(id="f1", type="deal.closed", at="2026-02-10T10:00:00Z", amount=90000),
        # the same content: keys in another order, the same instant at +02:00, 90000 as 90000.0
        fact_line(amount=90000.0, at="2026-02-10T12:00:00+02:00", type="deal.closed", id="f1"),
        fact_line(id="f1", type="deal.closed", at="2026-02-10T10:00:00Z", amount=95000),
    )
    second = write(
        tmp_path,
        "b.jsonl",
        # true is not the number 1: a different fact under a used id
        fact_line(id="f2", type="deal.closed", at="2026-02-10", flag=1),
        fact_line(id="f2", type="deal.closed", at="2026-02-10", flag=True),
        fact_line(id="f1", type="deal.closed", at="2026-02-10T10:00:00Z", amount=90000),
        fact_line(id="f1", type="deal.closed", at="2026-02-10T10:00:00Z", partner="initech"),
    )

    result = read_facts([first, second], LATE)

    assert [(f.id, f.attrs, f.source) for f in result.facts] == [
        ("f2", {"flag": 1}, f"{second}:1"),
        ("f1", {"amount": 90000}, f"{first}:1"),
    ]
    assert result.rejects == [
        Diagnostic(first, 3, 0, f"id 'f1' already used at {first}:1 with different content"),
        Diagnostic(second, 2, 0, f"id 'f2' already used at {second}:1 with different content"),
        Diagnostic(second, 4, 0, f"id 'f1' already used at {first}:1 with different content"),
    ]
    assert result.counts == FactCounts(read=7, accepted=2, rejected=3, duplicates=2)


def test_rejected_line_does_not_claim_its_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts.jsonl",
        fact_line(id="f1", type="deal.closed", at="2026-02-30"),
        fact_line(id="f1", type="deal.closed", at="2026-02-10"),
    )

    result = read_facts([path], LATE)

    assert [f.source for f in result.facts] == [f"{path}:2"]
    assert result.counts == FactCounts(read=2, accepted=1, rejected=1)


def test_as_of_keeps_the_exact_instant_and_drops_one_second_later(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts.jsonl",
        fact_line(id="on-time", type="deal.closed", at="2026-02-10T12:00:00+02:00"),
        fact_line(id="late", type="deal.closed", at="2026-02-10T12:00:01+02:00"),
        fact_line(id="early", type="deal.closed", at="2026-02-10"),
        # a later fact is valid, so its id is still taken
        fact_line(id="late", type="deal.closed", at="2026-02-10T12:00:01+02:00"),
        fact_line(id="late", type="deal.closed", at="2026-02-10T09:00:00Z"),
    )

    result = read_facts([path], as_of=FEB_10_10H)

    assert [(f.id, f.at) for f in result.facts] == [("early", FEB_10), ("on-time", FEB_10_10H)]
    assert reasons(result) == [
        (5, f"id 'late' already used at {path}:2 with different content"),
    ]
    assert result.counts == FactCounts(read=5, accepted=2, rejected=1, duplicates=1, after_as_of=1)


def test_facts_are_sorted_by_at_then_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts.jsonl",
        fact_line(id="b", type="deal.closed", at="2026-02-10T10:00:00Z"),
        fact_line(id="c", type="deal.closed", at="2026-01-01"),
        fact_line(id="a", type="deal.closed", at="2026-02-10T12:00:00+02:00"),
        fact_line(id="a0", type="deal.closed", at="2026-02-10"),
    )

    result = read_facts([path], LATE)

    assert [(f.at, f.id) for f in result.facts] == [
        (JAN_01, "c"),
        (FEB_10, "a0"),
        (FEB_10_10H, "a"),
        (FEB_10_10H, "b"),
    ]


def test_shuffled_input_gives_identical_output(tmp_path: Path) -> None:
    lines = [
        fact_line(
            id=f"f{number}",
            type="deal.closed" if number % 2 else "lead.created",
            at=f"2026-02-{10 + number % 3:02d}T10:00:00Z",  # many facts share an instant
            partner=f"p{number % 4}",
            amount=number * 100,
        )
        for number in range(40)
    ]
    repeat_of_f7 = fact_line(
        id="f7", type="deal.closed", at="2026-02-11T10:00:00Z", partner="p3", amount=700
    )
    lines += [repeat_of_f7, "not json", fact_line(id="x", type="Bad", at="2026-02-10")]
    shuffled = list(lines)
    random.Random(7).shuffle(shuffled)
    assert shuffled != lines

    ordered = read_facts([write(tmp_path, "ordered.jsonl", *lines)], LATE)
    mixed = read_facts([write(tmp_path, "mixed.jsonl", *shuffled)], LATE)

    assert content(mixed) == content(ordered)
    assert (
        mixed.counts == ordered.counts == FactCounts(read=43, accepted=40, rejected=2, duplicates=1)
    )
    assert sorted(d.message for d in mixed.rejects) == sorted(d.message for d in ordered.rejects)
    assert [f.id for f in ordered.facts[:5]] == ["f0", "f12", "f15", "f18", "f21"]
    again = read_facts([write(tmp_path, "ordered.jsonl", *lines)], LATE)
    assert content(again) == content(ordered)
    assert [f.source for f in again.facts] == [f.source for f in ordered.facts]
    assert again.rejects == ordered.rejects


def test_counts_add_up(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts.jsonl",
        GOOD,
        GOOD,  # duplicate
        "{",  # rejected
        "",  # blank: not read
        fact_line(id="g9", type="deal.closed", at="2027-01-01"),  # after as-of
        fact_line(id="g2", type="deal.closed", at="2026-02-11"),
    )

    counts = read_facts([path], as_of=FEB_10 + 2 * 86_400).counts

    assert counts == FactCounts(read=5, accepted=2, rejected=1, duplicates=1, after_as_of=1)
    assert counts.read == counts.accepted + counts.rejected + counts.duplicates + counts.after_as_of


CSV_TEXT = (
    "id,type,at,partner,amount,rate,delta,won,lost,code,big,plus,upper,note,empty\n"  # 1
    "1001,deal.closed,2026-02-10T10:00:00Z,initech,90000,12.5,-3,true,false,007,1e3,+5,TRUE,"
    '"hello, world",\n'  # 2
    "\n"  # 3: blank
    'f2,deal.closed,2026-02-10,,0,0.0,-0.5,,,x,,,,"two\n'  # 4: a quoted cell...
    'lines",\n'  # 5: ...spanning two physical lines
    "f3,deal.closed,2026-02-31,initech,1,,,,,,,,,,\n"  # 6: impossible date
    "f4,deal.closed\n"  # 7: too few cells
    ",,,,,,,,,,,,,,\n"  # 8: every cell empty, like a blank line
    "f5,deal.closed,2026-01-01,initech,,,,,,,,,,,\n"  # 9
)


def test_csv_cells_become_numbers_booleans_or_text_with_physical_line_numbers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")

    result = read_facts([str(path)], LATE)

    assert [(f.id, f.partner, f.attrs, f.source) for f in result.facts] == [
        ("f5", "initech", {}, f"{path}:9"),
        (
            "f2",
            None,
            {"amount": 0, "rate": 0.0, "delta": -0.5, "code": "x", "note": "two\nlines"},
            f"{path}:4",
        ),
        (
            "1001",  # envelope cells are never converted: the id stays a string
            "initech",
            {
                "amount": 90000,
                "rate": 12.5,
                "delta": -3,
                "won": True,
                "lost": False,
                "code": "007",  # not a JSON number
                "big": 1000.0,
                "plus": "+5",
                "upper": "TRUE",
                "note": "hello, world",
            },
            f"{path}:2",
        ),
    ]
    assert type(result.facts[2].attrs["amount"]) is int
    assert type(result.facts[2].attrs["big"]) is float
    assert reasons(result) == [
        (
            6,
            "'at' is not an ISO-8601 instant or date: '2026-02-31' (day is out of range for month)",
        ),
        (7, "row has 2 cells but the header has 15 columns"),
    ]
    assert result.counts == FactCounts(read=5, accepted=3, rejected=2)


def test_empty_and_header_only_csv_files_give_nothing(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.csv")
    header_only = write(tmp_path, "header.csv", "id,type,at")

    result = read_facts([empty, header_only], LATE)

    assert (result.facts, result.rejects, result.counts) == ([], [], FactCounts())


def test_csv_header_naming_a_column_twice_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "deals.csv", "id,type,at,id", "f1,deal.closed,2026-02-10,f2")

    with pytest.raises(InputError) as raised:
        read_facts([path], LATE)

    assert raised.value.diagnostics == [
        Diagnostic(path, 1, 0, "the header names column 'id' twice")
    ]


def test_csv_cell_under_unnamed_column_is_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "deals.csv",
        "id,type,at,",
        "f1,deal.closed,2026-02-10,",
        "f2,deal.closed,2026-02-10,stray",
    )

    result = read_facts([path], LATE)

    assert [f.id for f in result.facts] == ["f1"]
    assert reasons(result) == [(3, "cell 4 has a value but its column has no name")]


def test_directory_reads_jsonl_ndjson_json_and_csv_recursively_in_sorted_order(
    tmp_path: Path,
) -> None:
    root = tmp_path / "facts"
    write(root, "b.jsonl", fact_line(id="b1", type="deal.closed", at="2026-02-10"), "oops")
    write(root, "a.csv", "id,type,at,amount", "a1,deal.closed,2026-02-10,5", "a2,Bad,2026-02-10,")
    write(root, "sub/c.ndjson", fact_line(id="c1", type="deal.closed", at="2026-02-10"))
    write(root, "sub/d.json", fact_line(id="d1", type="deal.closed", at="2026-01-01"))
    write(root, "sub/E.CSV", "id,type,at", "e1,deal.closed,2026-02-10")
    write(root, "notes.txt", "not a fact file")
    write(root, "README.md", "# not a fact file")

    result = read_facts([str(root)], LATE)

    assert [(f.id, f.attrs, f.source) for f in result.facts] == [
        ("d1", {}, f"{root}/sub/d.json:1"),
        ("a1", {"amount": 5}, f"{root}/a.csv:2"),
        ("b1", {}, f"{root}/b.jsonl:1"),
        ("c1", {}, f"{root}/sub/c.ndjson:1"),
        ("e1", {}, f"{root}/sub/E.CSV:2"),
    ]
    assert [(d.path, d.line) for d in result.rejects] == [
        (f"{root}/a.csv", 3),
        (f"{root}/b.jsonl", 2),
    ]
    assert result.counts == FactCounts(read=7, accepted=5, rejected=2)


def test_directory_path_is_joined_as_the_user_gave_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "facts", "a.jsonl", GOOD)
    monkeypatch.chdir(tmp_path)

    result = read_facts(["facts/"], LATE)

    assert [f.source for f in result.facts] == ["facts/a.jsonl:1"]


def test_named_file_is_csv_only_by_its_extension(tmp_path: Path) -> None:
    as_json = write(tmp_path, "export.txt", GOOD)
    as_csv = write(tmp_path, "export.CSV", "id,type,at", "c1,deal.closed,2026-02-10")

    result = read_facts([as_json, as_csv], LATE)

    assert [f.id for f in result.facts] == ["c1", "g1"]


def test_missing_paths_raise_one_input_error_naming_each(tmp_path: Path) -> None:
    good = write(tmp_path, "facts.jsonl", GOOD)
    missing = str(tmp_path / "nope.jsonl")
    also_missing = str(tmp_path / "gone")

    with pytest.raises(InputError) as raised:
        read_facts([missing, good, also_missing], LATE)

    assert raised.value.diagnostics == [
        Diagnostic(missing, 0, 0, "cannot read: no such file or directory"),
        Diagnostic(also_missing, 0, 0, "cannot read: no such file or directory"),
    ]
    assert gc.isenabled()


def test_stdin_text_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n\n{bad\n"))

    result = read_facts(["-"], LATE)

    assert [f.source for f in result.facts] == ["<stdin>:1"]
    assert result.rejects == [
        Diagnostic(
            "<stdin>",
            3,
            0,
            "not JSON: Expecting property name enclosed in double quotes at column 2",
        )
    ]


def test_stdin_bytes_with_bom_and_bad_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\xef\xbb\xbf" + GOOD.encode() + b'\n{"id": "\xff"}\n'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    result = read_facts(["-"], LATE)

    assert [f.id for f in result.facts] == ["g1"]
    assert reasons(result) == [(2, "not UTF-8: byte 0xff at column 9")]


MAPPING = FactMapping(
    fields={
        "Deal ID": "id",
        "Closed At": "at",
        "Account Owner": "partner",
        "Amount": "amount",
    },
    types={"Closed Won": "deal.closed", "Registered": "deal.registered"},
    type_field="Stage",
    defaults={"partner": "initech", "currency": "EUR"},
)
NOT_LISTED = (
    f"'type' 'Closed Lost' is not a dotted name ({TYPE_HELP}) and the mapping's types do not"
    " list it"
)


def test_mapping_renames_csv_columns_translates_types_and_adds_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "crm-export.csv",
        "Deal ID,Stage,Closed At,Account Owner,Amount,Region",
        "D-1,Closed Won,2026-02-10T12:00:00+02:00,globex,90000,EMEA",
        "D-2,Registered,2026-02-10,,1200.5,",
        "D-3,Closed Lost,2026-02-10,globex,5,",
        "D-4,deal.closed,2026-01-01,globex,7,",  # already a fact type: kept as it is
    )

    result = read_facts([path], LATE, MAPPING)

    assert content(result) == [
        ("D-4", "deal.closed", JAN_01, "globex", {"amount": 7, "currency": "EUR"}),
        ("D-2", "deal.registered", FEB_10, "initech", {"amount": 1200.5, "currency": "EUR"}),
        (
            "D-1",
            "deal.closed",
            FEB_10_10H,
            "globex",
            {"amount": 90000, "Region": "EMEA", "currency": "EUR"},
        ),
    ]
    assert reasons(result) == [(4, NOT_LISTED)]


def test_mapping_applies_to_json_lines_alike(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "crm-export.jsonl",
        json.dumps({"Deal ID": 7, "Stage": "Closed Won", "Closed At": "2026-02-10", "Amount": 5}),
        json.dumps({"Deal ID": "D-2", "Stage": "Closed Lost", "Closed At": "2026-02-10"}),
        json.dumps({"Deal ID": "D-3", "Stage": "Closed Won"}),
        json.dumps({"Deal ID": "D-4", "id": "x", "Stage": "Closed Won", "Closed At": "2026-02-10"}),
        json.dumps(
            {
                "Deal ID": "D-5",
                "Stage": "Registered",
                "Closed At": "2026-02-10",
                "Account Owner": None,
                "currency": "USD",
            }
        ),
    )

    result = read_facts([path], LATE, MAPPING)

    assert content(result) == [
        ("7", "deal.closed", FEB_10, "initech", {"amount": 5, "currency": "EUR"}),
        ("D-5", "deal.registered", FEB_10, "initech", {"currency": "USD"}),
    ]
    assert reasons(result) == [
        (2, NOT_LISTED),
        (3, "missing field 'at' ('at' is read from 'Closed At')"),
        (4, "'Deal ID' and 'id' both map to 'id'"),
    ]


def test_mapping_that_gives_two_csv_columns_one_name_is_an_input_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, "export.csv", "Deal ID,id,Stage,Closed At", "D-1,x,Closed Won,2026-02-10"
    )

    with pytest.raises(InputError) as raised:
        read_facts([path], LATE, MAPPING)

    assert raised.value.diagnostics == [
        Diagnostic(path, 1, 0, "columns 'Deal ID' and 'id' both map to 'id'")
    ]


def test_load_mapping_reads_yaml(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(
        "type_field: Stage\n"
        "fields:\n"
        "  Deal ID: id\n"
        "  Closed At: at\n"
        "  Account Owner: partner\n"
        "  Amount: amount\n"
        "types:\n"
        "  Closed Won: deal.closed\n"
        "  Registered: deal.registered\n"
        "defaults:\n"
        "  partner: initech\n"
        "  currency: EUR\n",
        encoding="utf-8",
    )

    assert load_mapping(str(path)) == MAPPING


@pytest.mark.parametrize(
    ("text", "diagnostic"),
    [
        ("fields: [a\n", (2, 1, "not valid YAML: expected ',' or ']', but got '<stream end>'")),
        (
            "- id\n",
            (
                1,
                0,
                "a fact mapping must be a YAML mapping with fields, types, type_field, defaults",
            ),
        ),
        ("feilds: {}\n", (0, 0, "unknown key 'feilds' (use fields, types, type_field, defaults)")),
        (
            "types: {Won: Deal Closed}\n",
            (0, 0, f"types: 'Won' maps to 'Deal Closed', which is not a fact type ({TYPE_HELP})"),
        ),
        (
            "fields: {A: id, B: id}\n",
            (0, 0, "'A' and 'B' both map to 'id'"),
        ),
        (
            "type_field: Stage\nfields: {Stage: kind}\n",
            (0, 0, "type_field 'Stage' holds the type, but fields renames it to 'kind'"),
        ),
        (
            "defaults: {id: x}\n",
            (0, 0, "defaults: a default 'id' would give every fact the same id"),
        ),
        (
            "defaults: {region: [EMEA]}\n",
            (0, 0, "defaults.region.str: Input should be a valid string"),
        ),
    ],
)
def test_load_mapping_problems_name_the_file(
    tmp_path: Path, text: str, diagnostic: tuple[int, int, str]
) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(InputError) as raised:
        load_mapping(str(path))

    line, column, message = diagnostic
    assert raised.value.diagnostics[0] == Diagnostic(str(path), line, column, message)


def test_load_mapping_missing_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")

    with pytest.raises(InputError) as raised:
        load_mapping(missing)

    assert raised.value.diagnostics == [
        Diagnostic(missing, 0, 0, "cannot read: No such file or directory")
    ]


def test_garbage_collection_is_back_on_after_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "facts.jsonl", GOOD)

    read_facts([path], LATE)

    assert gc.isenabled()


# Bad input that must not reach a report: every case is rejected at read time, by line.


def test_escaped_surrogate_pair_is_a_character_and_a_lone_half_is_rejected(tmp_path: Path) -> None:
    pair = '{"id": "p1", "type": "deal.closed", "at": "2026-02-10", "who": "\\ud83d\\ude00"}'
    lone = '{"id": "p2", "type": "deal.closed", "at": "2026-02-10", "who": "bad\\ud800name"}'
    reversed_pair = '{"id": "p3", "type": "deal.closed", "at": "2026-02-10", "tags": ["\\uDE00"]}'
    path = write(tmp_path, "facts.jsonl", pair, lone, reversed_pair)

    result = read_facts([path], LATE)

    assert [(f.id, f.attrs) for f in result.facts] == [("p1", {"who": "\U0001f600"})]
    half = "(half of a UTF-16 pair, not a character: write the character itself, or both halves"
    assert reasons(result) == [
        (2, f"lone surrogate '\\ud800' in field 'who' {half} of its pair)"),
        (3, f"lone surrogate '\\ude00' in field 'tags' {half} of its pair)"),
    ]


def test_a_repeated_key_is_rejected_wherever_it_is(tmp_path: Path) -> None:
    spaced = '{ "id" : "r1", "type" : "usage.reported", "at" : "2026-03-01", "seats" : 1 }'
    colon_in_text = '{"id": "r2", "type": "a.b", "at": "2026-03-01", "note": "x\\": y"}'
    lines = [
        '{"id": "r0", "type": "usage.reported", "at": "2026-03-01", "seats": 999, "seats": 1}',
        spaced,
        colon_in_text,
        '{"id": "r3", "type": "a.b", "at": "2026-03-01", "more": {"k": 1, "k": 2}}',
    ]
    path = write(tmp_path, "facts.jsonl", *lines)

    result = read_facts([path], LATE)

    assert sorted(f.id for f in result.facts) == ["r1", "r2"]
    repeated = "an object names each key once, and which of its values is meant cannot be told"
    assert reasons(result) == [
        (1, f"repeated key 'seats': {repeated}"),
        (4, f"repeated key 'k': {repeated}"),
    ]


def test_numbers_beyond_64_bits_are_rejected_naming_the_field(tmp_path: Path) -> None:
    lines = [
        fact_line(id="n1", type="a.b", at="2026-03-01", seats=2**63 - 1, low=-(2**63)),
        fact_line(id="n2", type="a.b", at="2026-03-01", seats=2**63),
        '{"id": "n3", "type": "a.b", "at": "2026-03-01", "rate": 1e400}',
        '{"id": "n4", "type": "a.b", "at": "2026-03-01", "rate": 1e300, "ids": [1, '
        + "9" * 30
        + "]}",
        '{"id": ' + "7" * 40 + ', "type": "a.b", "at": "2026-03-01"}',
        '{"id": "n6", "type": "a.b", "at": "2026-03-01", "n": ' + "1" * 5000 + "}",
    ]
    path = write(tmp_path, "facts.jsonl", *lines)

    result = read_facts([path], LATE)

    assert sorted((f.id, f.attrs) for f in result.facts) == [
        ("7" * 40, {}),  # an id is text: its digits are kept as written
        ("n1", {"seats": 2**63 - 1, "low": -(2**63)}),
    ]
    limits = "integers must lie between -9223372036854775808 and 9223372036854775807"
    assert reasons(result) == [
        (2, f"field 'seats' holds a number too large to check (19 digits; {limits})"),
        (3, "field 'rate' holds a number too large to check (beyond 1.79769e+308)"),
        (4, f"field 'ids' holds a number too large to check (30 digits; {limits})"),
        (6, f"not JSON: a number with more than {sys.get_int_max_str_digits()} digits"),
    ]


def test_csv_numbers_the_engine_cannot_check_stay_text(tmp_path: Path) -> None:
    big = "9" * 400
    path = write(
        tmp_path,
        "usage.csv",
        "id,type,at,seats,account,rate",
        "u1,a.b,2026-03-01,9223372036854775807,-9223372036854775808,1e308",
        f"u2,a.b,2026-03-01,{big},12345678901234567890,1e400",
    )

    result = read_facts([path], LATE)

    assert [(f.id, f.attrs) for f in result.facts] == [
        ("u1", {"seats": 2**63 - 1, "account": -(2**63), "rate": 1e308}),
        ("u2", {"seats": big, "account": "12345678901234567890", "rate": "1e400"}),
    ]


def test_unterminated_csv_quote_is_rejected_and_the_lines_it_took_are_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(
        "id,type,at,note\n"
        'q1,a.b,2026-03-01,"two\nlines"\n'  # a quoted cell may span lines
        'q2,a.b,2026-03-01,"never closed\n'
        "q3,a.b,2026-03-02,fine\n"
        "q4,a.b,2026-03-03,\n"
        'q5,a.b,2026-03-04,"closed"\n'
        'q6,a.b,2026-03-05,"at the end\n',
        encoding="utf-8",
    )

    result = read_facts([str(path)], LATE)

    assert [(f.id, f.source.rsplit(":", 1)[1]) for f in result.facts] == [
        ("q1", "2"),
        ("q3", "5"),
        ("q4", "6"),
        ("q5", "7"),
    ]
    # The quote opened on line 4 pairs with the first quote of line 7, where a ',' must follow.
    assert reasons(result) == [
        (
            4,
            "not CSV: a quoted cell starting on this line is not closed where it should be:"
            " ',' expected after '\"' 3 lines further on (it would swallow the 3 lines after"
            " it, which are read on their own)",
        ),
        (8, "not CSV: a quoted cell starting on this line is never closed"),
    ]
    assert result.counts == FactCounts(read=6, accepted=4, rejected=2)


def test_rows_under_a_csv_header_that_is_not_utf8_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(b"id,type,at,terr\xe9tory\nd1,a.b,2026-03-01,DE\nd2,a.b,2026-03-02,AT\n")
    other = write(tmp_path, "other.jsonl", GOOD)

    result = read_facts([str(path), other], LATE)

    assert [f.id for f in result.facts] == ["g1"]
    reason = "the header (line 1) is not UTF-8: byte 0xe9 at column 16"
    assert reasons(result) == [(2, reason), (3, reason)]
    assert result.counts == FactCounts(read=3, accepted=1, rejected=2)


def test_closed_stdin_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)

    with pytest.raises(InputError) as raised:
        read_facts(["-"], LATE)

    assert raised.value.diagnostics == [
        Diagnostic("<stdin>", 0, 0, "cannot read: standard input is closed")
    ]


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    (tmp_path / "caf\udce9.jsonl").write_text(GOOD + "\n", encoding="utf-8")

    result = read_facts([str(tmp_path)], LATE)

    assert [f.source for f in result.facts] == [f"{tmp_path}/caf\\xe9.jsonl:1"]
