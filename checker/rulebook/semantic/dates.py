"""Checks a rule file's dates and windows against each other and against the agreement's term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from checker.common.diagnostics import Level
from checker.dates.timeutil import WEEKDAYS_ONLY, epoch_of_date
from checker.rulebook.semantic.reporter import SemanticReporter
from checker.rulebook.semantic.walk import Found, as_date, as_duration
from checker.rulebook.yaml_source import Location

_REFERENCE_DAY = epoch_of_date(date(2001, 1, 1))


@dataclass(frozen=True, slots=True)
class _Term:
    """The agreement's term as the file states it; `last_day` None: renewing, or not known."""

    effective: date
    last_day: date | None


def check_term(reporter: SemanticReporter, data: dict[str, Any]) -> _Term | None:
    """The term as the file states it, once `expires` and the notice period are checked; None
    without a well-formed `effective`, or when the agreement expires before it starts."""
    effective = as_date(data.get("effective"))
    if effective is None:
        return None
    if "expires" not in data or "term" in data:
        if "expires" not in data and isinstance(data.get("term"), dict):
            _notice_window(reporter, data["term"], effective)
        return _Term(effective, None)
    expires = as_date(data.get("expires"))
    if expires is None:
        return _Term(effective, None)
    amended = _amended_last_day(data, expires)
    if expires < effective:
        reporter.report(
            ("expires",),
            f"the agreement expires on {expires}, before it starts on {effective}",
            "'effective' is the agreement's first day and 'expires' its last: check both",
        )
        # With a fixed term, the model's term check reports exactly this (at the top).
        reporter.superseded.add(())
        return None
    return _Term(effective, amended)


def _amended_last_day(data: dict[str, Any], expires: date) -> date | None:
    """The last day as the agreement's amendments leave it (None: open-ended)."""
    last_day: date | None = expires
    amendments = data.get("amendments")
    for amendment in amendments if isinstance(amendments, list) else []:
        if not isinstance(amendment, dict):
            continue
        if as_date(amendment.get("expires")) is not None:
            last_day = as_date(amendment.get("expires"))
        elif amendment.get("open_ended") is True:
            last_day = None
    return last_day


def _notice_window(reporter: SemanticReporter, term: dict[str, Any], effective: date) -> None:
    """Notice of non-renewal must be possible during the first term: the last day to give
    it (`non_renewal_notice` before the first term's last day) must not be before
    `effective`."""
    initial = as_duration(term.get("initial"))
    notice = as_duration(term.get("non_renewal_notice"))
    if initial is None or notice is None:
        return
    # Business days count as weekdays here: the holiday calendar moves the day by little.
    last_day = initial.add_to_date(effective, WEEKDAYS_ONLY) - timedelta(days=1)
    notice_by = notice.negated().add_to_date(last_day, WEEKDAYS_ONLY)
    if notice_by < effective:
        reporter.report(
            ("term", "non_renewal_notice"),
            f"notice of non-renewal would be due by {notice_by}, before the agreement starts "
            f"on {effective}: {notice} is longer than the first term ({initial})",
            "check 'non_renewal_notice' and 'initial' against the contract",
        )


def check_windows(reporter: SemanticReporter, found: Found, term: _Term | None) -> None:
    for path, window in found.windows:
        opens, closes = as_date(window.get("opens")), as_date(window.get("closes"))
        if opens is not None and closes is not None:
            if closes < opens:
                reporter.report(
                    (*path, "closes"),
                    f"this window closes on {closes}, before it opens on {opens}",
                    "'opens' is the window's first day and 'closes' its last: check both "
                    "dates against the contract",
                )
                _supersede_window(reporter, path)
            elif term is not None:
                _window_in_term(reporter, path, opens, closes, term)
        opens_before = as_duration(window.get("opens_before"))
        closes_before = as_duration(window.get("closes_before"))
        if opens_before is not None and closes_before is not None:
            # Business days count as weekdays here: the holiday calendar makes no difference
            # to which of two durations is longer.
            opens_at = opens_before.before(_REFERENCE_DAY, WEEKDAYS_ONLY)
            closes_at = closes_before.before(_REFERENCE_DAY, WEEKDAYS_ONLY)
            if closes_at < opens_at:
                reporter.report(
                    (*path, "closes_before"),
                    f"this window closes {closes_before} before the anniversary, earlier "
                    f"than it opens ({opens_before} before)",
                    "'opens_before' is how long before the anniversary the window opens; "
                    "'closes_before' must be shorter (e.g. opens_before: 90d, "
                    "closes_before: 30d)",
                )
                _supersede_window(reporter, path)


