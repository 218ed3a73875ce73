"""The commands of `contract-checker`, one module each: `run`, `validate`, `test`, `explain`,
`schema`, `state` and `diff`.

Each module has `add_parser(subparsers)`, its options and help (importing only light modules,
so that parsing the command line stays quick), and `main(args) -> ExitCode`, which does the work
and imports what it needs when it runs. `checker.cli` builds the parser and calls the command
that was named.

May import every stage (commands are the top of the pipeline); only `checker.cli` imports them.
"""
