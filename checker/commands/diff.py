"""`contract-checker diff`: run two versions of the rules on the same facts and as-of, and list
the findings added, removed and changed (by fingerprint): what an amendment would change before
it is signed, or what changed between two nights' rule versions.

The two versions are two rule folders, or one folder at a git revision (`--base REV`, read with
`git archive` into a temporary directory) and in the working tree or at another revision
(`--head REV`). Each side reads its own waivers file and fact-type catalogue, as `run` would.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from checker.commands import arguments
from checker.dates.timeutil import epoch_of_date
from checker.findings.exit_codes import ExitCode

if TYPE_CHECKING:
    from checker.common.diagnostics import Diagnostic
    from checker.report.finding_diff import Reported

DIFF_FORMATS = ("table", "json", "markdown")  # checker.report.finding_diff.DIFF_FORMATS

DIFF_EXAMPLE = """\
examples:
  # two folders: the signed rules and the amendment being negotiated
  contract-checker diff rules/ drafts/rules/ --facts exports/ --as-of 2026-11-22
  # the rules of a pull request against main, as a comment for the pull request
  contract-checker diff --base origin/main rules/ --facts exports/ --format markdown
  # what changed between two nights' rule versions
  contract-checker diff --base nightly-2026-11-21 --head nightly-2026-11-22 rules/ \\
      --facts exports/ --as-of 2026-11-22

Findings are matched by fingerprint (agreement, clause, kind, code, subject). Added: only the
head reports it; removed: only the base does; changed: both do, with a different severity, date,
message, clause title, owner, calendar, evidence or waiver. A finding whose kind changes is
removed and added.

exit codes: 0 no finding differs, 1 findings differ, 2 usage (or a git revision cannot be
            read), 3 invalid rule or waivers files on either side, 4 unreadable fact files"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare the findings of two versions of the rules on the same facts",
        description="Run two rule folders, or one folder at two git revisions, on the same facts "
        "and as-of, and list the findings added, removed and changed.",
        epilog=DIFF_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "rules",
        nargs="*",
        metavar="RULES",
        help="two rule folders (base, then head); with --base, one folder (default: rules/)",
    )
    parser.add_argument(
        "--base",
        metavar="REV",
        default=None,
        help="compare the rules folder as of this git revision (commit, branch, tag)",
    )
    parser.add_argument(
        "--head",
        metavar="REV",
        default=None,
        help="with --base: compare with this revision rather than the working tree",
    )
    parser.add_argument(
        "--facts",
        nargs="+",
        required=True,
        metavar="PATH",
        help="JSONL/CSV fact files or directories (not stdin: both runs read them)",
    )
    parser.add_argument(
        "--as-of",
        type=arguments.as_of,
        default=None,
        metavar="WHEN",
        help="evaluate both as of this date or instant (default: today 00:00 UTC)",
    )
    arguments.add_horizon(parser, "report deadlines due within this many days")
    arguments.add_evaluation_options(parser)
    parser.add_argument(
        "--no-waivers",
        action="store_true",
        help="apply no waivers on either side (default: each side's own waivers.yaml)",
    )
    parser.add_argument(
        "--format",
        choices=DIFF_FORMATS,
        default="table",
        help="table (default), json, or markdown (for a pull-request comment)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the diff here (default: stdout)")


