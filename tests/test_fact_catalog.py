"""The fact-type catalogue: loading, positioned errors, where it is found, and the demo's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.clauses import KINDS
from checker.cli import main
from checker.common.diagnostics import InputError
from checker.dates.timeutil import parse_instant
from checker.facts.model import ENVELOPE_FIELDS
from checker.facts.reading import read_facts
from checker.findings.exit_codes import ExitCode
from checker.norms.fact_pattern import FactPattern
from checker.rulebook.agreement import RenewingTerm
from checker.rulebook.fact_catalog import load_fact_catalogue
from checker.rulebook.loading import load_rulebook

ROOT = Path(__file__).parents[1]
DEMO_CATALOGUE = ROOT / "rules" / "fact-types.yaml"

CATALOGUE = """\
fact_types:
  deal.closed:
    description: A sale closed with a customer
    fields:
      channel: How it was sold
      customer: The customer
"""

RULE_FILE = """\
agreement: acme-test-2026
title: Test agreement with Acme
partner: acme
effective: 2026-01-01
expires: 2027-12-31
owner: legal
clauses:
  - id: "4.1"
    title: Exclusive territory
    kind: exclusivity
    forbids:
      - {fact: deal.closed, where: {chanel: direct}}
"""


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text)
    return path


def test_a_catalogue_loads_with_envelope_fields_first(tmp_path: Path) -> None:
    catalogue = load_fact_catalogue(str(_write(tmp_path, "fact-types.yaml", CATALOGUE)))
    assert catalogue.type_names() == ["deal.closed"]
    assert catalogue.fields_of("deal.closed") == [
        "id",
        "type",
        "at",
        "partner",
        "channel",
        "customer",
    ]
    assert catalogue.has_field("deal.closed", "partner")
    assert not catalogue.has_field("deal.closed", "chanel")
    assert not catalogue.knows("deal.closd")


def test_catalogue_mistakes_are_positioned(tmp_path: Path) -> None:
    text = """\
fact_types:
  Deal.Closed:
    description: A sale
  deal.won:
    descripton: A sale won
    feilds: {amount: Net value}
  price.agreed:
    description: ""
    fields:
      unit price: Price per seat
