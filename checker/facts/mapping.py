"""The column and value mapping for exports whose names are not the canonical envelope, from YAML."""

from __future__ import annotations

import os
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from checker.common.diagnostics import Diagnostic, InputError
from checker.common.text_checks import LONE_SURROGATE
from checker.facts.model import Scalar
from checker.facts.reading import TYPE_NAME, TYPE_NAME_HELP


class FactMapping(BaseModel):
    """How to read an export whose column names and type values are not the canonical envelope.

    ```yaml
    type_field: Stage            # the source column that holds the type (before renaming)
    fields:                      # source column or key -> envelope field or attribute name
      Deal ID: id
      Closed At: at
      Amount: amount
    types:                       # value of the type column -> fact type
      Closed Won: deal.closed
    defaults:                    # added to every fact that lacks the field
      partner: initech
    ```
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: dict[str, str] = Field(default_factory=dict)
    types: dict[str, str] = Field(default_factory=dict)
    type_field: str = "type"
    defaults: dict[str, Scalar] = Field(default_factory=dict)

    @field_validator("fields")
    @classmethod
    def _names_not_empty(cls, fields: dict[str, str]) -> dict[str, str]:
        for source, target in fields.items():
            if not source or not target:
                raise ValueError(f"empty name in '{source}: {target}'")
        return fields

    @field_validator("types")
    @classmethod
    def _types_are_dotted_names(cls, types: dict[str, str]) -> dict[str, str]:
        for value, fact_type in types.items():
            if not TYPE_NAME.fullmatch(fact_type):
                raise ValueError(
                    f"'{value}' maps to '{fact_type}', which is not a fact type ({TYPE_NAME_HELP})"
                )
        return types

    @field_validator("type_field")
    @classmethod
    def _type_field_not_empty(cls, type_field: str) -> str:
        if not type_field:
            raise ValueError("type_field is empty")
        return type_field

    @field_validator("defaults")
    @classmethod
    def _no_default_id(cls, defaults: dict[str, Scalar]) -> dict[str, Scalar]:
        if "id" in defaults:
            raise ValueError("a default 'id' would give every fact the same id")
        return defaults

    @model_validator(mode="after")
    def _one_source_per_field(self) -> FactMapping:
        renamed_type = self.fields.get(self.type_field, "type")
        if renamed_type != "type":
            raise ValueError(
                f"type_field '{self.type_field}' holds the type, but fields renames it to"
                f" '{renamed_type}'"
            )
        sources: dict[str, str] = {}
        for source, target in self.renames().items():
            if target in sources:
                raise ValueError(f"'{sources[target]}' and '{source}' both map to '{target}'")
            sources[target] = source
        return self

    def renames(self) -> dict[str, str]:
        """Source name -> field name, including the type column's move to `type`."""
        renames = dict(self.fields)
        renames[self.type_field] = "type"
        return renames


# A mapping names a few dozen columns and values; far more is not a mapping file.
MAX_MAPPING_BYTES = 1024 * 1024


def load_mapping(path: str) -> FactMapping:
    """Read a `FactMapping` from a YAML file; any problem raises InputError naming the file."""
    try:
        with open(path, encoding="utf-8") as stream:
            if os.fstat(stream.fileno()).st_size > MAX_MAPPING_BYTES:
                message = f"a fact mapping may be at most {MAX_MAPPING_BYTES // 1024} kB"
                raise InputError([Diagnostic(path, 0, 0, message)])
            document = yaml.safe_load(stream)
    except OSError as error:
        raise InputError([Diagnostic(path, 0, 0, f"cannot read: {error.strerror}")]) from None
    except UnicodeDecodeError as error:
        message = f"not UTF-8: byte 0x{error.object[error.start]:02x}"
        raise InputError([Diagnostic(path, 0, 0, message)]) from None
    except RecursionError:
        message = "nested too deeply: a fact mapping is a few levels deep"
        raise InputError([Diagnostic(path, 0, 0, message)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = getattr(error, "problem", None) or str(error)
        message = f"not valid YAML: {problem}"
        raise InputError([Diagnostic(path, line, column, message)]) from None
    if not isinstance(document, dict):
        message = "a fact mapping must be a YAML mapping with fields, types, type_field, defaults"
        raise InputError([Diagnostic(path, 1, 0, message)])
    if _has_surrogate(document):  # from an escape like "\ud800"
        message = "a lone surrogate escape (like \\ud800) is half of a UTF-16 pair, not a character"
        raise InputError([Diagnostic(path, 0, 0, message)])
    try:
        return FactMapping.model_validate(document)
    except ValidationError as error:
        diagnostics = [
            Diagnostic(path, 0, 0, _mapping_error_message(detail)) for detail in error.errors()
        ]
        raise InputError(diagnostics) from None


def _has_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(key) or _has_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


def _mapping_error_message(detail: Any) -> str:
    where = ".".join(str(part) for part in detail["loc"])
    if detail["type"] == "extra_forbidden":
        return f"unknown key '{where}' (use fields, types, type_field, defaults)"
    if detail["type"] == "value_error":
        reason = str(detail["ctx"]["error"])
        return f"{where}: {reason}" if where else reason
    return f"{where}: {detail['msg']}"


__all__ = ["FactMapping", "load_mapping"]
