"""Checks the fact types and fact fields a rule file names against the fact-type catalogue."""

from __future__ import annotations

from checker.common.diagnostics import Level
from checker.common.suggest import did_you_mean
from checker.norms.parties import ANYONE, Parties
from checker.rulebook.fact_catalog import FactCatalogue
from checker.rulebook.semantic.norms import NormVersion
from checker.rulebook.semantic.reporter import ReportOnce, SemanticReporter
from checker.rulebook.semantic.walk import FieldSetting, Found, PatternUse


def check_fact_types(reporter: SemanticReporter, found: Found, catalogue: FactCatalogue) -> None:
    for use in found.patterns:
        if not use.written:
            continue
        if not catalogue.knows(use.fact_type):
            reporter.report(
                (*use.path, "fact"),
                f"unknown fact type '{use.fact_type}'",
                did_you_mean(use.fact_type, catalogue.type_names())
                or f"no fact type in {catalogue.path} is like it; if facts of this type "
                "exist, add it there with its fields",
                Level.WARNING,
            )
            continue
        if use.others and catalogue.fact_types[use.fact_type].counterparty is None:
            reporter.report(
                (*use.path, "with"),
                f"this pattern can never match: 'with: others' reads {use.fact_type} facts with "
                f"someone outside the agreement, but {catalogue.path} names no counterparty "
                f"field for {use.fact_type}",
                f"add 'counterparty: <field>' to {use.fact_type} in {catalogue.path}, or remove "
                "'with: others'",
            )
        for name, key_path in use.tested:
            if catalogue.has_field(use.fact_type, name):
                continue
            reporter.report_key(
                key_path,
                f"fact type '{use.fact_type}' has no field '{name}'",
                _field_help(catalogue, [use.fact_type], name),
                Level.WARNING,
            )


def check_actors(
    reporter: SemanticReporter,
    versions: list[NormVersion],
    catalogue: FactCatalogue,
    parties: Parties,
) -> None:
    """A norm pattern counts the acts of the parties its `by` names (by default, in `do`, `of`
    and `exercised_by`, the party the norm binds). Facts of a type the catalogue gives no actor
    field (`actor: null`) are always acts of ours: such a pattern counting only another party's
    acts can never match, and its obligation or minimum is breached whatever the facts say."""
    report = ReportOnce(reporter)
    for version in versions:
        bound_word = version.data.get(version.bound_key)
        for pattern, path, bound in version.patterns():
            fact_type = pattern["fact"]
            if not catalogue.knows(fact_type) or catalogue.fact_types[fact_type].actor is not None:
                continue
            written = pattern.get("by")
            word = written if written is not None else bound_word if bound else None
            if not isinstance(word, str) or word == ANYONE:
                continue  # any party's (a trigger), or anyone's
            try:
                counted = parties.resolve(word)
            except ValueError:
                continue  # not a party: reported by the norms' checks
            if parties.us in counted:
                continue
            where = (*path, "by") if written is not None else (*path, "fact")
            whose = " and ".join(counted)
            said = (
                f"'by: {word}'"
                if written is not None
                else f"the clause's '{version.bound_key}: {word}'"
            )
            report(
                where,
                f"this pattern can never match: {catalogue.path} gives {fact_type} no actor "
                f"field (actor: null), so every {fact_type} fact is an act of ours "
                f"({parties.us}), but {said} counts only acts of {whose}",
                f"if {whose} can record {fact_type} facts, name the field that says who acted: "
                f"'actor: <field>' under {fact_type} in {catalogue.path}; if the act is ours, "
                f"count ours ('by: us')",
                key=where,  # once at a pattern, whichever version of the clause counts whom
            )


def check_field_settings(
    reporter: SemanticReporter, found: Found, catalogue: FactCatalogue
) -> None:
    for setting in found.settings:
        targets = [use for use in _targets(found, setting) if catalogue.knows(use.fact_type)]
        for name, path in setting.names:
            lacking = [use for use in targets if not catalogue.has_field(use.fact_type, name)]
            if not lacking:
                continue
            if setting.written:
                types = sorted({use.fact_type for use in lacking})
                reporter.report(
                    path,
                    f"'{name}' is not a field of {' or '.join(types)}",
                    _field_help(catalogue, types, name),
                    Level.WARNING,
                )
                continue
            for use in lacking:
                if not use.written:
                    continue  # a default on a default: the catalogue's own test covers it
                fields = ", ".join(catalogue.fields_of(use.fact_type))
                reporter.report(
                    (*use.path, "fact"),
                    f"fact type '{use.fact_type}' has no field '{name}', which "
                    f"'{setting.key}' names when it is not set",
                    f"add '{setting.key}:' with the field that {use.fact_type} facts use "
                    f"(their fields: {fields})",
                    Level.WARNING,
                )


def _targets(found: Found, setting: FieldSetting) -> list[PatternUse]:
    """The patterns a field setting applies to: those in the nearest mapping around it (itself
    first) that holds any, within its clause."""
    prefix = setting.owner
    while True:
        inside = [use for use in found.patterns if use.path[: len(prefix)] == prefix]
        if inside or len(prefix) <= len(setting.scope):
            return inside
        prefix = prefix[:-1]


def _field_help(catalogue: FactCatalogue, fact_types: list[str], name: str) -> str:
    common = [
        field_name
        for field_name in catalogue.fields_of(fact_types[0])
        if all(catalogue.has_field(other, field_name) for other in fact_types[1:])
    ]
    suggestion = did_you_mean(name, common)
    if suggestion:
        return suggestion
    return (
        f"fields of {' and '.join(fact_types)}: {', '.join(common)}; if these facts do carry "
        f"'{name}', add it to {catalogue.path}"
    )
