"""Spooled findings come back whole and in report order (clause 4.2 before 10.1)."""

from datetime import date

from checker.findings.model import Evidence, Finding, FindingKind, Severity
from checker.findings.spool import FindingSpool


def _finding(agreement: str, day: str, clause: str, subject: str) -> Finding:
    return Finding(
        agreement=agreement,
        clause=clause,
        clause_title=f"Clause {clause}",
        kind=FindingKind.BREACH,
        code="x.y",
        severity=Severity.HIGH,
        date=date.fromisoformat(day),
        subject=subject,
        message=f"message about {subject}",
        evidence=(Evidence(subject, "deal.closed", f"{day}T00:00:00Z", "f.jsonl:1"),),
        owner="legal",
    )


def test_findings_round_trip_in_report_order() -> None:
    given = [
        _finding("b", "2026-01-01", "1", "s1"),
        _finding("a", "2026-02-01", "10.1", "s2"),
        _finding("a", "2026-02-01", "4.2", "s3"),
        _finding("a", "2026-01-15", "99", "s4"),
    ]
    with FindingSpool() as spool:
        spool.add(given[:2])
        spool.add(given[2:])
        back = list(spool)
        assert len(spool) == 4
        assert spool.by_kind == {"breach": 4}
    assert [f.subject for f in back] == ["s4", "s3", "s2", "s1"]
    assert back == sorted(given, key=Finding.sort_key)
    assert [f.fingerprint for f in back] == [
        f.fingerprint for f in sorted(given, key=Finding.sort_key)
    ]
