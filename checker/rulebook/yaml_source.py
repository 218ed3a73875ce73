"""The one place that parses YAML: strict loading of rule files into plain data with node positions.

Rule files are written by lawyers, so the loader is stricter and plainer than PyYAML's defaults:

* duplicate keys, anchors/aliases, explicit tags (``!!python/...``, ``!custom``) and more than one
  document are errors, all collected and reported together;
* scalars follow YAML 1.2's core schema rather than YAML 1.1: only ``true``/``false`` (any case) are
  booleans, so ``NO`` (Norway) and ``yes``/``off`` stay text; dates and times stay text, so pydantic
  parses them and can say what is wrong with ``2026-02-30``; ``10:30`` stays text instead of
  becoming the base-60 number 630; ``0123`` stays text instead of becoming octal 83 (codes keep
  their leading zeros); ``.nan``/``.inf`` stay text, because a NaN threshold compares false with
  everything and would let a breach through;
* mapping keys are always text, exactly as written;
* a file is at most ``MAX_FILE_BYTES`` long and nested at most ``MAX_DEPTH`` levels deep, so a
  runaway file gets a clear error instead of minutes of work and gigabytes of memory (a rule file
  needs about ten levels and a few kilobytes).

Every key and value node's start is recorded against its path in the data, so later validation
errors (pydantic's ``loc``) point back at ``file:line:column``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Final

import yaml
from yaml.error import Mark, MarkedYAMLError
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    Event,
    NodeEvent,
    ScalarEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.resolver import BaseResolver

try:
    from yaml._yaml import CParser

    _HAVE_LIBYAML = True
except ImportError:  # PyYAML built without libyaml: the pure-Python composer does everything
    CParser = object  # type: ignore[assignment,misc]
    _HAVE_LIBYAML = False

from checker.common.diagnostics import Diagnostic, InputError, Level
from checker.common.text_checks import LONE_SURROGATE

# A path into loaded data: mapping keys and list indexes, like pydantic's error `loc`.
Location = tuple[str | int, ...]

_NULL_TAG: Final = "tag:yaml.org,2002:null"
_BOOL_TAG: Final = "tag:yaml.org,2002:bool"
_INT_TAG: Final = "tag:yaml.org,2002:int"
_FLOAT_TAG: Final = "tag:yaml.org,2002:float"

# Limits far above what any rule file needs (the demo's largest file, a scenario file, is 18 kB
# and nests 7 levels), far below what exhausts time or memory: a 50 MB file took minutes and
# gigabytes, and deep nesting exhausts Python's recursion.
MAX_FILE_BYTES: Final = 2 * 1024 * 1024
MAX_DEPTH: Final = 50

_LONGEST_SNIPPET = 120

# YAML line breaks (PyYAML counts these, and only these, when it numbers lines).
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")

# Hints for PyYAML syntax problems; PyYAML only gives text, so these match on it.
_SYNTAX_HINTS: Final = (
    ("found character '\\t'", "indent with spaces; tabs are not allowed in YAML"),
    (
        "mapping values are not allowed here",
        "put text that contains ': ' in quotes, or check this line's indentation",
    ),
)


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass
class SourceDocument:
    """A loaded YAML file: plain data plus the position of every key and value in it.

    `data` holds only dicts (with text keys), lists, str, int, float, bool and None.
    """

    path: str
    data: Any
    text_lines: list[str]
    key_positions: dict[Location, Position] = field(default_factory=dict, repr=False)
    value_positions: dict[Location, Position] = field(default_factory=dict, repr=False)

    def data_path(self, location: Location) -> Location:
        """`location` without the parts that are not in the data.

        Pydantic adds parts that name no data: the tag of a discriminated union
        (``("clauses", 0, "exclusivity", "territory")``), a union member's label (``"int"``), or a
        field that is missing. Dropping them leaves the path of the nearest node that exists.
        """
        node = self.data
        kept: list[str | int] = []
        for part in location:
            in_mapping = isinstance(node, dict) and isinstance(part, str) and part in node
            in_list = (
                isinstance(node, list)
                and isinstance(part, int)
                and not isinstance(part, bool)
                and 0 <= part < len(node)
            )
            if in_mapping or in_list:
                node = node[part]
                kept.append(part)
        return tuple(kept)

    def key_position(self, location: Location) -> Position | None:
        """Where the key of the mapping entry at `location` (a data path) starts, if it exists."""
        return self.key_positions.get(tuple(location))

    def value_position(self, location: Location) -> Position | None:
        """Where the value at `location` (a data path) starts, if it exists."""
        return self.value_positions.get(tuple(location))

    def position_of(self, location: Location) -> Position:
        """Best position for a problem at `location` (a data path or a pydantic `loc`).

        A mapping entry points at its key (so "unknown field" lands on the misspelt word), a list
        item at its value; a path that does not exist falls back to its nearest existing ancestor,
        and the top level is (1, 1).
        """
        path = self.data_path(location)
        while path:
            if isinstance(path[-1], str):
                position = self.key_positions.get(path)
            else:
                position = self.value_positions.get(path)
            if position is not None:
                return position
            path = path[:-1]
        return Position(1, 1)

    def value_position_of(self, location: Location) -> Position:
        """Like `position_of`, but a mapping entry that exists points at its value, not its key."""
        path = self.data_path(location)
        position = self.value_positions.get(path) if path else None
        return position if position is not None else self.position_of(path)

    def line_text(self, line: int) -> str | None:
        """The text of 1-based `line`, or None past the end of the file."""
        if 1 <= line <= len(self.text_lines):
            return self.text_lines[line - 1]
        return None

    def diagnostic(
        self,
        position: Position,
        message: str,
        help: str | None = None,
        level: Level = Level.ERROR,
    ) -> Diagnostic:
        """A `Diagnostic` at `position` in this file, with that line as its snippet (cut short
        when it is long, and left out when the position is far along a long line)."""
        snippet = self.line_text(position.line)
        if snippet is not None and len(snippet) > _LONGEST_SNIPPET:
            snippet = snippet[:_LONGEST_SNIPPET] + " ..." if position.column <= 100 else None
        return Diagnostic(
            path=self.path,
            line=position.line,
            column=position.column,
            message=message,
            help=help,
            level=level,
            snippet=snippet,
        )


def load_yaml(path: str) -> SourceDocument:
    """Read and load the rule file at `path`; raises `InputError` listing every problem found."""
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise InputError([_too_large(path, size)])
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError([Diagnostic(path, 0, 0, f"cannot read file: {reason}")]) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line_end = raw.find(b"\n", error.start)
        snippet = raw[line_start : None if line_end < 0 else line_end].decode(
            "utf-8", errors="replace"
        )
        diagnostic = Diagnostic(
            path,
            line,
            0,
            f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x})",
            help="save the file as UTF-8",
            snippet=snippet.rstrip("\r"),
        )
        raise InputError([diagnostic]) from error
    return load_yaml_text(text, path)


def load_yaml_text(text: str, path: str) -> SourceDocument:
    """Load rule-file YAML from `text`, naming it `path` in positions and errors.

    Raises `InputError` with every problem found: syntax errors stop loading at the first one,
    the others (duplicate keys, aliases, tags...) are all collected.
    """
    text = text.removeprefix("\ufeff")
    if len(text) > MAX_FILE_BYTES:
        raise InputError([_too_large(path, len(text.encode("utf-8", "surrogatepass")))])
    document = SourceDocument(path=path, data=None, text_lines=_LINE_BREAK.split(text))
    problems: list[Diagnostic] = []
    root: Node | None = None
    try:
        loader = _RuleFileLoader(text, document, problems)
    except ReaderError as error:
        raise InputError([_reader_problem(document, text, error)]) from error
    try:
        root = _compose_fast(text) if _FAST_PATH_SAFE.search(text) is None else None
        if root is None:
            root = loader.compose_single_document()
        if root is not None and not _is_empty(root):
            document.data = loader.build(root, ())
    except _TooDeepError as error:
        problems.append(
            document.diagnostic(
                _position(error.mark),
                f"nested more than {MAX_DEPTH} levels deep",
                help="a rule file needs a few levels: check this part's brackets and indentation",
            )
        )
        raise InputError(_sorted(problems)) from error
    except MarkedYAMLError as error:
        problems.append(_syntax_problem(document, error))
        raise InputError(_sorted(problems)) from error
    finally:
        loader.dispose()

    if root is None or _is_empty(root):
        problems.append(document.diagnostic(Position(1, 1), "file is empty"))
    elif not isinstance(root, MappingNode):
        problems.append(
            document.diagnostic(
                _position(root.start_mark),
                f"the top level must be a mapping of fields, got {_describe_node(root)}",
                help="start with lines like 'agreement: globex-reseller-2025'",
            )
        )
    if problems:
        raise InputError(_sorted(problems))
    return document


class _TooDeepError(Exception):
    """A node nested more than MAX_DEPTH levels deep starts at `mark`; loading stops there."""

    def __init__(self, mark: object) -> None:
        super().__init__("nested too deep")
        self.mark = mark


class _RuleFileLoader(yaml.SafeLoader):
    """PyYAML's safe loader, restricted to what rule files need and recording node positions."""

    # Own table, so PyYAML's YAML 1.1 resolvers (yes/no, timestamps, base 60, ...) never apply.
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class table

    def __init__(self, text: str, document: SourceDocument, problems: list[Diagnostic]) -> None:
        super().__init__(text)
        self.name = document.path
        self.document = document
        self.problems = problems
        self.depth = 0

    def report(self, mark: object, message: str, help: str | None = None) -> None:
        """Collect a problem and go on loading, so one run reports them all."""
        self.problems.append(self.document.diagnostic(_position(mark), message, help))

    # Typed wrappers: types-PyYAML leaves the parser's event methods untyped.
    def _peek_event(self) -> Event:
        event: Event = self.peek_event()  # type: ignore[no-untyped-call]
        return event

    def _take_event(self) -> Event:
        event: Event = self.get_event()  # type: ignore[no-untyped-call]
        return event

    def compose_single_document(self) -> Node | None:
        """The one document in the stream (None if there is none); a second one is an error."""
        self._take_event()  # stream start
        root = None
        if not self.check_event(StreamEndEvent):
            root = self.compose_document()
        if not self.check_event(StreamEndEvent):
            second = self._take_event()
            self.report(
                second.start_mark,
                "a rule file holds one YAML document, but a second one starts here",
                help="remove the '---' line, or put each agreement in its own file",
            )
            return root
        self._take_event()  # stream end
        return root

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self._peek_event()
        if self.depth >= MAX_DEPTH:
            raise _TooDeepError(event.start_mark)
        self.depth += 1
        try:
            return self._compose_checked(event, parent, index)
        finally:
            self.depth -= 1

    def _compose_checked(self, event: Event, parent: Node | None, index: int) -> Node | None:
        if isinstance(event, AliasEvent):
            self._take_event()
            self.report(
                event.start_mark,
                "aliases are not allowed in rule files",
                help="write the value out in full",
            )
            return ScalarNode(_NULL_TAG, "", _mark(event.start_mark), _mark(event.end_mark))
        if isinstance(event, NodeEvent):
            if event.anchor is not None:
                self.report(
                    event.start_mark,
                    f"anchors are not allowed in rule files ('&{event.anchor}')",
                    help="remove the anchor; aliases are not allowed in rule files either",
                )
                event.anchor = None
            if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag is not None:
                self.report(
                    event.start_mark,
                    f"tags are not allowed in rule files ('{_tag_as_written(event.tag)}')",
                    help="remove the tag; a value's type comes from how it is written",
                )
                # Go on as if untagged; PyYAML then reads a tagged scalar as text.
                event.tag = None
        return super().compose_node(parent, index)

    def build(self, node: Node, path: Location) -> Any:
        """Plain data for `node` at `path`, recording the position of every key and value."""
        if len(path) >= MAX_DEPTH:  # from libyaml's composer, which allows 1,000 levels
            raise _TooDeepError(node.start_mark)
        self.document.value_positions[path] = _position(node.start_mark)
        if isinstance(node, MappingNode):
            mapping: dict[str, Any] = {}
            first_marks: dict[str, Mark] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self.report(
                        key_node.start_mark,
                        f"a key must be plain text, not {_describe_node(key_node)}",
                    )
                    continue
                key: str = key_node.value
                if key in first_marks:
                    self.report(
                        key_node.start_mark,
                        f"duplicate key '{key}' (first at line {first_marks[key].line + 1})",
                        help="keep one of them; YAML would silently use only the last",
                    )
                    continue
                first_marks[key] = key_node.start_mark
                child = (*path, key)
                self.document.key_positions[child] = _position(key_node.start_mark)
                mapping[key] = self.build(value_node, child)
            return mapping
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        found = LONE_SURROGATE.search(node.value)
        if found is not None:  # from an escape like "\ud800": no report could print it
            self.report(
                node.start_mark,
                f"lone surrogate '\\u{ord(found.group()):04x}' (half of a UTF-16 pair, not a"
                " character)",
                help="write the character itself, or both halves of its pair",
            )
            return ""
        return _scalar_value(node)