def main(args: argparse.Namespace) -> ExitCode:
    from checker.report.finding_diff import compare, render_diff

    problem = _usage_problem(args)
    if problem is not None:
        print(f"contract-checker diff: {problem}", file=sys.stderr)
        return ExitCode.USAGE
    as_of = args.as_of
    if as_of is None:
        as_of = epoch_of_date(datetime.now(tz=UTC).date())
    with tempfile.TemporaryDirectory(prefix="contract-checker-diff-") as scratch:
        sides: list[_Side] = []
        try:
            if args.base is None:
                sides = [_Side(path, path) for path in args.rules]
            else:
                folder = args.rules[0] if args.rules else "rules/"
                sides.append(_at_revision(folder, args.base, os.path.join(scratch, "base")))
                if args.head is None:
                    sides.append(_Side(f"{folder} (working tree)", folder))
                else:
                    sides.append(_at_revision(folder, args.head, os.path.join(scratch, "head")))
        except RevisionError as error:
            print(f"contract-checker diff: {error}", file=sys.stderr)
            return ExitCode.USAGE
        found: list[dict[str, Reported]] = []
        for side in sides:
            outcome = _findings_of(args, side, as_of, report_fact_errors=not found)
            if isinstance(outcome, ExitCode):
                return outcome
            found.append(outcome)
    diff = compare(found[0], found[1], sides[0].label, sides[1].label, as_of, args.horizon)
    text = render_diff(diff, args.format)
    if args.output is None:
        sys.stdout.write(text)
    else:
        from checker.common.text_output import write_atomically

        try:
            write_atomically(args.output, text)
        except OSError as error:
            print(f"cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
            return ExitCode.USAGE
    return ExitCode.FINDINGS if diff.differs else ExitCode.OK


def _usage_problem(args: argparse.Namespace) -> str | None:
    if "-" in args.facts:
        return (
            "diff runs the rules twice on the same facts, so it reads them from files, not "
            "stdin: save them first, e.g. '... > facts.jsonl' and '--facts facts.jsonl'"
        )
    if args.head is not None and args.base is None:
        return "--head REV goes with --base REV, e.g. '--base main --head my-branch rules/'"
    if args.base is None and len(args.rules) != 2:
        return (
            "give two rule folders (base, then head), e.g. 'contract-checker diff rules/ "
            "drafts/rules/ --facts exports/', or one folder and a git revision with --base, "
            "e.g. 'contract-checker diff --base main rules/ --facts exports/'"
        )
    if args.base is not None and len(args.rules) > 1:
        return "with --base give one rules folder (its versions are compared), e.g. '--base main rules/'"
    return None


@dataclass(frozen=True, slots=True)
class _Side:
    """One version of the rules: how it is named, the folder that is run, and for a folder
    extracted from git, (the directory it was extracted into, the revision), so that problems
    in its files are shown as REV:path rather than at a temporary path."""

    label: str
    folder: str
    extracted: tuple[str, str] | None = None

    def shown(self, diagnostic: Diagnostic) -> Diagnostic:
        if self.extracted is None:
            return diagnostic
        root, revision = self.extracted
        inside = os.path.relpath(diagnostic.path, root)
        if inside.startswith(os.pardir):
            return diagnostic
        return replace(diagnostic, path=f"{revision}:{inside.replace(os.sep, '/')}")


def _at_revision(folder: str, revision: str, into: str) -> _Side:
    extracted = rules_at_revision(folder, revision, into)
    return _Side(f"{folder} at {revision}", extracted, (into, revision))


def _findings_of(
    args: argparse.Namespace, side: _Side, as_of: int, report_fact_errors: bool
) -> dict[str, Reported] | ExitCode:
    from checker.common.diagnostics import InputError
    from checker.evaluation.run import RuleFilesInvalid, run
    from checker.facts.mapping import load_mapping
    from checker.report.finding_diff import reported_findings

    try:
        mapping = load_mapping(args.mapping) if args.mapping else None
        result = run(
            [side.folder],
            args.facts,
            as_of,
            args.horizon,
            mapping,
            args.workers,
            [] if args.no_waivers else None,
        )
    except RuleFilesInvalid as invalid:
        for diagnostic in invalid.rulebook.diagnostics:
            print(side.shown(diagnostic).render(), file=sys.stderr)
        print(
            f"{len(invalid.rulebook.errors)} problem(s) in the rule or waivers files of "
            f"{side.label}; "
            "nothing compared.",
            file=sys.stderr,
        )
        return ExitCode.INVALID_RULES
    except InputError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        return ExitCode.INVALID_FACTS
    with result:
        if report_fact_errors and result.fact_errors:
            print(
                f"contract-checker diff: {len(result.fact_errors)} fact line(s) rejected (the same "
                "on both sides; 'run --format json' lists them)",
                file=sys.stderr,
            )
        return reported_findings(result)


class RevisionError(Exception):
    """A rules folder could not be read at a git revision; the message says why."""


def rules_at_revision(folder: str, revision: str, into: str) -> str:
    """Extract `folder` as it is at git `revision` under `into` (with `git archive`); the path
    of the extracted folder. RevisionError when git, the repository, the revision or the folder
    at that revision is missing."""
    try:
        return _extract(folder, revision, into)
    except RevisionError as error:
        raise RevisionError(f"cannot read {folder} at {revision}: {error}") from None


def _extract(folder: str, revision: str, into: str) -> str:
    import io
    import tarfile

    absolute = os.path.abspath(folder)
    # The folder may not exist in the working tree (removed since): ask git from its parent.
    where = absolute
    while not os.path.isdir(where):
        where = os.path.dirname(where)
    top = _git(where, "rev-parse", "--show-toplevel").strip()
    relative = os.path.relpath(absolute, os.path.realpath(top))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = os.path.relpath(os.path.realpath(absolute), os.path.realpath(top))
    pathspec = "." if relative == os.curdir else relative.replace(os.sep, "/")
    archive = _git_bytes(top, "archive", "--format=tar", f"{revision}^{{tree}}", "--", pathspec)
    os.makedirs(into, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if not any(member.isfile() for member in tar.getmembers()):
            raise RevisionError("the folder holds no files there")
        tar.extractall(into, filter="data")
    return os.path.join(into, relative)


def _git(directory: str, *arguments: str) -> str:
    return _git_bytes(directory, *arguments).decode("utf-8", "replace")


def _git_bytes(directory: str, *arguments: str) -> bytes:
    try:
        completed = subprocess.run(
            ["git", "-C", directory, *arguments], capture_output=True, check=False
        )
    except OSError as error:
        raise RevisionError(f"cannot run git: {error.strerror or error}") from None
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(f"git {arguments[0]}: {reason[-1] if reason else 'failed'}")
    return completed.stdout
