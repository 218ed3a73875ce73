"""Webhook addresses are secrets: the one place that hides them in text, output and logs.

An incoming-webhook address carries its own credential in its path (anyone who has it can post to
the channel), so it is shown as its scheme and host only: ``https://hooks.slack.com/***``.

Other secrets read from the environment (an SMTP user name and password, a webhook's signing
secret) are hidden by value: once `hide` has been told one, `mask_text` and the logging filter
write ``***`` wherever it appears (values shorter than `MIN_HIDDEN_LENGTH` are not looked for:
they would mask ordinary words).
"""

from __future__ import annotations

import logging
import re

# A web address: scheme, host (with an optional port or credentials), then a path, query or
# fragment up to a space, a quote or an angle bracket, not counting punctuation that ends a
# sentence or a clause around it ("posting to https://host/path: refused").
_ADDRESS = re.compile(
    r"(?P<start>[A-Za-z][A-Za-z0-9+.-]*://)(?P<host>[^/\s?#'\"<>]*)"
    r"(?:[/?#][^\s'\"<>]*[^\s'\"<>.,;:!?)\]])?"
)


MIN_HIDDEN_LENGTH = 4
_HIDDEN: set[str] = set()  # secret values read from the environment in this process


def hide(*values: str | None) -> None:
    """Remember secret values (credentials read from the environment) so that `mask_text` and
    the loggers of `masked_logger` never show them."""
    _HIDDEN.update(value for value in values if value and len(value) >= MIN_HIDDEN_LENGTH)


def mask_text(text: str) -> str:
    """`text` with every web address masked and every hidden secret replaced by `***`."""
    masked = mask_urls(text)
    for value in sorted(_HIDDEN, key=len, reverse=True):  # a secret inside a longer one: longest
        masked = masked.replace(value, "***")
    return masked


def mask_url(url: str) -> str:
    """`https://hooks.slack.com/services/T0/B0/XYZ` -> `https://hooks.slack.com/***`."""
    match = _ADDRESS.match(url.strip())
    if match is None:
        return "***"
    host = match["host"].rpartition("@")[2]  # never show credentials written before the host
    return f"{match['start']}{host}/***"


def mask_urls(text: str) -> str:
    """`text` with every web address in it masked as `mask_url` does."""
    return _ADDRESS.sub(lambda match: mask_url(match.group(0)), text)


class MaskingFilter(logging.Filter):
    """A logging filter that masks web addresses and hidden secrets in a record's message
    before it is written.

    The record's arguments are merged into its message first, so an address passed as an argument
    (``log.debug("posting to %s", url)``) is masked too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        return True


def masked_logger(name: str) -> logging.Logger:
    """The logger called `name`, with a `MaskingFilter` on it (added once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(existing, MaskingFilter) for existing in logger.filters):
        logger.addFilter(MaskingFilter())
    return logger