# Text with none of these cannot hold an anchor, alias, tag, directive or second document, so
# libyaml's C composer gives the same nodes as the checking composer above, about 5x faster.
_FAST_PATH_SAFE = re.compile(r"[&*!%]|^(?:---|\.\.\.)", re.MULTILINE)


class _FastComposer(CParser, BaseResolver):
    """libyaml's parser and composer with the rule-file scalar resolvers."""

    yaml_implicit_resolvers = _RuleFileLoader.yaml_implicit_resolvers

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        BaseResolver.__init__(self)


def _compose_fast(text: str) -> Node | None:
    """The document's node tree via libyaml, or None to let the checking composer run (it
    reports syntax errors with hints, and is always used where libyaml is not installed)."""
    if not _HAVE_LIBYAML:
        return None
    composer = _FastComposer(text)
    try:
        node: Node | None = composer.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        composer.dispose()
    return node


def _add_resolver(tag: str, pattern: str, first_characters: str | list[str]) -> None:
    _RuleFileLoader.add_implicit_resolver(tag, re.compile(pattern), list(first_characters))


# YAML 1.2 core schema, minus base 60 / octal / hex / .inf / .nan (see the module docstring).
_add_resolver(_NULL_TAG, r"^(?:~|null|Null|NULL|)\Z", ["~", "n", "N", ""])
_add_resolver(_BOOL_TAG, r"^(?i:true|false)\Z", "tTfF")
_add_resolver(_INT_TAG, r"^[-+]?(?:0|[1-9][0-9]*)\Z", "-+0123456789")
_add_resolver(
    _FLOAT_TAG,
    r"^[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)\Z",
    "-+0123456789.",
)


