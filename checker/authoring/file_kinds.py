"""Which kind of file an author named: a rule file, a scenario file, the waivers file, the
fact-type catalogue, a notifications file or a fact mapping (`run --mapping`), so that `validate FILE` checks each as what it is
(a pre-commit hook hands `validate` only the files a commit changes, one kind mixed with another).

Recognised, first match wins:

1. by the name conventions the loaders use for a rules folder: `<name>.test.yaml` is a scenario
   file, `waivers.yaml` the waivers, `fact-types.yaml` the catalogue; and `notifications.yaml`,
   `notifications.<anything>.yaml` or `<anything>.notifications.yaml` a notifications file;
2. by the JSON Schema its editor modeline names (`# yaml-language-server: $schema=...`), as the
   shipped files and `contract-checker schema` suggest writing them: `waivers.schema.json` makes
   a waivers file, and so on;
3. by its top-level keys: `waivers`, `fact_types`, `scenarios` (beside `agreement`),
   `receivers` / `routes` / `fallback`, or `type_field` / `fields` (a mapping);
4. otherwise it is a rule file, so that a rule file with mistakes is still checked as one.

Reads at most the file's first 64 KB as text (its modeline and top-level keys), never as YAML:
a file with a YAML mistake is still recognised, and its loader then reports the mistake.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum

from checker.authoring.schema_names import schema_file_name
from checker.rulebook.fact_catalog import CATALOGUE_NAMES
from checker.rulebook.loading import SCENARIO_SUFFIXES
from checker.rulebook.waivers import WAIVER_FILE_NAMES

_HEAD_BYTES = 64 * 1024  # enough for any modeline and the top-level keys of a long header
_MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(?P<schema>\S+)", re.MULTILINE)
_TOP_LEVEL_KEY = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_-]*)\s*:(?:\s|$)", re.MULTILINE)
_NOTIFICATIONS_NAME = re.compile(
    r"^(?:notifications(?:\.[^/]+)?|[^/]+\.notifications)\.ya?ml$", re.IGNORECASE
)


class FileKind(StrEnum):
    """The kinds of file `validate` checks; the value is how messages name them."""

    RULES = "rule file"
    SCENARIOS = "scenario file"
    WAIVERS = "waivers file"
    FACT_TYPES = "fact-type catalogue"
    NOTIFICATIONS = "notifications file"
    MAPPING = "fact mapping"


# The schema `contract-checker schema --file-type NAME` writes for each kind.
_BY_SCHEMA = {
    schema_file_name("agreement"): FileKind.RULES,
    schema_file_name("scenarios"): FileKind.SCENARIOS,
    schema_file_name("waivers"): FileKind.WAIVERS,
    schema_file_name("fact-types"): FileKind.FACT_TYPES,
    schema_file_name("notifications"): FileKind.NOTIFICATIONS,
    schema_file_name("mapping"): FileKind.MAPPING,
}
# Top-level keys that only one kind has, in the order they are tried.
_BY_KEY = (
    ("clauses", FileKind.RULES),
    ("scenarios", FileKind.SCENARIOS),
    ("waivers", FileKind.WAIVERS),
    ("fact_types", FileKind.FACT_TYPES),
    ("receivers", FileKind.NOTIFICATIONS),
    ("routes", FileKind.NOTIFICATIONS),
    ("fallback", FileKind.NOTIFICATIONS),
    ("type_field", FileKind.MAPPING),
    ("fields", FileKind.MAPPING),
)


def kind_by_name(path: str) -> FileKind | None:
    """The kind the file's name alone says, or None when its name follows no convention."""
    name = os.path.basename(path)
    if name.endswith(SCENARIO_SUFFIXES):
        return FileKind.SCENARIOS
    if name in WAIVER_FILE_NAMES:
        return FileKind.WAIVERS
    if name in CATALOGUE_NAMES:
        return FileKind.FACT_TYPES
    if _NOTIFICATIONS_NAME.match(name):
        return FileKind.NOTIFICATIONS
    return None


def kind_by_content(text: str) -> FileKind | None:
    """The kind a file's modeline or top-level keys say, or None when they say nothing."""
    modeline = _MODELINE.search(text)
    if modeline is not None:
        schema = modeline["schema"].rstrip("\"'").replace("\\", "/").rsplit("/", 1)[-1]
        if schema in _BY_SCHEMA:
            return _BY_SCHEMA[schema]
    keys = {match["key"] for match in _TOP_LEVEL_KEY.finditer(text)}
    for key, kind in _BY_KEY:
        if key in keys:
            return kind
    return None


def file_kind(path: str) -> FileKind:
    """The kind of the file at `path` (see the module docstring); a rule file when unsure,
    also when the file cannot be read (its loader then says why)."""
    by_name = kind_by_name(path)
    if by_name is not None:
        return by_name
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return FileKind.RULES
    return kind_by_content(head) or FileKind.RULES
