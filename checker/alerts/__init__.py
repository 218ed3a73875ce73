"""Chat alerts (`contract-checker run --notify FILE --state DB`): a digest per receiver per run,
in Slack, Microsoft Teams, any JSON webhook or email, sent through an outbox that loses nothing.

One module per job, in the order the data flows:

* `receivers`: the Slack, Teams, webhook and email receivers of the notifications file;
* `notifications_model`: the rest of the file's model (routes, fallback, reminders, snoozes,
  delivery), from which its JSON Schema is generated;
* `notifications_loading`: the file loaded and checked like a rule file, every problem at its
  file:line:col; `rule_references`: warnings for what it names that no rule file has
  (`validate --notifications`);
* `snoozes` and `routing`: which findings stay out of chat, and which receivers get the others;
* `digest`: what each receiver is told tonight, from the findings, their history and what it was
  told before (at most its `max_items_per_digest` findings listed, the rest counted);
* `layout`, then `slack`, `teams`, `webhook` and `mail` (chosen by `render`): the digest in plain
  words, then as each platform's messages, split to its limits and escaped;
* `outbox`: the messages and each receiver's memory, in the state file's database;
* `delivery`: posting one message with retries (a webhook's signed, with its delivery id);
  `smtp`: sending an email through an SMTP server; `masking`: webhook addresses and
  credentials kept secret;
* `notify`: all of it for one run, or a dry run that only shows what would be sent.

May import: common, dates, facts, findings, rulebook (agreement ids, the positioned YAML of the
notifications file). Alerts know findings and their history, never how findings were made.
"""

from checker.alerts.notifications_loading import Notifications, load_notifications
from checker.alerts.notify import AlertInput, NotifyReport, dry_run, notify
from checker.alerts.snoozes import SnoozeRecord, Snoozes

__all__ = [
    "AlertInput",
    "Notifications",
    "NotifyReport",
    "SnoozeRecord",
    "Snoozes",
    "dry_run",
    "load_notifications",
    "notify",
]
