"""Findings: what a run reports, and what becomes of them.

The finding model (kind, severity, evidence, fingerprint), the exit-code contract that findings
decide, findings spooled to disk in report order, and the statuses a run with `--state` gives
them (new, open, resolved, stale).

May import: common, dates, facts.
"""
