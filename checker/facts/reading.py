"""Reads fact files (JSON lines, CSV) into validated, sorted facts and a reason per bad line."""

from __future__ import annotations

import csv
import errno
import json
import math
import operator
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from checker.common.diagnostics import Diagnostic, InputError
from checker.common.text_checks import LONE_SURROGATE
from checker.dates.timeutil import parse_instant
from checker.facts.inputs import InputFile, input_files
from checker.facts.model import ENVELOPE_FIELDS, Fact, FactCounts, Scalar, recorded_instant
from checker.facts.store import FactStore, KeepAll, RoutedFacts

if TYPE_CHECKING:
    from checker.facts.mapping import FactMapping

TYPE_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
TYPE_NAME_HELP = "lowercase letters, digits and '_', in parts joined by '.', like 'deal.closed'"
# A CSV cell is a number only when JSON would read it as one ("007", "+3" and "1_000" stay text).
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_NUMBER_START = frozenset("-0123456789")
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})
# The engine checks integers of 64 bits; a longer one crashes the agreement's evaluation.
_SMALLEST_INTEGER = -(2**63)
_LARGEST_INTEGER = 2**63 - 1
_ENVELOPE = frozenset(ENVELOPE_FIELDS)
# Parsed `at` strings are memoised per call; the bound keeps memory flat on inputs where every
# timestamp is distinct, while exports with date-only or repeated timestamps parse each once.
_AT_CACHE_LIMIT = 4_096
_MISSING: Any = object()
_fromisoformat = datetime.fromisoformat
_by_at = operator.attrgetter("at")
_by_id = operator.attrgetter("id")


# A fact line is an object of scalars and lists of scalars (2 levels); one nested deeper than this
# is refused before it is decoded.
MAX_NESTING = 64


@dataclass(slots=True)
class FactInput:
    """The outcome of reading fact inputs: kept facts, one diagnostic per bad line, and counts."""

    facts: list[Fact]  # accepted facts with at <= as_of, sorted by (at, id)
    rejects: list[Diagnostic]  # one per bad line: path, line, reason (column 0); by path, line
    counts: FactCounts  # read == accepted + rejected + duplicates + after_as_of


def read_facts(paths: Sequence[str], as_of: int, mapping: FactMapping | None = None) -> FactInput:
    """Every fact from `paths` (files, directories, or "-" for stdin) as of `as_of`, in memory.

    For small inputs and tools; a run streams facts into a routing FactStore instead.
    """
    with FactStore(KeepAll(), as_of) as store:
        streamed = stream_facts(paths, store.add, mapping)
        store.finish(streamed.counts, streamed.rejects)
        facts = RoutedFacts(store.path)
        try:
            streamed.facts = facts.facts_of(0)
        finally:
            facts.close()
    return streamed


def stream_facts(
    paths: Sequence[str],
    sink: Callable[[Fact], None],
    mapping: FactMapping | None = None,
    on_file: Callable[[int], None] | None = None,
) -> FactInput:
    """Pass every valid fact from `paths` to `sink`, in reading order.

    Bad lines become diagnostics and reading goes on; a path that cannot be read raises
    InputError with a diagnostic for every such path. The result has no facts: the as-of cut,
    `counts.accepted` and repeated ids are settled by the sink's owner (FactStore.finish).
    """
    return read_inputs(list(enumerate(input_files(paths))), sink, mapping, on_file)


def read_inputs(
    inputs: Sequence[tuple[int, InputFile]],
    sink: Callable[[Fact], None],
    mapping: FactMapping | None = None,
    on_file: Callable[[int], None] | None = None,
) -> FactInput:
    """`stream_facts` over numbered input files; `on_file(number)` is called as each begins."""
    reader = _Reader(mapping, sink)
    problems: list[Diagnostic] = []
    for number, (display, real, is_csv) in inputs:
        if on_file is not None:
            on_file(number)
        try:
            _read_one(reader, display, real, is_csv)
        except OSError as error:
            problems.append(Diagnostic(display, 0, 0, f"cannot read: {error.strerror}"))
        except _UnusableFileError as problem:
            problems.append(problem.diagnostic)
    if problems:
        raise InputError(problems)
    return FactInput([], reader.rejects, reader.counts)


