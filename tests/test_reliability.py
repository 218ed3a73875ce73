"""The reliability suite: bad input of every kind, each with the answer a night operator gets.

Each case is one row of `CASES`: the files a run is given (rule files and fact files), what it
is expected to do (exit code, a fragment of what it prints on stderr, the fact counts and
findings of its report) and, where it matters, what must never reach the terminal. A run is
`contract-checker run` in this process, on a workspace holding `rules/` and `facts/`.

Exit codes are the documented contract (checker/findings/exit_codes.py): 1 means "findings" to
schedulers, so no bad input may ever end a run with 1 unless the findings say so, and no input
may end it with a traceback.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from checker.cli import main
from tests.helpers import GLOBEX_EXCLUSIVITY

AS_OF = "2026-11-22"

AGREEMENT = (
    GLOBEX_EXCLUSIVITY
    + """\
  - id: "5.2"
    title: Licensed seats
    kind: cap
    measure: {fact: usage.reported, field: seats}
    max: 250
"""
)


def _deal(number: int, **extra: object) -> str:
    """A JSON line: a direct deal in Globex's territory, a breach of clause 4.1."""
    record = {
        "id": f"d{number}",
        "type": "deal.closed",
        "at": f"2026-02-{10 + number:02d}T10:00:00Z",
        "partner": "us",
        "territory": "DE",
        "channel": "direct",
        **extra,
    }
    return json.dumps(record)


CSV_HEADER = "id,type,at,partner,territory,channel,customer\n"


def _csv_deal(number: int, customer: str = "acme") -> str:
    return f"d{number},deal.closed,2026-02-{10 + number:02d}T10:00:00Z,us,DE,direct,{customer}\n"


def _nested_yaml(depth: int) -> str:
    return AGREEMENT + "notes: " + "[" * depth + "]" * depth + "\n"


BILLION_LAUGHS = AGREEMENT + "".join(
    f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]\n" for level in range(1, 10)
).replace("*l0", '"lol"')


@dataclass(frozen=True)
class Case:
    """One bad input and the answer expected for it."""

    name: str
    files: dict[str, str | bytes]  # path under the workspace -> content
    exit: int
    stderr: str = ""  # a fragment of what the run prints on stderr
    stdout: str = ""  # a fragment of the table report
    counts: dict[str, int] | None = None  # the report's fact counts that matter
    findings: dict[str, int] | None = None  # the report's finding counts that matter
    facts: str = "facts"  # the --facts path, under the workspace ("-" for standard input)
    stdin: bytes | None = None  # what standard input holds
    stdin_closed: bool = False  # started with standard input closed (sys.stdin is None)
    never_printed: tuple[str, ...] = ()  # text that must reach neither stdout nor stderr
    extra: tuple[str, ...] = field(default=())  # more options; a *.yaml is under the workspace


