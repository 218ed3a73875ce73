"""The JSON Schemas the project commits, by name: each kind of file authors write, what it
describes, and where its schema is written.

Names only, light to import: the command line lists them in `schema --help` and `--file-type`
choices while it parses its options. `checker.authoring.schema_registry` pairs each with the function that
builds it from the models.
"""

from __future__ import annotations

SCHEMA_DIRECTORY = "schema"

# file type -> the files it describes; in the order `schema --help` and `schema --all` use.
SCHEMA_FILE_TYPES: dict[str, str] = {
    "agreement": "rule files: rules/<name>.yaml",
    "scenarios": "scenario files: rules/<name>.test.yaml",
    "waivers": "the waivers file: rules/waivers.yaml",
    "fact-types": "the fact-type catalogue: rules/fact-types.yaml",
    "notifications": "chat alerts of run --notify: notifications.yaml",
}


def schema_file_name(file_type: str) -> str:
    return f"{file_type}.schema.json"


def schema_path(file_type: str) -> str:
    """Where the schema of `file_type` is committed, relative to the project root."""
    return f"{SCHEMA_DIRECTORY}/{schema_file_name(file_type)}"
