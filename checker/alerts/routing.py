"""Routing: which receivers a finding goes to.

* A finding goes to the receivers of **every** route it matches, not only the first: a route is a
  subscription ("legal wants everything of emea-legal", "the CISO wants every critical finding"),
  and adding one never takes findings away from another.
* A route matches when each filter it gives (owner, severity, kind, agreement) contains the
  finding's value; a route without filters matches everything.
* A finding no route matches goes to the fallback receiver, so nothing falls out of chat because
  no route was written for it.
* Each receiver then keeps only findings at or above its `min_severity`. That is a choice made in
  the file, so a finding a route took but every one of its receivers set aside by severity does not
  go to the fallback.
"""

from __future__ import annotations

from checker.alerts.notifications_model import NotificationsFile, Route
from checker.findings.model import Finding


class Router:
    """Decides the receivers of each finding, as the notifications file says."""

    def __init__(self, notifications: NotificationsFile) -> None:
        self._routes = notifications.routes
        self._fallback = notifications.fallback
        self._min_rank = {
            name: receiver.min_severity.rank for name, receiver in notifications.receivers.items()
        }

    def receivers_for(self, finding: Finding) -> list[str]:
        """The receivers of `finding`, in the order the file first names them."""
        taken: list[str] = []
        for route in self._routes:
            if _matches(route, finding):
                taken.extend(route.to)
        if not taken:
            taken = [self._fallback]
        rank = finding.severity.rank
        return [name for name in dict.fromkeys(taken) if rank <= self._min_rank[name]]


def _matches(route: Route, finding: Finding) -> bool:
    return (
        (route.owner is None or finding.owner in route.owner)
        and (route.severity is None or finding.severity in route.severity)
        and (route.kind is None or finding.kind in route.kind)
        and (route.agreement is None or finding.agreement in route.agreement)
    )