def _read_one(reader: _Reader, display: str, real: str | None, is_csv: bool) -> None:
    if real is None and is_csv:
        reader.read_csv(display, _stdin_lines())
    elif real is None:
        reader.read_json_lines(display, _stdin_lines())
    elif is_csv:
        with open(real, newline="", encoding="utf-8-sig", errors="surrogateescape") as stream:
            reader.read_csv(display, stream)
    else:
        with open(real, encoding="utf-8-sig", errors="surrogateescape") as stream:
            reader.read_json_lines(display, stream)


def _stdin_lines() -> Iterator[str]:
    if sys.stdin is None:  # started with file descriptor 0 closed (`<&-`)
        raise OSError(errno.EBADF, "standard input is closed")
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (tests, embedding)
        yield from sys.stdin
        return
    first = True
    for raw in buffer:
        line = raw.decode("utf-8", "surrogateescape")
        if first:
            line = line.removeprefix("\ufeff")
            first = False
        yield line


class _RejectedLineError(Exception):
    """A line is bad; carries the reason shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _UnusableFileError(Exception):
    """A whole file cannot be interpreted (e.g. a CSV header naming a column twice)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _NonFiniteNumberError(ValueError):
    def __init__(self, constant: str) -> None:
        super().__init__(constant)
        self.constant = constant


def _reject_non_finite(constant: str) -> Any:
    raise _NonFiniteNumberError(constant)


class _LongNumberError(ValueError):
    """A JSON number that may be out of the engine's range: its line is decoded again."""


def _checked_int(text: str) -> int:
    if len(text) > 18:  # 19 digits or more: perhaps beyond 64 bits
        raise _LongNumberError(text)
    return int(text)


def _checked_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400 overflows to infinity
        raise _LongNumberError(text)
    return number


class _RepeatedKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _RepeatedKeyError(key)
            seen.add(key)
    return record


# NaN and Infinity are not JSON, though Python's json reads them. A key given twice would keep its
# last value, as in every JSON reader, and could hide a breach (`"seats": 999, "seats": 1`):
# `_unique_keys` refuses it, for about 10% of the time it takes to read a line. A number that
# may be out of range is decoded again by `_LENIENT_DECODER`, so that `_check_numbers` can name
# its field (the hooks cost a Python call per number).
_DECODER = json.JSONDecoder(
    parse_constant=_reject_non_finite,
    parse_int=_checked_int,
    parse_float=_checked_float,
    object_pairs_hook=_unique_keys,
)
_LENIENT_DECODER = json.JSONDecoder(
    parse_constant=_reject_non_finite, object_pairs_hook=_unique_keys
)