def _scalar_value(node: Node) -> str | int | float | bool | None:
    text: str = node.value
    if node.tag == _NULL_TAG:
        return None
    if node.tag == _BOOL_TAG:
        return text.lower() == "true"
    if node.tag == _INT_TAG:
        return int(text)
    if node.tag == _FLOAT_TAG:
        return float(text)
    return text


def _tag_as_written(tag: str) -> str:
    """`!!str` for the expanded `tag:yaml.org,2002:str`; other tags as PyYAML gives them."""
    standard = "tag:yaml.org,2002:"
    return "!!" + tag.removeprefix(standard) if tag.startswith(standard) else tag


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG and node.value == ""


def _describe_node(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    value = _scalar_value(node)
    return "nothing" if value is None else f"the value {node.value!r}"


def _mark(mark: object) -> Mark | None:
    return mark if isinstance(mark, Mark) else None


def _position(mark: object) -> Position:
    """1-based position of a PyYAML mark (pure-Python or libyaml's, which is another class)."""
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    if isinstance(line, int) and isinstance(column, int):
        return Position(line + 1, column + 1)
    return Position(1, 1)


def _syntax_problem(document: SourceDocument, error: MarkedYAMLError) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "cannot be read"
    hints = [hint for needle, hint in _SYNTAX_HINTS if needle in problem]
    if error.context and error.context_mark is not None:
        hints.append(f"{error.context} (line {error.context_mark.line + 1})")
    return document.diagnostic(
        _position(mark), f"invalid YAML: {problem}", help="; ".join(hints) or None
    )


def _reader_problem(document: SourceDocument, text: str, error: ReaderError) -> Diagnostic:
    index = int(error.position)
    before = _LINE_BREAK.split(text[:index])
    position = Position(len(before), len(before[-1]) + 1)
    # PyYAML gives the character's code point for text input, the byte for undecodable bytes.
    code = ord(error.character) if isinstance(error.character, str) else int(error.character)
    character = f"#x{code:04x}"
    return document.diagnostic(
        position,
        f"invalid character {character} ({error.reason})",
        help="remove it; rule files hold printable text only",
    )


def _too_large(path: str, size: int) -> Diagnostic:
    return Diagnostic(
        path,
        0,
        0,
        f"the file is {size / 1024 / 1024:.1f} MB; a rule file may be at most"
        f" {MAX_FILE_BYTES // 1024 // 1024} MB",
        help="split it into one file per agreement, or check that it is the file meant",
    )


def _sorted(problems: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(problems, key=lambda problem: (problem.line, problem.column, problem.message))
