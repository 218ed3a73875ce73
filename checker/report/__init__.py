"""Report formats: each module turns a run's findings into one kind of text.

table, json, jsonl and csv for machines and terminals; markdown, html (a page for a legal team),
ics (deadlines for calendars) and junit (CI dashboards). `checker.report.formatters.FORMATTERS`
maps a format's name to its formatter; the names alone, which the command line needs before any
formatter is imported, are `checker.report.names.REPORT_FORMATS`. `checker.report.targets`
writes the several reports of one run (`--report FORMAT:PATH`), atomically.

May import: common, dates, facts, findings, rulebook (waivers, applying_waivers), alerts
(snoozes), evaluation (the run's result) and state (history). Nothing imports report but
scenarios, authoring and commands; this `__init__` imports nothing, so the command line can read
the format names cheaply.
"""