class _Reader:
    """Accumulates facts, rejects and counts across every input of one `read_facts` call."""

    def __init__(self, mapping: FactMapping | None, sink: Callable[[Fact], None]) -> None:
        self.sink = sink
        self.mapping = mapping
        self.renames = mapping.renames() if mapping is not None else {}
        self.type_values = mapping.types if mapping is not None else {}
        self.defaults = mapping.defaults if mapping is not None else {}
        self.rejects: list[Diagnostic] = []
        self.counts = FactCounts()
        self.valid_types: set[str] = set()
        self.instants: dict[str, int] = {}

    def reject(self, path: str, line: int, reason: str) -> None:
        self.rejects.append(Diagnostic(path, line, 0, reason))
        self.counts.rejected += 1

    def read_json_lines(self, path: str, lines: Iterable[str]) -> None:
        raw_decode = _DECODER.raw_decode
        decode = _DECODER.decode
        take = self.take
        mapped = self.mapping is not None
        read = 0
        for number, line in enumerate(lines, 1):
            if line.isspace() or not line:
                continue
            read += 1
            try:
                if not line.isascii():
                    _check_utf8(line)
                if line.count("[") + line.count("{") > MAX_NESTING:
                    # Refused before decoding, at the same depth on every Python (how deep the
                    # decoder itself can go depends on the version).
                    deepest, reason = _nesting(line)
                    if deepest > MAX_NESTING:
                        raise _RejectedLineError(reason)
                # raw_decode skips decode()'s two whitespace regexes; decode() runs only when
                # the line has leading whitespace, trailing data or an error to report.
                long_number = False
                try:
                    try:
                        try:
                            record, end = raw_decode(line)
                        except json.JSONDecodeError:
                            record, end = decode(line), len(line)
                        if end != len(line) and not line[end:].isspace():
                            decode(line)
                    except _LongNumberError:  # decoded again, to name the field it is in
                        record, long_number = _LENIENT_DECODER.decode(line), True
                except json.JSONDecodeError as error:
                    raise _RejectedLineError(
                        f"not JSON: {error.msg} at column {error.colno}"
                    ) from None
                except _NonFiniteNumberError as error:
                    raise _RejectedLineError(
                        f"not JSON: {error.constant} is not a JSON number"
                    ) from None
                except _RepeatedKeyError as error:
                    raise _RejectedLineError(
                        f"repeated key '{_printable(error.key)}': an object names each key once,"
                        " and which of its values is meant cannot be told"
                    ) from None
                except ValueError:  # Python's limit on the digits of an integer
                    raise _RejectedLineError(
                        f"not JSON: a number with more than {sys.get_int_max_str_digits()} digits"
                    ) from None
                if type(record) is not dict:
                    raise _RejectedLineError(f"not an object: the line is {_kind(record)}")
                if "\\u" in line and ("\\ud" in line or "\\uD" in line):
                    _check_surrogates(record)
                if mapped:
                    record = self.apply_mapping(record)
                if long_number:
                    _check_numbers(record)
                take(record, path, number, True)
            except _RejectedLineError as bad:
                self.reject(path, number, bad.reason)
        self.counts.read += read

    def read_csv(self, path: str, stream: Iterable[str]) -> None:
        lines = _CsvLines(stream)
        # Strict: a quote that closes a cell must end it, so a stray or missing quote is an
        # error here instead of a cell that silently takes in the lines after it.
        rows = csv.reader(lines.feed(), strict=True)
        try:
            header = next(rows, None)
        except csv.Error as error:
            raise _UnusableFileError(Diagnostic(path, 1, 0, f"not CSV: {error}")) from None
        if header is None:
            return
        lines.record.clear()
        columns = self.csv_columns(path, header)
        # Rows under a header that is not UTF-8 are rejected, each: no report could print the
        # names of their fields, and the night goes on with the other files.
        header_problem = None
        try:
            _check_utf8(",".join(header))
        except _RejectedLineError as bad:
            header_problem = bad.reason.replace("not UTF-8", "the header (line 1) is not UTF-8")
        width = len(columns)
        unnamed = [index for index, name in enumerate(columns) if not name]
        type_values = self.type_values
        defaults = self.defaults
        take = self.take
        read = 0
        before = 0  # physical lines before the first line of the reader `rows`
        last_line = rows.line_num
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as error:
                # The broken record is rejected at its first line; the lines after it that
                # a quoted cell took in are read again, each on its own.
                read += 1
                number = before + last_line + 1
                again = lines.again_after_first()
                self.reject(path, number, _csv_error_reason(str(error), again))
                if again:
                    before, rows, last_line = number, csv.reader(lines.feed(), strict=True), 0
                else:
                    last_line = rows.line_num
                continue
            # first physical line of this row (a quoted cell may span more)
            number = before + last_line + 1
            last_line = rows.line_num
            lines.record.clear()
            if not any(row):
                continue
            read += 1
            try:
                if header_problem is not None:
                    raise _RejectedLineError(header_problem)
                if len(row) != width:
                    raise _RejectedLineError(
                        f"row has {len(row)} cells but the header has {width} columns"
                    )
                if not "".join(row).isascii():
                    _check_utf8("".join(row))
                for index in unnamed:
                    if row[index]:
                        raise _RejectedLineError(
                            f"cell {index + 1} has a value but its column has no name"
                        )
                record: dict[str, Any] = {
                    name: cell for name, cell in zip(columns, row, strict=True) if cell
                }
                for name, cell in record.items():
                    if name not in _ENVELOPE:
                        record[name] = _cell_value(cell)
                if type_values:
                    fact_type = record.get("type")
                    if fact_type in type_values:
                        record["type"] = type_values[fact_type]
                for name, value in defaults.items():
                    if record.get(name) is None:
                        record[name] = value
                take(record, path, number, False)
            except _RejectedLineError as bad:
                self.reject(path, number, bad.reason)
        self.counts.read += read

    def csv_columns(self, path: str, header: list[str]) -> list[str]:
        """Header names after the mapping's renames; a name given twice makes the file unusable."""
        columns = [self.renames.get(name, name) for name in header]
        first_index: dict[str, int] = {}
        for index, name in enumerate(columns):
            if not name:
                continue
            if name in first_index:
                earlier = header[first_index[name]]
                if earlier == header[index]:
                    message = f"the header names column '{name}' twice"
                else:
                    message = f"columns '{earlier}' and '{header[index]}' both map to '{name}'"
                raise _UnusableFileError(Diagnostic(path, 1, 0, message))
            first_index[name] = index
        return columns

    def apply_mapping(self, record: dict[str, Any]) -> dict[str, Any]:
        """Rename keys, translate the type value and add defaults (JSON lines)."""
        renames = self.renames
        mapped: dict[str, Any] = {}
        for key, value in record.items():
            name = renames.get(key, key)
            if name in mapped:
                others = [other for other in record if renames.get(other, other) == name]
                raise _RejectedLineError(f"'{others[0]}' and '{key}' both map to '{name}'")
            mapped[name] = value
        fact_type = mapped.get("type")
        if type(fact_type) is str and fact_type in self.type_values:
            mapped["type"] = self.type_values[fact_type]
        for name, default in self.defaults.items():
            if mapped.get(name) is None:
                mapped[name] = default
        return mapped

    def take(self, record: dict[str, Any], path: str, line: int, check_attrs: bool) -> None:
        """Validate one mapped record; a valid one joins `facts`, a bad one raises."""
        fact_id = record.pop("id", _MISSING)
        fact_type = record.pop("type", _MISSING)
        at_text = record.pop("at", _MISSING)
        partner = record.pop("partner", None)
        if fact_id is _MISSING or fact_type is _MISSING or at_text is _MISSING:
            missing = [
                name
                for name, value in (("id", fact_id), ("type", fact_type), ("at", at_text))
                if value is _MISSING
            ]
            raise _RejectedLineError(self.missing_reason(missing))

        if type(fact_id) is not str:
            if type(fact_id) is not int:
                raise _RejectedLineError(
                    f"'id' must be a string or an integer, got {_kind(fact_id)}"
                )
            fact_id = str(fact_id)
        elif not fact_id or fact_id.isspace():
            raise _RejectedLineError("'id' is empty")

        if type(fact_type) is not str:
            raise _RejectedLineError(f"'type' must be a string, got {_kind(fact_type)}")
        if fact_type not in self.valid_types:
            if not TYPE_NAME.fullmatch(fact_type):
                raise _RejectedLineError(self.type_reason(fact_type))
            self.valid_types.add(fact_type)

        if type(at_text) is not str:
            raise _RejectedLineError(
                f"'at' must be a string (an ISO-8601 instant with offset, or a date),"
                f" got {_kind(at_text)}"
            )
        at = self.instants.get(at_text)
        if at is None:
            at = _instant(at_text)
            if len(self.instants) >= _AT_CACHE_LIMIT:
                self.instants.clear()
            self.instants[at_text] = at

        if partner is not None and (type(partner) is not str or not partner):
            got = "an empty string" if partner == "" else _kind(partner)
            raise _RejectedLineError(f"'partner' must be a non-empty string, got {got}")

        # issuperset walks the types in C without building a set: the common all-scalar case
        # costs one call; only a failing record pays for finding the culprit.
        if check_attrs and not _SCALAR_TYPES.issuperset(map(type, record.values())):
            for name, value in record.items():
                if type(value) not in _SCALAR_TYPES:
                    _check_attribute(name, value)

        recorded = record.pop("recorded_at", None)
        if recorded is not None:
            try:
                recorded = recorded_instant(recorded)
            except ValueError as error:
                raise _RejectedLineError(str(error)) from None
        self.sink(Fact(fact_id, fact_type, at, partner, record, f"{path}:{line}", recorded))

    def missing_reason(self, missing: list[str]) -> str:
        noun = "field" if len(missing) == 1 else "fields"
        reason = f"missing {noun} " + ", ".join(f"'{name}'" for name in missing)
        sources = {target: source for source, target in self.renames.items() if source != target}
        hints = [f"'{name}' is read from '{sources[name]}'" for name in missing if name in sources]
        return f"{reason} ({'; '.join(hints)})" if hints else reason

    def type_reason(self, fact_type: str) -> str:
        reason = f"'type' {fact_type!r} is not a dotted name ({TYPE_NAME_HELP})"
        if self.type_values:
            reason += " and the mapping's types do not list it"
        return reason


