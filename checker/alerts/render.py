"""One renderer per chat platform, chosen by the receiver's type: a digest in, the payloads of
its messages out (one or more, each within the platform's limits)."""

from __future__ import annotations

from typing import Any

from checker.alerts import slack, teams, webhook
from checker.alerts.digest import Digest
from checker.alerts.receivers import SlackReceiver, TeamsReceiver, WebhookReceiver

AnyReceiver = SlackReceiver | TeamsReceiver | WebhookReceiver


def render(digest: Digest, receiver: AnyReceiver) -> list[dict[str, Any]]:
    """The payloads that carry `digest` to `receiver`, in the order they are to be sent."""
    if isinstance(receiver, SlackReceiver):
        return slack.render(digest)
    if isinstance(receiver, TeamsReceiver):
        return teams.render(digest)
    return webhook.render(digest, receiver.max_items)
