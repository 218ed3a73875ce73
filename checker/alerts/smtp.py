"""Sending a digest's email through an SMTP server with the standard library (`smtplib`).

One connection per message: EHLO, STARTTLS when the receiver says so (the server's certificate
checked against the system's trusted authorities, `ssl.create_default_context`), login when the
receiver names the variables holding a user name and password, then the message as
multipart/alternative (plain text, then HTML) to every address in `to`.

How it went, in the terms of checker.alerts.delivery (which retries):

* accepted for at least one address: sent (addresses refused among others are logged);
* an SMTP 4xx answer (try later), a timeout (`timeout_seconds` bounds the whole conversation:
  connecting, logging in, sending and every answer, see `checker.alerts.delivery.Deadline`), a refused or dropped connection: `TransportError`,
  tried again;
* an SMTP 5xx answer (login refused, sender or every address refused, message refused), a server
  without STARTTLS when it is asked for, or a certificate that does not check out:
  `PermanentError`, not tried again (the digest then goes to the fallback receiver).

The user name and password come from the environment and are hidden by value
(checker.alerts.masking.hide): no error, log line or outbox record shows them.

The message's `Message-ID` is made from its delivery id (checker.alerts.webhook.delivery_id), so
a digest sent again carries the same id and mail clients and archives can drop the copy.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from checker.alerts.delivery import TIMED_OUT, Deadline, PermanentError, Reply, TransportError
from checker.alerts.masking import hide, mask_text, masked_logger
from checker.alerts.receivers import EmailReceiver
from checker.alerts.webhook import delivery_id

log = masked_logger(__name__)
ACCEPTED = 250


def credentials_problem(receiver: EmailReceiver, environ: Mapping[str, str]) -> str | None:
    """Why the receiver's credentials cannot be read from the environment, or None."""
    missing = [
        name
        for name in (receiver.username_env, receiver.password_env)
        if name is not None and not environ.get(name)
    ]
    if not missing:
        return None
    names = " and ".join(missing)
    verb = "is" if len(missing) == 1 else "are"
    return f"the environment variable{'s' if len(missing) > 1 else ''} {names} {verb} not set"


def address(receiver: EmailReceiver) -> str:
    """`smtp://smtp.example.com:587`: where the messages go, as shown (it holds no secret)."""
    host = receiver.smtp_host
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"smtp://{shown}:{receiver.smtp_port}"


class _SMTP(smtplib.SMTP):
    """An SMTP connection whose socket is shut down when the attempt's deadline passes."""

    def __init__(self, deadline: Deadline, host: str, port: int) -> None:
        self._deadline = deadline
        super().__init__(host, port, timeout=deadline.remaining())

    def _get_socket(self, host: str, port: int, timeout: float) -> Any:
        return self._deadline.watch(super()._get_socket(host, port, timeout))  # type: ignore[misc]


class SmtpTransport:
    """Sends a digest's email to the receiver's SMTP server; see the module docstring."""

    def __init__(self, receiver: EmailReceiver, environ: Mapping[str, str]) -> None:
        self.receiver = receiver
        self._username = environ.get(receiver.username_env or "", "")
        self._password = environ.get(receiver.password_env or "", "")
        hide(self._username, self._password)

    def message(self, payload: dict[str, Any]) -> EmailMessage:
        receiver = self.receiver
        message = EmailMessage()
        message["Subject"] = payload["subject"]
        message["From"] = receiver.sender
        message["To"] = ", ".join(receiver.to)
        message["Date"] = formatdate(usegmt=True)
        domain = receiver.sender.rpartition("@")[2]
        message["Message-ID"] = f"<{delivery_id(payload)}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
        message.set_content(payload["text"], subtype="plain", charset="utf-8")
        message.add_alternative(payload["html"], subtype="html", charset="utf-8")
        return message

    def post(self, url: str, payload: dict[str, Any], timeout: float) -> Reply:
        message = self.message(payload)
        deadline = Deadline(timeout)
        try:
            return self._send(message, url, deadline)
        except (TransportError, PermanentError):
            if deadline.expired:  # cut off mid-answer: whatever was read of it means nothing
                raise TransportError(TIMED_OUT) from None
            raise
        finally:
            deadline.cancel()

    def _send(self, message: EmailMessage, url: str, deadline: Deadline) -> Reply:
        receiver = self.receiver
        try:
            with _SMTP(deadline, receiver.smtp_host, receiver.smtp_port) as smtp:
                smtp.ehlo()
                if receiver.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if receiver.username_env is not None:
                    smtp.login(self._username, self._password)
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            text = "; ".join(
                f"{who}: {_answer(code, said)}" for who, (code, said) in error.recipients.items()
            )
            problem = mask_text(f"every address was refused: {text}")
            if all(code >= 500 for code in codes):
                raise PermanentError(problem) from None
            raise TransportError(problem) from None
        except smtplib.SMTPResponseException as error:
            problem = mask_text(_answer(error.smtp_code, error.smtp_error))
            if 400 <= error.smtp_code < 500:
                raise TransportError(problem) from None
            raise PermanentError(problem) from None
        except smtplib.SMTPNotSupportedError:
            raise PermanentError(
                "the server does not offer STARTTLS; the message was not sent unencrypted"
            ) from None
        except ssl.SSLCertVerificationError as error:
            raise PermanentError(
                mask_text(f"the server's certificate was not accepted: {error.verify_message}")
            ) from None
        except TimeoutError:
            raise TransportError("no answer within the time allowed (timeout)") from None
        except (OSError, smtplib.SMTPException) as error:
            text = str(error) or type(error).__name__
            raise TransportError(mask_text(f"no answer: {text}")) from None
        for who, (code, said) in refused.items():
            log.warning("%s refused %s: %s", url, who, _answer(code, said))
        return Reply(ACCEPTED, {}, "")


def _answer(code: int, said: bytes | str) -> str:
    text = said.decode("utf-8", errors="replace") if isinstance(said, bytes) else said
    return f"SMTP {code} {' '.join(text.split())}".rstrip()