class _CsvLines:
    """The lines of a CSV input, keeping those of the record being read, so that the lines a
    broken quote took into one record can be read again, each on its own."""

    def __init__(self, stream: Iterable[str]) -> None:
        self.rest = iter(stream)
        self.again: deque[str] = deque()  # lines to read again before the rest
        self.record: list[str] = []  # the lines of the record being read

    def feed(self) -> Iterator[str]:
        """The lines to read, from the first one to read again; for a new `csv.reader`."""
        again, rest, record = self.again, self.rest, self.record
        while True:
            if again:
                line = again.popleft()
            else:
                following = next(rest, None)
                if following is None:
                    return
                line = following
            record.append(line)
            yield line

    def again_after_first(self) -> int:
        """Read the record's lines after its first again; how many there are."""
        lines = self.record[1:]
        self.again.extendleft(reversed(lines))
        self.record.clear()
        return len(lines)


def _csv_error_reason(error: str, again: int) -> str:
    """Why a CSV record is rejected, from the csv module's `error`, when the record took `again`
    lines after its first (which are read again)."""
    if error == "unexpected end of data":
        reason = "not CSV: a quoted cell starting on this line is never closed"
    elif again:
        reason = (
            "not CSV: a quoted cell starting on this line is not closed where it should be:"
            f" {error} {again} lines further on"
        )
    else:
        return f"not CSV: {error}"
    if again:
        reason += f" (it would swallow the {again} lines after it, which are read on their own)"
    return reason


