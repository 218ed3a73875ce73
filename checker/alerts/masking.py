"""Webhook addresses are secrets: the one place that hides them in text, output and logs.

An incoming-webhook address carries its own credential in its path (anyone who has it can post to
the channel), so it is shown as its scheme and host only: ``https://hooks.slack.com/***``.

Secrets are hidden **by value**, not by their shape: once `hide` has been told a secret read from
the environment (an SMTP user name and password, a webhook's signing secret) and `hide_url` a
configured webhook address, `mask_text` and the logging filter write ``***`` wherever one appears,
with or without a scheme: a receiver's error body that repeats the request's path, its query
token or the signature in it, URL-encoded or not, shows ``***``. `hide_url` hides the address and
every part of it that could carry a credential: the address without its scheme, the path, the
query, each query value, each path segment that looks like a token (a digit, a capital or a
character other than a lower-case letter or `-`, or 16 characters and more: `services`,
`workflows` and `invoke` stay readable), user and password, each in its raw, decoded, encoded
and JSON-escaped forms, and the token-like runs of letters and digits inside them (so a value
repeated half-decoded, `sig=Ab/Cd%2B`, is still hidden). Values shorter than `MIN_HIDDEN_LENGTH`
are not looked for: they would mask ordinary words.
"""

from __future__ import annotations

import logging
import re
import urllib.parse

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


_WORD = re.compile(r"^[a-z][a-z-]*$")  # a path segment such as `services` or `invoke`
_LONG_WORD = 16
_PIECE = re.compile(r"[A-Za-z0-9_-]+")
_MIN_PIECE = 6


def hide_url(url: str | None) -> None:
    """Remember a configured webhook address and every part of it that could carry its
    credential (see the module docstring), so that no text shows any of them."""
    if not url:
        return
    text = url.strip()
    parts = {text, text.rstrip("/")}
    parsed = urllib.parse.urlsplit(text)
    if parsed.scheme and parsed.netloc:
        after_host = text.split(parsed.netloc, 1)[1]
        parts.update({text.split("://", 1)[-1], after_host, parsed.path, parsed.path.strip("/")})
        parts.update({parsed.query, parsed.fragment, parsed.username or "", parsed.password or ""})
    else:  # not an address at all: the whole value is the secret, hidden above
        parsed = urllib.parse.urlsplit("")
    for segment in parsed.path.split("/"):
        if _looks_like_a_token(segment):
            parts.add(segment)
    for name, value in urllib.parse.parse_qsl(parsed.query, keep_blank_values=True):
        parts.update({value, f"{name}={value}"})
    for pair in parsed.query.split("&"):
        parts.update({pair, pair.partition("=")[2]})
    found: set[str] = set()
    for part in list(parts):
        if part not in (text, text.rstrip("/")):  # a value's pieces: `sig=Ab%2FCd` as `Ab`, `Cd`
            parts.update(
                piece
                for piece in _PIECE.findall(urllib.parse.unquote(part))
                if len(piece) >= _MIN_PIECE and _looks_like_a_token(piece)
            )
    for part in parts:
        found.update(
            {
                part,
                urllib.parse.unquote(part),
                urllib.parse.quote(part, safe=""),
                urllib.parse.quote(urllib.parse.unquote(part), safe=""),
                part.replace("/", "\\/"),  # as JSON may escape it
            }
        )
    hide(*found)


def _looks_like_a_token(segment: str) -> bool:
    return len(segment) >= _LONG_WORD or not _WORD.match(urllib.parse.unquote(segment))


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
