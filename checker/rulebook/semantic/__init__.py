"""Checks on what a rule file means, beyond its schema, each problem positioned at its key or value.

`checks.check_agreement_file` is the entry point: `walk` reads the file's data guided by the
models' field types (fact patterns, field settings, dates, windows, durations), `reporter`
collects positioned diagnostics, and one module per family of checks says what is wrong:
`clause_ids`, `dates` (term, windows, dates within the term), `amendments` (their order and what
they change), `business_days`, `norms` (the parties, values and other clauses a norm names) and
`catalogue` (fact types, fields and whose acts they are, against the fact-type catalogue).
"""