def fact_from_record(record: dict[str, Any], path: str, line: int) -> Fact:
    """One fact from a record shaped like a fact-file line (envelope fields and attributes),
    checked exactly as a line of a fact file is; its source is `path:line`.

    Raises ValueError with the reason a fact file's bad line would be rejected with.
    """
    taken: list[Fact] = []
    try:
        _check_surrogates(record)
        _Reader(None, taken.append).take(dict(record), path, line, True)
    except _RejectedLineError as bad:
        raise ValueError(bad.reason) from None
    return taken[0]


def _instant(text: str) -> int:
    """Epoch seconds of an `at` value, or _RejectedLineError saying what is wrong with it.

    The answer is always `timeutil.parse_instant`'s; the usual shape ("2026-02-10T10:00:00Z")
    goes straight to `datetime.fromisoformat`, skipping its strip and length test (~30% faster).
    """
    moment = None
    if len(text) != 10:
        try:
            moment = _fromisoformat(text)
        except ValueError:
            moment = None  # parse_instant below says why, or accepts what strip() repairs
    try:
        if moment is not None and moment.tzinfo is not None:
            return int(moment.timestamp())
        return parse_instant(text)
    except (ValueError, OverflowError) as error:
        problem = error
    try:
        naive = _fromisoformat(text.strip()).tzinfo is None
    except ValueError:
        naive = False
    if naive:
        raise _RejectedLineError(
            f"'at' has no UTC offset: {text!r} (add 'Z' or an offset like '+01:00')"
        )
    raise _RejectedLineError(f"'at' is not an ISO-8601 instant or date: {text!r} ({problem})")


def _nesting(line: str) -> tuple[int, str]:
    """How deep a line's lists and objects nest, and why it is rejected when that is too deep:
    the field holding the deepest part, found by a walk over the text that needs no recursion."""
    depth = deepest = 0
    key: str | None = None  # the top-level object's key being read
    field: str | None = None  # the key whose value holds the deepest part
    last_string: str | None = None
    index, end = 0, len(line)
    while index < end:
        character = line[index]
        if character == '"':
            close = index + 1
            while True:  # the closing quote is one preceded by an even number of backslashes
                close = line.find('"', close)
                if close < 0:
                    close = end
                    break
                before = close
                while line[before - 1] == "\\":
                    before -= 1
                if (close - before) % 2 == 0:
                    break
                close += 1
            last_string = line[index : close + 1]
            index = close + 1
            continue
        if character == ":" and depth == 1 and last_string is not None:
            try:
                key = json.loads(last_string)
            except ValueError:
                key = last_string
        elif character in "[{":
            depth += 1
            if depth > deepest:
                deepest, field = depth, key
        elif character in "]}":
            depth -= 1
        index += 1
    top = line.lstrip()[:1]
    if top != "{":
        kind = "a list" if top == "[" else "a value"
        return deepest, f"not an object: the line is {kind} nested {deepest:,} levels deep"
    if field is None:
        return deepest, f"not JSON that can be read: nested {deepest:,} levels deep"
    return deepest, (
        f"field '{_printable(field)}' is nested {deepest - 1:,} levels deep; attribute values"
        " must be strings, numbers, booleans, nulls or lists of those"
    )


