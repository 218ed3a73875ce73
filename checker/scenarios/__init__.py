"""Rule tests as data: scenarios written next to a rule file, run by `contract-checker test`.

A scenario file is named after the rule file it tests, in the same folder:
`rules/globex-reseller.test.yaml` tests `rules/globex-reseller.yaml`. It names the agreement and
lists scenarios; each scenario gives some activity (facts), the day to check it on, and the
findings that must (and must not) come out::

    agreement: globex-reseller-2025          # the agreement id these scenarios test
    scenarios:
      - name: a direct deal in Germany breaks the exclusivity
        as_of: 2026-11-22                    # the day (00:00 UTC) or instant to check on
        horizon: 30                          # days ahead for deadlines (optional, default 30)
        facts:                               # written like a fact file's lines
          - {id: d1, type: deal.closed, at: 2026-03-02, partner: northwind,
             territory: DE, product: analytics-suite, channel: direct, customer: lidl}
          - {id: d2, type: deal.closed, at: 2026-03-03, partner: northwind,
             territory: DE, product: analytics-suite, channel: direct, customer: bosch}
        expect:                              # each must match at least one finding
          - {clause: "4.1", kind: breach, subject: d1, date: 2026-03-02}
        expect_not:                          # none may match any finding
          - {clause: "4.1", subject: d2}
        only: true                           # optional, see below

Facts have the fields of a fact file's line: `id`, `type`, `at` (a date, or a date and time with
its offset such as `2026-03-02T10:00:00Z`), optional `partner`, and any other field as an
attribute. They are checked exactly as a fact file's lines are, and two facts of one scenario may
not share an id. As in a run, facts dated after `as_of` are ignored.

An expectation names one or more of: `clause` (a clause id of the agreement, or `term` for the
agreement's own term and renewal findings), `kind` (breach, trigger, deadline, error, unknown),
`code` (e.g. `exclusivity.forbidden_activity`), `subject` (a fact id, a period such as `2026-Q3`, a
milestone name...), `date`, `severity`, and `message_contains` (text the message must contain,
ignoring upper and lower case). A finding matches when every field given matches. A `code` must
be one some finding has (each kind's codes are listed in docs/clauses.md), one the clause named
reports, and of the `kind` given: otherwise the file is reported as invalid, since the entry could
never match.

A scenario passes when every `expect` entry matches some finding, no `expect_not` entry matches
any finding, and:

* with `only: true`, the clauses named in `expect` produce no findings other than the expected
  ones (handy to pin a clause's whole output down; other clauses are not restricted);
* no `error` finding appears that an `expect` entry does not name: a clause that could not be
  evaluated never lets a scenario pass.

A clause is exercised when an `expect` or `expect_not` entry of some scenario names it; the report
lists clauses no scenario exercises and agreements without a scenario file
(`--strict-coverage` makes those a failure).

May import: common, dates, facts, findings, engine, norms, clauses, rulebook, alerts, evaluation,
state, report.
"""

from __future__ import annotations

from checker.scenarios.command import run_scenario_tests

__all__ = ["run_scenario_tests"]
