"""The Rete engine: programs as plain data and the one module that runs them.

`program` holds the rules and messages an agreement compiles to; `conditions` builds engine
conditions with safely encoded values; `host` is the ONLY module of the project that imports
durable_rules: it checks a program against the engine's limits and runs it on a thread-free host.

May import: common.
"""