def _check_attribute(name: str, value: Any) -> None:
    if type(value) is list:
        for item in value:
            if type(item) not in _SCALAR_TYPES:
                raise _RejectedLineError(
                    f"field '{name}' is a list containing {_kind(item)}; a list may hold only"
                    " strings, numbers, booleans and nulls"
                )
        return
    raise _RejectedLineError(
        f"field '{name}' is {_kind(value)}; attribute values must be strings, numbers,"
        " booleans, nulls or lists of those"
    )


def _check_utf8(text: str) -> None:
    """Undecodable bytes arrive as lone surrogates (surrogateescape); reject them by column."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        byte = ord(text[error.start]) - 0xDC00
        raise _RejectedLineError(
            f"not UTF-8: byte 0x{byte:02x} at column {error.start + 1}"
        ) from None


def _check_surrogates(record: dict[str, Any]) -> None:
    """A JSON escape like \\ud800 that is half of a UTF-16 pair is no character: no report could
    print it, so its line is rejected here."""
    for name, value in record.items():
        found = LONE_SURROGATE.search(name)
        if found is not None:
            raise _RejectedLineError(
                f"lone surrogate '\\u{ord(found.group()):04x}' in field name"
                f" '{_printable(name)}' (half of a UTF-16 pair, not a character)"
            )
        for text in value if type(value) is list else (value,):
            found = LONE_SURROGATE.search(text) if type(text) is str else None
            if found is not None:
                raise _RejectedLineError(
                    f"lone surrogate '\\u{ord(found.group()):04x}' in field '{name}'"
                    " (half of a UTF-16 pair, not a character: write the character itself,"
                    " or both halves of its pair)"
                )


def _check_numbers(record: dict[str, Any]) -> None:
    """Reject an attribute holding a number the engine cannot check, naming it."""
    for name, value in record.items():
        if name in _ENVELOPE:
            continue
        for number in value if type(value) is list else (value,):
            if type(number) is int and not _SMALLEST_INTEGER <= number <= _LARGEST_INTEGER:
                raise _RejectedLineError(
                    f"field '{name}' holds a number too large to check"
                    f" ({len(str(abs(number)))} digits; integers must lie between"
                    f" {_SMALLEST_INTEGER} and {_LARGEST_INTEGER})"
                )
            if type(number) is float and not math.isfinite(number):
                raise _RejectedLineError(
                    f"field '{name}' holds a number too large to check (beyond"
                    f" {sys.float_info.max:g})"
                )


def _printable(text: str) -> str:
    """`text` with lone surrogates and undecodable bytes written as escapes, safe to print."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _cell_value(cell: str) -> Scalar:
    """A CSV cell as JSON would read it bare: numbers and true/false typed, the rest text.

    A number the engine could not check (out of range, or infinite) stays text, as an account
    number or a code would.
    """
    if cell[0] in _NUMBER_START:
        match = _JSON_NUMBER.fullmatch(cell)
        if match is not None:
            if match.lastindex is None:
                # 20 characters hold every 64-bit integer; longer ones never convert.
                if len(cell) > 20:
                    return cell
                integer = int(cell)
                return integer if _SMALLEST_INTEGER <= integer <= _LARGEST_INTEGER else cell
            number = float(cell)
            return number if math.isfinite(number) else cell
        return cell
    if cell == "true":
        return True
    if cell == "false":
        return False
    return cell


def _kind(value: object) -> str:
    """The JSON kind of a decoded value, with an article, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


__all__ = [
    "TYPE_NAME",
    "TYPE_NAME_HELP",
    "FactInput",
    "fact_from_record",
    "read_facts",
    "read_inputs",
    "stream_facts",
]
