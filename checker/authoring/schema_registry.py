"""The JSON Schemas the project commits, one per kind of YAML file authors write: where each is
written, how it is built, and which one a file follows, judged by the file's name."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.authoring.companion_schemas import (
    build_fact_types_schema,
    build_notifications_schema,
    build_scenarios_schema,
    build_waivers_schema,
)
from checker.authoring.schema import build_schema, render_json
from checker.authoring.schema_names import SCHEMA_FILE_TYPES, schema_file_name, schema_path
from checker.rulebook.fact_catalog import CATALOGUE_NAMES
from checker.rulebook.loading import SCENARIO_SUFFIXES, is_rule_file
from checker.rulebook.waivers import WAIVER_FILE_NAMES

# The first line of a YAML file that points editors at its schema; the path is relative to the
# YAML file's own directory.
SCHEMA_LINE_PREFIX = "# yaml-language-server: $schema="


@dataclass(frozen=True, slots=True)
class SchemaFile:
    """One committed schema: the kind of file it describes and where it is written."""

    file_type: str
    describes: str
    build: Callable[[], dict[str, Any]]

    @property
    def file_name(self) -> str:
        return schema_file_name(self.file_type)

    @property
    def path(self) -> str:
        """Where it is committed, relative to the project root."""
        return schema_path(self.file_type)

    def render(self) -> str:
        return render_json(self.build())


_BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "agreement": build_schema,
    "scenarios": build_scenarios_schema,
    "waivers": build_waivers_schema,
    "fact-types": build_fact_types_schema,
    "notifications": build_notifications_schema,
}

# Named (and ordered) by checker.authoring.schema_names, which the command line reads without building any.
SCHEMA_FILES: dict[str, SchemaFile] = {
    file_type: SchemaFile(file_type, describes, _BUILDERS[file_type])
    for file_type, describes in SCHEMA_FILE_TYPES.items()
}


def file_type_of(name: str) -> str | None:
    """The schema a YAML file found in a rules directory follows, by its name; None when it
    is not a YAML file. (A notifications file is named on the command line, `run --notify
    FILE`, and lives anywhere: it is never told by its name.)"""
    if name.endswith(SCENARIO_SUFFIXES):
        return "scenarios"
    if name in WAIVER_FILE_NAMES:
        return "waivers"
    if name in CATALOGUE_NAMES:
        return "fact-types"
    if is_rule_file(name):
        return "agreement"
    return None


def schema_line(yaml_file: str, project_root: str, file_type: str) -> str:
    """The first line `yaml_file` should carry: its schema's path relative to its directory."""
    schema_path = os.path.abspath(os.path.join(project_root, SCHEMA_FILES[file_type].path))
    relative = os.path.relpath(schema_path, os.path.dirname(os.path.abspath(yaml_file)))
    return SCHEMA_LINE_PREFIX + relative.replace(os.sep, "/")