def _window_in_term(
    reporter: SemanticReporter, path: Location, opens: date, closes: date, term: _Term
) -> None:
    effective, last_day = term.effective, term.last_day
    if closes < effective:
        reporter.report(
            (*path, "closes"),
            f"this window closes on {closes}, before the agreement starts on {effective}: "
            "it is never open during the agreement",
            "check the year of both dates against the contract",
        )
    elif last_day is not None and opens > last_day:
        reporter.report(
            (*path, "opens"),
            f"this window opens on {opens}, after the agreement ends on {last_day}: "
            "it is never open during the agreement",
            "check the year of both dates against the contract",
        )
    else:
        if opens < effective:
            reporter.report(
                (*path, "opens"),
                f"this window opens on {opens}, before the agreement starts on {effective}; "
                f"only the part from {effective} is checked",
                "check the date against the contract",
                Level.WARNING,
            )
        if last_day is not None and closes > last_day:
            reporter.report(
                (*path, "closes"),
                f"this window closes on {closes}, after the agreement ends on {last_day}; "
                f"only the part up to {last_day} is checked",
                "check the date against the contract",
                Level.WARNING,
            )


def _supersede_window(reporter: SemanticReporter, path: Location) -> None:
    """A window's own validator reports its order at the window; inside an amendment, the
    clause's amendment validator reports it at the clause."""
    if "amended" in path:
        reporter.superseded.add(path[: path.index("amended")])
    else:
        reporter.superseded.add(path)


def check_dates(reporter: SemanticReporter, found: Found, term: _Term) -> None:
    for path, day in found.dates:
        name = path[-1]
        if len(path) == 1 or name in ("opens", "closes"):
            continue  # the term itself; windows are checked as a whole
        if name == "effective" and len(path) >= 3 and path[-3] == "amended":
            _amendment_date(reporter, path, day, term)
        elif name == "due":
            _due_date(reporter, path, day, term)
        elif name == "checked_from":
            _checked_from(reporter, path, day, term)
        else:
            _other_date(reporter, path, day, term)


def _amendment_date(reporter: SemanticReporter, path: Location, day: date, term: _Term) -> None:
    if day < term.effective:
        reporter.report(
            path,
            f"this amendment takes effect on {day}, before the agreement starts on "
            f"{term.effective}",
            "an amendment changes the terms from a day on which the agreement is in force: "
            "check the amendment's date",
        )
    elif term.last_day is not None and day > term.last_day:
        reporter.report(
            path,
            f"this amendment takes effect on {day}, after the agreement ends on "
            f"{term.last_day}, so its changes would never apply",
            "check the amendment's date, or the agreement's 'expires' if the amendment "
            "extended the agreement",
        )


def _due_date(reporter: SemanticReporter, path: Location, day: date, term: _Term) -> None:
    if day < term.effective:
        where = f"before the agreement starts on {term.effective}"
    elif term.last_day is not None and day > term.last_day:
        where = f"after the agreement ends on {term.last_day}"
    else:
        return
    name = reporter.value_at((*path[:-1], "name"))
    subject = f"'{name}'" if isinstance(name, str) else "this"
    reporter.report(
        path,
        f"{subject} is due on {day}, {where}, so it would never be checked",
        "check the date against the contract (often the year is wrong)",
    )


def _checked_from(reporter: SemanticReporter, path: Location, day: date, term: _Term) -> None:
    if day < term.effective:
        reporter.report(
            path,
            f"'checked_from' is {day}, before the agreement starts on {term.effective}, "
            "so it has no effect",
            "every period of the agreement is checked anyway: correct the date or remove "
            "'checked_from'",
            Level.WARNING,
        )
    elif term.last_day is not None and day > term.last_day:
        reporter.report(
            path,
            f"'checked_from' is {day}, after the agreement ends on {term.last_day}, so no "
            "period would ever be checked",
            "periods that end before 'checked_from' are skipped: correct the date",
        )


def _other_date(reporter: SemanticReporter, path: Location, day: date, term: _Term) -> None:
    if day < term.effective:
        where = f"before the agreement starts on {term.effective}"
    elif term.last_day is not None and day > term.last_day:
        where = f"after the agreement ends on {term.last_day}"
    else:
        return
    reporter.report(
        path,
        f"{day} is {where}",
        "the clause applies only while the agreement is in force: check the date",
        Level.WARNING,
    )
