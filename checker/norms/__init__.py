"""Norms: what an agreement obliges, forbids, permits and measures, and how they are decided.

The general model every clause is evaluated on. `context` is what a clause compiles in (the
agreement's term, the as-of instant, its facts, the engine program) and how findings are made;
`fact_pattern` is the equality pattern the clause kinds use, tested in Python and compiled to
engine conditions alike; `blocks` are the general building blocks compiled to engine rules
(forbidden activity, obligations, limits, windows of rights).

May import: common, dates, facts, findings, engine.
"""