"""
    with pytest.raises(InputError) as raised:
        load_fact_catalogue(str(_write(tmp_path, "fact-types.yaml", text)))
    found = [(d.line, d.column, d.message, d.help) for d in raised.value.diagnostics]
    assert found == [
        (
            2,
            3,
            "'Deal.Closed' is not a valid fact type name",
            "write fact types in lower case with dots between the words, e.g. deal.closed",
        ),
        (5, 5, "unknown field 'descripton'", "did you mean 'description'?"),
        (6, 5, "unknown field 'feilds'", "did you mean 'fields'?"),
        (
            8,
            18,
            "this text is empty",
            "description: What a fact of this type records, in one sentence, e.g. A sale closed "
            "with a customer",
        ),
        (
            10,
            7,
            "'unit price' is not a valid field name",
            "field names use letters, digits and _ only, e.g. unit_price",
        ),
    ]


def test_an_empty_catalogue_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_fact_catalogue(str(_write(tmp_path, "fact-types.yaml", "fact_types: {}\n")))
    [problem] = raised.value.diagnostics
    assert (problem.line, problem.column, problem.message) == (1, 13, "this list is empty")


def test_the_catalogue_is_found_next_to_the_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rule_file = _write(rules, "acme.yaml", RULE_FILE)
    assert load_rulebook([str(rules)]).catalogue is None
    _write(rules, "fact-types.yml", CATALOGUE)
    assert load_rulebook([str(rules)]).catalogue == str(rules / "fact-types.yml")
    assert load_rulebook([str(rule_file)]).catalogue == str(rules / "fact-types.yml")
    _write(rules, "fact-types.yaml", CATALOGUE)
    assert load_rulebook([str(tmp_path / "elsewhere"), str(rules)]).catalogue == str(
        rules / "fact-types.yaml"
    )


def test_rulebook_uses_the_catalogue_of_its_directory(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    _write(rules, "acme.yaml", RULE_FILE)
    without = load_rulebook([str(rules)])
    assert without.diagnostics == []
    assert without.notes == [
        "fact types and fields were not checked: no fact-types.yaml was found next to the rule "
        "files (give one with --fact-types FILE)"
    ]
    _write(rules, "fact-types.yaml", CATALOGUE)
    book = load_rulebook([str(rules)])
    assert book.notes == []
    assert [(d.line, d.column, d.message) for d in book.warnings] == [
        (12, 37, "fact type 'deal.closed' has no field 'chanel'")
    ]
    assert book.errors == []
    assert [a.agreement for a in book.agreements] == ["acme-test-2026"]


def test_fact_types_option_overrides_the_directory_catalogue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    _write(rules, "acme.yaml", RULE_FILE)
    _write(rules, "fact-types.yaml", CATALOGUE)
    other = _write(tmp_path, "other.yaml", CATALOGUE.replace("channel:", "chanel:"))
    assert main(["validate", str(rules)]) == ExitCode.OK
    assert "1 warning." in capsys.readouterr().out
    assert main(["validate", "--fact-types", str(other), str(rules)]) == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out == "OK: 1 agreement, 1 clause.\n"
    assert captured.err == ""


def test_a_missing_or_broken_catalogue_fails_validate_and_says_what_was_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    _write(rules, "acme.yaml", RULE_FILE)
    assert main(["validate", "--fact-types", str(tmp_path / "nope.yaml"), str(rules)]) == 3
    err = capsys.readouterr().err
    assert "nope.yaml: error: cannot read file" in err
    _write(rules, "fact-types.yaml", "fact_types:\n  deal.closed: {descripton: A sale}\n")
    assert main(["validate", str(rules)]) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert "fact-types.yaml:2:17: error: unknown field 'descripton'" in err
    assert "note: fact types and fields were not checked: " in err
    # One mistake: the misspelt key explains the missing 'description'.
    assert err.endswith("FAILED: 1 error, 0 warnings.\n")


def test_without_a_catalogue_validate_notes_it_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    _write(rules, "acme.yaml", RULE_FILE)
    _write(rules, "beta.yaml", RULE_FILE.replace("acme-test-2026", "beta-test-2026"))
    assert main(["validate", str(rules)]) == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.err.count("note: ") == 1
    assert captured.out == "OK: 2 agreements, 2 clauses.\n"


def test_run_prints_rule_warnings_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    _write(rules, "acme.yaml", RULE_FILE)
    _write(rules, "fact-types.yaml", CATALOGUE)
    facts = _write(
        tmp_path,
        "facts.jsonl",
        '{"id": "d1", "type": "deal.closed", "at": "2026-02-10", "partner": "us", '
        '"channel": "direct"}\n',
    )
    code = main(
        [
            *("run", "--rules", str(rules), "--facts", str(facts), "--as-of", "2026-03-01"),
            *("--format", "jsonl", "--workers", "1"),
        ]
    )
    captured = capsys.readouterr()
    assert code == ExitCode.OK  # the pattern tests 'chanel', so the deal does not match
    assert "acme.yaml:12:37: warning: fact type 'deal.closed' has no field 'chanel'" in (
        captured.err
    )
    assert captured.out == ""


# Agreements that name their parties read facts by the catalogue's party fields ---------------

NAMED_PARTIES = RULE_FILE.replace(
    "partner: acme\n", "parties:\n  us: northwind\n  partner: acme\n"
).replace("chanel", "channel")

# The warning at the first agreement naming its parties when no catalogue is found.
NO_CATALOGUE_WARNING = (
    "this agreement names its parties, but no fact-types.yaml was found next to the rule files:"
    " which field of each fact type names the party that acted is unknown, so every fact is read"
    " as an act of the party its 'partner' field names (an empty one: us)"
)
NO_CATALOGUE_HELP = (
    "describe the exports in a fact-types.yaml beside the rule files (docs/norms.md, 'Whose act"
    " is a fact?'), or give one with --fact-types FILE; a catalogue in a subfolder describes only"
    " the rule files beneath it"
)


def test_without_a_catalogue_an_agreement_naming_its_parties_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    path = _write(rules, "acme.yaml", NAMED_PARTIES)
    _write(rules, "beta.yaml", NAMED_PARTIES.replace("acme-test-2026", "beta-test-2026"))
    assert main(["validate", "--strict", str(rules)]) == ExitCode.INVALID_RULES
    captured = capsys.readouterr()
    # Once, at the first such file's 'parties' (line 3), not once per agreement.
    assert captured.err == (
        f"{path}:3:1: warning: {NO_CATALOGUE_WARNING}\n"
        "    parties:\n"
        "    ^\n"
        f"  help: {NO_CATALOGUE_HELP}\n"
        "note: fact types and fields were not checked: no fact-types.yaml was found next to the"
        " rule files (give one with --fact-types FILE)\n"
        "FAILED: 0 errors, 1 warning (--strict counts warnings as failures).\n"
    )
    _write(rules, "fact-types.yaml", CATALOGUE)
    assert main(["validate", "--strict", str(rules)]) == ExitCode.OK
    assert capsys.readouterr().out == "OK: 2 agreements, 2 clauses.\n"


def test_a_catalogue_in_a_subfolder_serves_only_the_rule_files_beneath_it(tmp_path: Path) -> None:
    top = tmp_path / "rules"
    _write(top / "emea", "acme.yaml", NAMED_PARTIES)
    catalogue = _write(top / "emea", "fact-types.yaml", CATALOGUE)
    # Every rule file is beneath it: the folder above finds it.
    book = load_rulebook([str(top)])
    assert (book.warnings, book.notes, book.catalogue) == ([], [], str(catalogue))
    # A rule file beside the subfolder is not described by it: no catalogue, and the warning.
    _write(top, "beta.yaml", NAMED_PARTIES.replace("acme-test-2026", "beta-test-2026"))
    book = load_rulebook([str(top)])
    assert [(d.path, d.line, d.column, d.message, d.help) for d in book.warnings] == [
        (str(top / "beta.yaml"), 3, 1, NO_CATALOGUE_WARNING, NO_CATALOGUE_HELP)
    ]
    assert book.catalogue is None


# The demo catalogue ------------------------------------------------------------------------------


def test_the_demo_catalogue_lists_every_demo_fact_type_and_field() -> None:
    catalogue = load_fact_catalogue(str(DEMO_CATALOGUE))
    facts = read_facts([str(ROOT / "fixtures" / "demo")], parse_instant("2027-01-01")).facts
    assert facts
    for fact in facts:
        assert catalogue.knows(fact.type), fact.type
        for name, value in fact.attrs.items():
            if value not in (None, ""):
                assert catalogue.has_field(fact.type, name), (fact.type, name)


def test_the_demo_catalogue_lists_the_fact_types_the_kinds_use_by_default() -> None:
    catalogue = load_fact_catalogue(str(DEMO_CATALOGUE))
    defaults: list[FactPattern] = []
    for model in [RenewingTerm, *KINDS.values()]:
        for info in model.model_fields.values():
            if info.is_required():
                continue
            default = info.get_default(call_default_factory=True)
            items = default if isinstance(default, list) else [default]
            defaults += [item for item in items if isinstance(item, FactPattern)]
    # notice.non_renewal (renewing term), data.transfer (data sharing), deal.closed (non-compete),
    # employee.hired and employment.ended (non-solicitation).
    assert {pattern.fact for pattern in defaults} == {
        "notice.non_renewal",
        "data.transfer",
        "deal.closed",
        "employee.hired",
        "employment.ended",
    }
    for pattern in defaults:
        assert catalogue.knows(pattern.fact), pattern.fact
    # non_solicitation's default person_field, on both of its default facts.
    assert catalogue.has_field("employee.hired", "person")
    assert catalogue.has_field("employment.ended", "person")


def test_the_demo_catalogue_does_not_list_envelope_fields() -> None:
    catalogue = load_fact_catalogue(str(DEMO_CATALOGUE))
    for entry in catalogue.fact_types.values():
        assert not set(entry.fields) & set(ENVELOPE_FIELDS)


def test_the_demo_rules_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    book = load_rulebook([str(ROOT / "rules")])
    assert book.diagnostics == []
    assert book.notes == []


def test_validate_lists_a_subfolder_catalogues_problems_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    top = tmp_path / "rules"
    _write(top / "emea", "acme.yaml", NAMED_PARTIES)
    catalogue = _write(top / "emea", "fact-types.yaml", CATALOGUE.replace("fields:", "feilds:"))
    # The rulebook of `top` reads the catalogue of its only folder with rule files: naming the
    # catalogue as well lists its problem once, not again as a file named on its own.
    assert main(["validate", str(top), str(catalogue)]) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert err.count(f"{catalogue}:4:5: error: unknown field 'feilds'") == 1
    assert err.endswith(
        f"note: fact types and fields were not checked: {catalogue} has errors (listed above)\n"
        "FAILED: 1 error, 0 warnings.\n"
    )


def test_validate_checks_a_catalogue_named_alone_with_fact_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = _write(tmp_path, "fact-types.yaml", CATALOGUE.replace("fields:", "feilds:"))
    # No rule files are loaded, so nothing else reads it: its problem is listed here.
    code = main(["validate", "--fact-types", str(catalogue), str(catalogue)])
    assert code == ExitCode.INVALID_RULES
    assert capsys.readouterr().err == (
        f"{catalogue}:4:5: error: unknown field 'feilds'\n"
        "        feilds:\n"
        "        ^\n"
        "  help: did you mean 'fields'?\n"
        "FAILED: 1 error, 0 warnings.\n"
    )


def test_a_broken_catalogue_is_an_error_not_also_a_missing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An agreement naming its parties beside a catalogue with a mistake: the mistake is the one
    # problem; "no fact-types.yaml was found" would send its author looking for a file that is
    # there (found in review).
    rules = tmp_path / "rules"
    _write(rules, "acme.yaml", NAMED_PARTIES)
    _write(rules, "fact-types.yaml", "fact_types:\n  deal.closed: {descripton: A sale}\n")
    assert main(["validate", str(rules)]) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert "was found next to the rule" not in err
    assert err.endswith("FAILED: 1 error, 0 warnings.\n")
