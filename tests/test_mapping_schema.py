"""The fact mapping file (`run --mapping FILE`): its JSON Schema (schema/mapping.schema.json)
agrees with the model on examples both accept and reject, and the mapping documented in the
README works as written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from checker.cli import main
from checker.commands.schema import render_schema
from checker.common.diagnostics import InputError
from checker.facts.mapping import load_mapping
from checker.facts.mapping_schema import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "mapping.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _load(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    load_mapping(str(path))


def test_committed_schema_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert SCHEMA.read_text(encoding="utf-8") == render_schema("mapping")
    assert main(["schema", "--mapping"]) == 0
    assert capsys.readouterr().out == SCHEMA.read_text(encoding="utf-8")


def _readme_mapping() -> dict[str, Any]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(# mapping\.yaml.*?)```", readme, re.DOTALL)
    assert found, "README shows a mapping file in a ```yaml block starting '# mapping.yaml'"
    document: dict[str, Any] = yaml.safe_load(found.group(1))
    return document


@pytest.mark.parametrize(
    "document",
    [
        EXAMPLE,
        {},
        {"fields": {"Deal ID": "id"}},
        {"type_field": "event", "types": {"won": "deal.closed"}, "defaults": {"n": 1, "x": None}},
    ],
)
def test_schema_and_model_accept(
    document: dict[str, Any], validator: Draft202012Validator, tmp_path: Path
) -> None:
    assert list(validator.iter_errors(document)) == []
    _load(tmp_path, document)


@pytest.mark.parametrize(
    "document",
    [
        {"field": {"Deal ID": "id"}},  # misspelt key
        {"fields": {"Deal ID": ""}},
        {"fields": {"": "id"}},
        {"types": {"Closed Won": "Deal Closed"}},
        {"type_field": ""},
        {"defaults": {"id": "same-for-all"}},
        {"defaults": {"tags": ["a", "b"]}},
    ],
)
def test_schema_and_model_reject(
    document: dict[str, Any], validator: Draft202012Validator, tmp_path: Path
) -> None:
    assert list(validator.iter_errors(document)) != []
    with pytest.raises(InputError):
        _load(tmp_path, document)


def test_readme_mapping_follows_the_schema_and_maps_a_csv_export(
    validator: Draft202012Validator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = _readme_mapping()
    assert list(validator.iter_errors(mapping)) == []
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    export = tmp_path / "crm.csv"
    export.write_text(
        "Deal ID,Stage,Closed At,Partner,Amount\n"
        "d-1,Closed Won,2026-11-02T10:00:00Z,globex,1200\n"
        "d-2,Closed Lost,2026-11-03T10:00:00Z,globex,800\n",
        encoding="utf-8",
    )
    options = ["--as-of", "2026-11-22", "--workers", "1", "--no-waivers", "--format", "json"]
    code = main(["run", "--facts", str(export), "--mapping", str(mapping_file), *options])
    assert code in (0, 1)
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["facts"] == {
        "read": 2,
        "accepted": 2,
        "rejected": 0,
        "duplicates": 0,
        "after_as_of": 0,
        "superseded": 0,
        "recorded_later": 0,
        "irrelevant": document["summary"]["facts"]["irrelevant"],
    }