CASES = [
    # --- facts: text encoding -----------------------------------------------------------------
    Case(
        "escaped lone surrogate in a JSON value",
        {"facts/deals.jsonl": _deal(1) + "\n" + _deal(2, customer="bad\ud800name") + "\n"},
        exit=4,
        stderr=r"deals.jsonl:2: rejected: lone surrogate '\ud800' in field 'customer'",
        counts={"read": 2, "accepted": 1, "rejected": 1},
        findings={"breach": 1},
    ),
    Case(
        "escaped lone surrogate in a JSON key",
        {"facts/deals.jsonl": _deal(1).replace('"channel"', '"chan\\udc00nel"') + "\n"},
        exit=4,
        stderr=r"deals.jsonl:1: rejected: lone surrogate '\udc00' in field name",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    Case(
        "invalid UTF-8 byte in a JSON line",
        {"facts/deals.jsonl": _deal(1).encode().replace(b"direct", b"dir\xffect") + b"\n"},
        exit=4,
        stderr="deals.jsonl:1: rejected: not UTF-8: byte 0xff",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    Case(
        "UTF-8-encoded surrogate (CESU) in a CSV cell",
        {
            "facts/deals.csv": (CSV_HEADER + _csv_deal(1, "bad\x00name"))
            .encode()
            .replace(b"\x00", b"\xed\xa0\x80")
        },
        exit=4,
        stderr="deals.csv:2: rejected: not UTF-8: byte 0xed",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    Case(
        "invalid UTF-8 in a CSV header",
        {"facts/deals.csv": b"id,type,at,partner,terr\xe9tory\n" + _csv_deal(1).encode()},
        exit=4,
        stderr="deals.csv:2: rejected: the header (line 1) is not UTF-8: byte 0xe9 at column 24",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    # --- facts: structure ---------------------------------------------------------------------
    Case(
        "repeated key in a JSON line hides a cap breach",
        {
            "facts/usage.jsonl": '{"id": "u1", "type": "usage.reported", "at": "2026-03-01",'
            ' "partner": "globex", "seats": 999, "seats": 1}\n'
        },
        exit=4,
        stderr="usage.jsonl:1: rejected: repeated key 'seats'",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    Case(
        "repeated key with spaces before the colon",
        {"facts/deals.jsonl": _deal(1)[:-1] + ' , "channel" : "partner"}\n'},
        exit=4,
        stderr="deals.jsonl:1: rejected: repeated key 'channel'",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    Case(
        "CSV record with an unterminated quote swallows the rows after it",
        {
            "facts/deals.csv": CSV_HEADER
            + _csv_deal(1, '"acme, unterminated')
            + _csv_deal(2)
            + _csv_deal(3)
            + _csv_deal(4)
        },
        exit=4,
        stderr="deals.csv:2: rejected: not CSV: a quoted cell starting on this line is never"
        " closed (it would swallow the 3 lines after it, which are read on their own)",
        counts={"read": 4, "accepted": 3, "rejected": 1},
        findings={"breach": 3},
    ),
    Case(
        "CSV quoted cell that runs past the field-size limit",
        {
            "facts/deals.csv": CSV_HEADER
            + _csv_deal(1, '"never closed')
            + "".join(_csv_deal(n % 9 + 1).replace("d", f"x{n}-", 1) for n in range(3000))
        },
        exit=4,
        stderr="deals.csv:2: rejected: not CSV: a quoted cell starting on this line is not closed"
        " where it should be: field larger than field limit (131072) 2241 lines further on (it"
        " would swallow the 2241 lines after it, which are read on their own)",
        counts={"read": 3001, "accepted": 3000, "rejected": 1},
    ),
    Case(
        "CSV cell that goes on after its closing quote",
        {"facts/deals.csv": CSV_HEADER + _csv_deal(1, '"acme" corp') + _csv_deal(2)},
        exit=4,
        stderr="""deals.csv:2: rejected: not CSV: ',' expected after '"'""",
        counts={"read": 2, "accepted": 1, "rejected": 1},
        findings={"breach": 1},
    ),
    Case(
        "CSV header naming a column twice",
        {"facts/deals.csv": "id,type,at,id\n" + "a,b.c,2026-01-01,x\n"},
        exit=4,
        stderr="deals.csv:1: error: the header names column 'id' twice",
    ),
    Case(
        "JSON line that is not JSON",
        {"facts/deals.jsonl": _deal(1) + "\n" + '{"id": "d2",\n'},
        exit=4,
        stderr="deals.jsonl:2: rejected: not JSON",
        counts={"read": 2, "accepted": 1, "rejected": 1},
        findings={"breach": 1},
    ),
    Case(
        "NaN is not a JSON number",
        {"facts/deals.jsonl": _deal(1)[:-1] + ', "amount": NaN}\n'},
        exit=4,
        stderr="deals.jsonl:1: rejected: not JSON: NaN is not a JSON number",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    Case(
        "a JSON line nested 2,000 levels deep (past the decoder's recursion)",
        {
            "facts/deals.jsonl": _deal(1)
            + "\n"
            + _deal(2)[:-1]
            + ', "n": '
            + "[" * 2000
            + "]" * 2000
            + "}\n"
        },
        exit=4,
        stderr="deals.jsonl:2: rejected: field 'n' is nested 2,000 levels deep; attribute values"
        " must be strings, numbers, booleans, nulls or lists of those",
        counts={"read": 2, "accepted": 1, "rejected": 1},
        findings={"breach": 1},
    ),
    Case(
        "a JSON line of objects nested 100,000 levels deep, under a key with a quote in it",
        {
            "facts/deals.jsonl": _deal(1)[:-1]
            + r', "q\"x": '
            + '{"k": ' * 100_000
            + "1"
            + "}" * 100_000
            + "}\n"
            + _deal(2)
            + "\n"
        },
        exit=4,
        stderr="""deals.jsonl:1: rejected: field 'q"x' is nested 100,000 levels deep""",
        counts={"read": 2, "accepted": 1, "rejected": 1},
        findings={"breach": 1},
    ),
    # --- facts: numbers -----------------------------------------------------------------------
    Case(
        "a 400-digit number names its fact, and the clause is still checked",
        {
            "facts/usage.jsonl": '{"id": "u1", "type": "usage.reported", "at": "2026-03-01",'
            f' "partner": "globex", "seats": {"9" * 400}}}\n'
            '{"id": "u2", "type": "usage.reported", "at": "2026-04-01",'
            ' "partner": "globex", "seats": 300}\n'
        },
        exit=4,
        stderr="usage.jsonl:1: rejected: field 'seats' holds a number too large to check"
        " (400 digits; integers must lie between -9223372036854775808 and 9223372036854775807)",
        counts={"read": 2, "accepted": 1, "rejected": 1},
        findings={"breach": 1, "error": 0},
    ),
    Case(
        "a number beyond JSON's integer conversion limit",
        {"facts/deals.jsonl": _deal(1)[:-1] + f', "amount": {"9" * 5000}}}\n'},
        exit=4,
        stderr="deals.jsonl:1: rejected: not JSON: a number with more than",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    Case(
        "a float that overflows to infinity",
        {"facts/deals.jsonl": _deal(1)[:-1] + ', "amount": 1e400}\n'},
        exit=4,
        stderr="deals.jsonl:1: rejected: field 'amount' holds a number too large to check",
        counts={"read": 1, "accepted": 0, "rejected": 1},
    ),
    Case(
        "a 400-digit number in a CSV cell",
        {
            "facts/usage.csv": "id,type,at,partner,seats\n"
            f"u1,usage.reported,2026-03-01,globex,{'9' * 400}\n"
        },
        exit=1,  # kept as text, as an account number would be; the clause names the fact
        stdout="usage.reported u1 has no number in field 'seats'",
        counts={"read": 1, "accepted": 1, "rejected": 0},
        findings={"error": 1},
    ),
    # --- facts: what reaches the terminal ----------------------------------------------------
    Case(
        "terminal escape codes in fact values are escaped in the table",
        {
            "facts/deals.jsonl": _deal(1).replace('"d1"', '"d1\\u001b[2J\\u001b]0;owned\\u0007"')
            + "\n"
        },
        exit=1,
        findings={"breach": 1},
        stdout=r"d1\x1b[2J\x1b]0;owned\x07 (",
        never_printed=("\x1b", "\x07"),
    ),
    Case(
        "terminal escape codes in a repeated key are escaped on stderr",
        {"facts/deals.jsonl": _deal(1)[:-1] + ', "\\u001b[31mRED": 1, "\\u001b[31mRED": 2}\n'},
        exit=4,
        stderr=r"deals.jsonl:1: rejected: repeated key '\x1b[31mRED'",
        counts={"read": 1, "accepted": 0, "rejected": 1},
        never_printed=("\x1b",),
    ),
    Case(
        "terminal escape codes in an id given twice are escaped on stderr",
        {
            "facts/deals.jsonl": _deal(1).replace('"d1"', '"d\\u001b[2Jz"')
            + "\n"
            + _deal(1, customer="other").replace('"d1"', '"d\\u001b[2Jz"')
            + "\n"
        },
        exit=4,
        stderr=r"deals.jsonl:2: rejected: id 'd\x1b[2Jz' already used at ",
        never_printed=("\x1b",),
    ),
    Case(
        "terminal escape codes in a fact file's name are escaped on stderr",
        {"facts/b\x1b[31m.jsonl": "not json\n"},
        exit=4,
        stderr=r"b\x1b[31m.jsonl:1: rejected: not JSON",
        counts={"read": 1, "accepted": 0, "rejected": 1},
        never_printed=("\x1b",),
    ),
    # --- facts: standard input ----------------------------------------------------------------
    Case(
        "--facts - with standard input closed",
        {},
        exit=4,
        stderr="<stdin>: error: cannot read: standard input is closed",
        facts="-",
        stdin_closed=True,
    ),
    Case(
        "--facts - with invalid UTF-8 on standard input",
        {},
        exit=4,
        stderr="<stdin>:1: rejected: not UTF-8: byte 0xff",
        counts={"read": 1, "accepted": 0, "rejected": 1},
        facts="-",
        stdin=_deal(1).encode().replace(b"direct", b"dir\xffect") + b"\n",
    ),
    Case(
        "--facts - with a line nested 3,000 levels deep",
        {},
        exit=4,
        stderr="<stdin>:1: rejected: not an object: the line is a list nested 3,000 levels deep",
        counts={"read": 2, "accepted": 1, "rejected": 1},
        findings={"breach": 1},
        facts="-",
        stdin=("[" * 3000 + "]" * 3000 + "\n" + _deal(1) + "\n").encode(),
    ),
    Case(
        "a fact file whose name is not UTF-8",
        {"facts/caf\udce9.jsonl": _deal(1) + "\n"},
        exit=1,
        stdout=r"caf\xe9.jsonl:1)",
        counts={"read": 1, "accepted": 1, "rejected": 0},
        findings={"breach": 1},
    ),
    Case(
        "missing fact file",
        {},
        exit=4,
        stderr="missing.jsonl: error: cannot read: no such file or directory",
        facts="missing.jsonl",
    ),
    # --- the fact mapping (--mapping) --------------------------------------------------------
    Case(
        "10,000-deep YAML nesting in a fact mapping",
        {"mapping.yaml": "fields: " + "[" * 10_000 + "]" * 10_000 + "\n"},
        exit=4,
        stderr="mapping.yaml: error: nested too deeply: a fact mapping is a few levels deep",
        extra=("--mapping", "mapping.yaml"),
    ),
    Case(
        "a fact mapping that is not UTF-8",
        {"mapping.yaml": b"fields: {terr\xe9tory: territory}\n"},
        exit=4,
        stderr="mapping.yaml: error: not UTF-8: byte 0xe9",
        extra=("--mapping", "mapping.yaml"),
    ),
    Case(
        "escaped lone surrogate in a fact mapping's default",
        {"mapping.yaml": 'defaults: {region: "EU\\ud800"}\n'},
        exit=4,
        stderr="mapping.yaml: error: a lone surrogate escape (like \\ud800) is half of a UTF-16"
        " pair, not a character",
        extra=("--mapping", "mapping.yaml"),
    ),
    # --- the feeds manifest beside the exports (feeds.yaml) ---------------------------------
    Case(
        "10,000-deep YAML nesting in feeds.yaml",
        {
            "facts/deals.jsonl": _deal(1) + "\n",
            "facts/feeds.yaml": "complete_through: " + "[" * 10_000 + "]" * 10_000 + "\n",
        },
        exit=4,
        # "complete_through: " is 18 characters: the 50th bracket is at column 68.
        stderr="feeds.yaml:1:68: error: nested more than 50 levels deep",
    ),
    Case(
        "a feed named twice in feeds.yaml",
        {
            "facts/deals.jsonl": _deal(1) + "\n",
            "facts/feeds.yaml": "complete_through: {deal.closed: 2026-01-01,"
            " deal.closed: 2026-12-01}\n",
        },
        exit=4,
        stderr="feeds.yaml:1:45: error: duplicate key 'deal.closed' (first at line 1)",
    ),
    Case(
        "a feed in feeds.yaml that no fact type comes from",
        {
            "facts/deals.jsonl": _deal(1) + "\n",
            "facts/feeds.yaml": "complete_through:\n  deal.close: 2026-11-21\n",
        },
        exit=1,  # a warning: the night goes on, and the deal is a breach
        stderr="feeds.yaml:2:3: warning: no fact type comes from a feed 'deal.close': what is"
        " declared for it applies to nothing; did you mean 'deal.closed'?",
        findings={"breach": 1},
    ),
    Case(
        "a feed on the command line that no fact type comes from",
        {"facts/deals.jsonl": _deal(1) + "\n"},
        exit=1,
        stderr="--complete-through: warning: no fact type comes from a feed 'usage.report': what"
        " is declared for it applies to nothing; did you mean 'usage.reported'?",
        findings={"breach": 1},
        extra=("--complete-through", "usage.report=2026-11-21"),
    ),
    Case(
        "an unquoted time without UTC offset in feeds.yaml",
        {
            "facts/deals.jsonl": _deal(1) + "\n",
            "facts/feeds.yaml": "complete_through:\n  deal.closed: 2026-11-01T10:00:00\n",
        },
        exit=4,
        stderr="feeds.yaml:2:16: error: feed 'deal.closed': '2026-11-01T10:00:00' has no UTC"
        " offset: add 'Z' or an offset like '+01:00'",
    ),
    # --- rule files ---------------------------------------------------------------------------
    Case(
        "10,000-deep YAML nesting in a rule file",
        {"rules/deep.yaml": _nested_yaml(10_000)},
        exit=3,
        stderr="deep.yaml:19:57: error: nested more than 50 levels deep",
    ),
    Case(
        "nesting just past the depth limit",
        {"rules/deep.yaml": _nested_yaml(60)},
        exit=3,
        stderr="nested more than 50 levels deep",
    ),
    Case(
        "a rule file past the size limit",
        {"rules/huge.yaml": AGREEMENT + "# " + "x" * (3 * 1024 * 1024) + "\n"},
        exit=3,
        stderr="huge.yaml: error: the file is 3.0 MB; a rule file may be at most 2 MB",
    ),
    Case(
        "billion laughs (anchors and aliases)",
        {"rules/laughs.yaml": BILLION_LAUGHS},
        exit=3,
        stderr="aliases are not allowed in rule files",
    ),
    Case(
        "custom and Python YAML tags",
        {"rules/tags.yaml": AGREEMENT + "run: !!python/object/apply:os.system [ls]\n"},
        exit=3,
        stderr="tags are not allowed in rule files ('!!python/object/apply:os.system')",
    ),
    Case(
        "duplicate key in a rule file",
        {"rules/twice.yaml": AGREEMENT + "owner: someone-else\n"},
        exit=3,
        stderr="duplicate key 'owner' (first at line 6)",
    ),
    Case(
        "escaped lone surrogate in a rule file",
        {
            "rules/surrogate.yaml": AGREEMENT.replace(
                "title: Reseller agreement with Globex", 'title: "Reseller \\ud800"'
            )
        },
        exit=3,
        stderr="surrogate.yaml:2:8: error: lone surrogate '\\ud800'",
    ),
    Case(
        "a raw ESC in a rule file is escaped in the line shown under the error",
        {"rules/esc.yaml": AGREEMENT.replace("emea-legal", "emea\x1b[2J-legal")},
        exit=3,
        stderr="esc.yaml:6:12: error: invalid character #x001b",
        never_printed=("\x1b",),
    ),
    Case(
        "invalid UTF-8 in a rule file",
        {"rules/latin1.yaml": AGREEMENT.encode().replace(b"Globex\n", b"Glob\xe9x\n")},
        exit=3,
        stderr="file is not valid UTF-8 (byte 0xe9)",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_gets_a_clear_answer(
    case: Case,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "facts").mkdir()
    (tmp_path / "rules" / "globex.yaml").write_text(AGREEMENT)
    for name, content in case.files.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
    if case.stdin_closed:
        monkeypatch.setattr(sys, "stdin", None)
    elif case.stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(case.stdin)))
    report = tmp_path / "report.json"
    facts = case.facts if case.facts == "-" else str(tmp_path / case.facts)
    code = main(
        [
            "run",
            "--rules",
            str(tmp_path / "rules"),
            "--facts",
            facts,
            "--as-of",
            AS_OF,
            "--no-waivers",
            "--workers",
            "1",
            "--report",
            f"json:{report}",
            *(str(tmp_path / arg) if arg.endswith(".yaml") else arg for arg in case.extra),
        ]
    )
    out, err = capsys.readouterr()
    assert code == case.exit, err
    assert case.stderr in err
    assert case.stdout in out
    assert "Traceback" not in err
    for text in case.never_printed:
        assert text not in out
        assert text not in err
    if case.counts is not None or case.findings is not None:
        summary = json.loads(report.read_text())["summary"]
        if case.counts is not None:
            assert {name: summary["facts"][name] for name in case.counts} == case.counts
        if case.findings is not None:
            assert {name: summary["findings"][name] for name in case.findings} == case.findings


def test_a_closed_standard_input_is_answered_without_a_traceback(tmp_path: Path) -> None:
    """The real thing, in a process of its own: `--facts -` with file descriptor 0 closed."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "globex.yaml").write_text(AGREEMENT)
    command = (
        f"{sys.executable} -m checker run --rules {tmp_path / 'rules'} --facts - "
        f"--as-of {AS_OF} <&-"
    )
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False)
    assert done.returncode == 4, done.stderr
    assert "<stdin>: error: cannot read: standard input is closed" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unexpected_failure_is_a_message_and_never_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Whatever goes wrong inside, schedulers must not read it as "findings"."""
    from checker.commands import run as run_command

    def broken(*_args: object) -> int:
        raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(run_command, "_run_and_report", broken)
    code = main(["run", "--facts", str(tmp_path), "--as-of", AS_OF])
    err = capsys.readouterr().err
    assert code == 70
    assert "contract-checker: internal error (UnicodeEncodeError" in err
    assert "Traceback" not in err


# The C extension as pip builds it on Python 3.13 without the flag: its import fails so.
_UNFLAGGED_ENGINE = """
import sys
from importlib.abc import MetaPathFinder


class Unflagged(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "durable_rules_engine":
            raise ImportError(
                "durable_rules_engine.cpython-313-x86_64-linux-gnu.so: undefined symbol:"
                " PyEval_CallObject"
            )
        return None


sys.meta_path.insert(0, Unflagged())
from checker.cli import main

sys.exit(main(sys.argv[1:]))
"""


def test_an_engine_built_without_the_python_3_13_flag_says_how_to_rebuild_it(
    tmp_path: Path,
) -> None:
    """pre-commit on a fresh Python 3.13 machine builds durable_rules without the flag: the run
    said "internal error ... this is a bug"; it is an installation to redo, and says how."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _UNFLAGGED_ENGINE,
            "run",
            "--facts",
            str(tmp_path),
            "--as-of",
            AS_OF,
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
        check=False,
    )
    assert done.returncode == 70
    # pre-commit's environment is rebuilt only after a clean, and without pip's cached wheel.
    assert done.stderr == (
        "contract-checker: durable_rules does not load on this Python (undefined symbol"
        " PyEval_CallObject): it was built without the flag Python 3.13 needs. Rebuild it:\n"
        "  CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject pip install --force-reinstall"
        " --no-cache-dir durable_rules==2.0.28\n"
        "(for pre-commit: 'pre-commit clean', then 'PIP_NO_CACHE_DIR=1' and CPPFLAGS the same way"
        " before 'pre-commit install-hooks'; README.md, 'Python 3.13'); exit code 70\n"
    )


# --- closed and broken standard streams -------------------------------------------------------
# `>&-` and `2>&-` start the program with a descriptor closed; a pipe whose reader is gone
# (`| head -c1` once head has its byte) fails every write. Neither may change the exit code: a
# night's scheduler reads it, whatever happened to the terminal.


@dataclass(frozen=True)
class StreamCase:
    """A command run in a process of its own with its standard output and error each "closed",
    "broken" (a pipe whose reader has gone) or "read"."""

    name: str
    args: tuple[str, ...]  # after `contract-checker`; RULES, BAD and FACTS name the workspace's
    stdout: str
    stderr: str
    exit: int
    printed: str | None = None  # a fragment the stream that is read shows (None: it shows nothing)
    json_stdout: bool = False  # standard output holds the JSON report and nothing else


RUN = ("run", "--rules", "RULES", "--facts", "FACTS", "--as-of", AS_OF, "--workers", "1")
BAD_RULES = "BAD"  # a folder with an agreement without its title

STREAM_CASES = [
    StreamCase("run, stdout closed", RUN, "closed", "read", 4, "deals.jsonl:2: rejected: not JSON"),
    StreamCase("run, stdout broken", RUN, "broken", "read", 4, "deals.jsonl:2: rejected: not JSON"),
    StreamCase(
        "run --format json, stderr closed: nothing of stderr's reaches the report",
        (*RUN, "--format", "json"),
        "read",
        "closed",
        4,
        '"rejected": 1',
        json_stdout=True,
    ),
    StreamCase(
        "run, stderr broken", (*RUN, "--format", "json"), "read", "broken", 4, json_stdout=True
    ),
    StreamCase("run, both closed", RUN, "closed", "closed", 4),
    StreamCase(
        "run on a bad rule file, stderr closed",
        ("run", "--rules", BAD_RULES, "--facts", "FACTS"),
        "read",
        "closed",
        3,
    ),
    StreamCase(
        "run on a bad rule file, stderr broken",
        ("run", "--rules", BAD_RULES, "--facts", "FACTS"),
        "read",
        "broken",
        3,
    ),
    StreamCase(
        "validate a bad rule file, stdout and stderr broken (2>&1 | head -c1)",
        ("validate", BAD_RULES),
        "broken",
        "broken",
        3,
    ),
    StreamCase(
        "validate a bad rule file, both closed", ("validate", BAD_RULES), "closed", "closed", 3
    ),
    StreamCase("--help, stdout broken", ("--help",), "broken", "read", 0),
]


@pytest.mark.parametrize("case", STREAM_CASES, ids=[case.name for case in STREAM_CASES])
def test_a_closed_or_broken_stream_never_changes_the_exit_code(
    case: StreamCase, tmp_path: Path
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "facts").mkdir()
    (tmp_path / "rules" / "globex.yaml").write_text(AGREEMENT)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "bad.yaml").write_text(AGREEMENT.replace("title: Reseller", "x: R"))
    (tmp_path / "facts" / "deals.jsonl").write_text(_deal(1) + "\n" + "not json\n")
    places = {name: str(tmp_path / name.lower()) for name in ("RULES", "BAD", "FACTS")}
    args = [places.get(arg, arg) for arg in case.args]
    # The shell closes a descriptor (`>&-`); a pipe with its reading end closed is broken.
    closing = " ".join(
        redirect
        for stream, redirect in ((case.stdout, ">&-"), (case.stderr, "2>&-"))
        if stream == "closed"
    )
    reader, broken = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(
            ["sh", "-c", f'exec "$@" {closing}', "sh", sys.executable, "-m", "checker", *args],
            stdout=broken if case.stdout == "broken" else subprocess.PIPE,
            stderr=broken if case.stderr == "broken" else subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(broken)
    shown = (done.stdout or "") + (done.stderr or "")
    assert done.returncode == case.exit, shown
    if case.printed is not None:
        assert case.printed in shown
    elif not case.json_stdout:
        assert shown == ""
    assert "Traceback" not in shown
    assert "internal error" not in shown
    if case.json_stdout:
        assert json.loads(done.stdout)["summary"]["facts"]["rejected"] == 1
