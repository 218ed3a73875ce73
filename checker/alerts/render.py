"""One renderer per receiver type: a digest in, the payloads of its messages out (one or more,
each within the platform's limits; one email per digest)."""

from __future__ import annotations

from typing import Any

from checker.alerts import mail, slack, teams, webhook
from checker.alerts.digest import Digest
from checker.alerts.receivers import (
    AnyReceiver,
    EmailReceiver,
    SlackReceiver,
    TeamsReceiver,
)

__all__ = ["AnyReceiver", "render"]


def render(digest: Digest, receiver: AnyReceiver) -> list[dict[str, Any]]:
    """The payloads that carry `digest` to `receiver`, in the order they are to be sent."""
    if isinstance(receiver, SlackReceiver):
        return slack.render(digest)
    if isinstance(receiver, TeamsReceiver):
        return teams.render(digest)
    if isinstance(receiver, EmailReceiver):
        return mail.render(digest)
    return webhook.render(digest, receiver.max_items)
