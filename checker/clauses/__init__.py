"""Registry of clause kinds: every module in this package defines one kind, found automatically.

A kind is a subclass of `checker.clauses.base.Clause` with a `kind: Literal["name"]` field. The
registry builds the discriminated union that rule files are validated against.

May import: common, dates, facts, findings, engine, norms. The kinds live one per module; `base` is
the clause model every kind shares (common fields, amendments, explaining itself); kinds compile
onto the general blocks of `checker.norms`.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Annotated, Any, Union

from pydantic import Field

from checker.clauses.base import Clause

_INFRASTRUCTURE = {"base"}


def _discover() -> dict[str, type[Clause]]:
    kinds: dict[str, type[Clause]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name in _INFRASTRUCTURE or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Clause) and value is not Clause:
                field = value.model_fields.get("kind")
                if field is None or value.__module__ != module.__name__:
                    continue
                (name,) = field.annotation.__args__  # type: ignore[union-attr]
                kinds[name] = value
    return kinds


KINDS: dict[str, type[Clause]] = _discover()


def clause_union() -> Any:
    """The pydantic type of one clause: a union of all kinds, told apart by `kind`."""
    members = tuple(KINDS[name] for name in sorted(KINDS))
    return Annotated[Union[members], Field(discriminator="kind")]  # noqa: UP007
