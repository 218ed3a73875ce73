"""Activity facts: the canonical envelope, reading exports into it, and the fact store.

`model` is the fact every later stage reads; `inputs` finds the files that fact paths name (and
stdin); `mapping` is the optional column and value mapping; `reading` turns JSON-lines and CSV
exports into validated facts and positioned rejections; `store` spills facts to a temporary
SQLite file, routed by a `Router` that a later stage supplies (which agreements read which facts
is decided in `checker.evaluation.routing`); `ingest` fills the store, optionally with several
reader processes.

May import: common, dates.
"""
