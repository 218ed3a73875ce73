"""Tools for rule authors beyond the checks of a run.

`validate` checks every file of a rules folder without evaluating anything, and each file named
alone as the kind of file `file_kinds` recognises (by name, schema line or top-level keys);
`explain` prints an agreement in plain English with its dates; `kind_docs` documents the clause kinds, written as
docs/clauses.md by `kind_docs_markdown` and for `explain --kind` by `kind_docs_terminal`;
`schema`, `companion_schemas` and `schema_registry` generate the JSON Schemas of every authored
file (`schema_names`: their names alone, light to import).

May import every stage before it: common, dates, facts, findings, engine, norms, clauses, rulebook,
alerts, evaluation, state, report, scenarios.
"""
