"""Evaluation: facts routed to agreements, agreements evaluated, one run end to end.

`routing` decides which agreements read which facts; `evaluate` compiles one agreement and runs
it on the engine, turning firings into findings (anything that cannot be evaluated is an `error`
finding); `workers` evaluates agreements in short-lived worker processes; `run` is one run from
rule files and fact files to sorted findings and counts.

May import: common, dates, facts, findings, engine, norms, clauses, rulebook, alerts (snoozes, to mark
findings).
"""
